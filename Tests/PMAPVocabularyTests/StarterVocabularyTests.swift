import PMAPModel
import Testing

@testable import PMAPVocabulary

/// The shipped starter vocabulary is a reviewed list; these tests keep it sound.
struct StarterVocabularyTests {
    let content: VocabularyContent

    init() throws {
        content = try StarterVocabulary.load()
    }

    @Test func hasNoConsistencyProblems() {
        #expect(content.problems() == [])
    }

    @Test func everySourceCodeResolvesToAStandardConcept() throws {
        let byID = Dictionary(uniqueKeysWithValues: content.concepts.map { ($0.id, $0) })
        let sourceConcepts = content.concepts.filter {
            $0.standardConcept == nil && $0.id != .noMatchingConcept
        }
        #expect(!sourceConcepts.isEmpty, "the starter list should carry source codes such as ICD-10-CM")
        for concept in sourceConcepts {
            let targets = content.mapsTo.filter { $0.source == concept.id }.compactMap { byID[$0.target] }
            #expect(!targets.isEmpty, "\(concept.vocabularyID) \(concept.code) has no \"Maps to\"")
            #expect(
                targets.allSatisfy { $0.isStandard },
                "\(concept.vocabularyID) \(concept.code) maps to a non-standard concept")
        }
    }

    @Test func everyHierarchyEdgePointsAtListedConcepts() {
        let ids = Set(content.concepts.map(\.id))
        #expect(!content.hierarchy.isEmpty)
        for edge in content.hierarchy {
            #expect(ids.contains(edge.parent), "hierarchy parent \(edge.parent) is not a listed concept")
            #expect(ids.contains(edge.child), "hierarchy child \(edge.child) is not a listed concept")
        }
    }

    @Test func everyConceptNamesItsSourceAndLocalIDsAreMarkedLocal() {
        for concept in content.concepts {
            let source = content.conceptSources[concept.id] ?? ""
            #expect(!source.isEmpty, "concept \(concept.id) does not say where its id comes from")
            if concept.id.isLocal {
                #expect(concept.vocabularyID == StarterVocabulary.localVocabularyID)
                #expect(
                    source.hasPrefix("local"),
                    "local concept \(concept.id) should be marked local in its source")
            }
        }
    }

    @Test func coversTheThreeStarterAreas() {
        let names = content.concepts.map { $0.name.lowercased() }
        for needed in [
            "prostate", "multiple sclerosis", "hypertension", "diabetes", "prostate specific antigen",
        ] {
            #expect(names.contains { $0.contains(needed) }, "no starter concept mentions \(needed)")
        }
        let domains = Set(content.concepts.map(\.domainID))
        for domain in [
            "Condition", "Measurement", "Drug", "Gender", "Race", "Ethnicity", "Visit", "Type Concept",
            "Unit",
        ] {
            #expect(domains.contains(domain), "no starter concept in domain \(domain)")
        }
    }

    @Test func hierarchyIsDeeperThanOneLevel() throws {
        let rows = try ConceptHierarchy.closure(of: content.hierarchy)
        #expect(rows.contains { $0.minLevels >= 2 }, "the hierarchy should have grandchildren")
    }
}
