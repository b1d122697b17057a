import PMAPModel

/// A vocabulary ready to load into the store's vocabulary tables: concepts, "Maps to" links,
/// the hierarchy and the reference tables (vocabulary, domain, concept_class, relationship).
public struct VocabularyContent: Sendable {
    /// A row of the `vocabulary` table.
    public struct VocabularyRecord: Sendable, Hashable {
        public let id: String
        public let name: String
        public let conceptID: ConceptID
    }
    /// A row of the `domain` table.
    public struct DomainRecord: Sendable, Hashable {
        public let id: String
        public let name: String
        public let conceptID: ConceptID
    }
    /// A row of the `concept_class` table.
    public struct ConceptClassRecord: Sendable, Hashable {
        public let id: String
        public let name: String
        public let conceptID: ConceptID
    }
    /// A row of the `relationship` table.
    public struct RelationshipRecord: Sendable, Hashable {
        public let id: String
        public let name: String
        public let isHierarchical: Bool
        public let definesAncestry: Bool
        public let reverseID: String
        public let conceptID: ConceptID
    }
    /// A "Maps to" link from a source concept to the standard concept data should carry.
    public struct MapsTo: Sendable, Hashable {
        public let source: ConceptID
        public let target: ConceptID
    }

    public var concepts: [Concept]
    /// Where each concept's id was taken from (a public source, or `local: ...`).
    public var conceptSources: [ConceptID: String]
    public var mapsTo: [MapsTo]
    public var hierarchy: [HierarchyEdge]
    public var vocabularies: [VocabularyRecord]
    public var domains: [DomainRecord]
    public var conceptClasses: [ConceptClassRecord]
    public var relationships: [RelationshipRecord]

    /// Every problem that would make this vocabulary unsafe to load; empty when it is sound.
    ///
    /// Checks: unique concept ids; local ids only in OMOP's local range and vice versa;
    /// every domain, vocabulary and concept class named by a concept exists; every source
    /// (non-standard) concept maps to a standard concept; every "Maps to" and hierarchy edge
    /// points at concepts that exist; the hierarchy has no cycle.
    public func problems() -> [String] {
        var problems: [String] = []
        var byID: [ConceptID: Concept] = [:]
        for concept in concepts {
            if byID[concept.id] != nil { problems.append("concept \(concept.id) is listed twice") }
            byID[concept.id] = concept
            if concept.id.isLocal != (concept.vocabularyID == StarterVocabulary.localVocabularyID) {
                problems.append(
                    "concept \(concept.id) (\(concept.vocabularyID)): local ids (> 2,000,000,000) must be in vocabulary \(StarterVocabulary.localVocabularyID) and only they"
                )
            }
        }
        let domainIDs = Set(domains.map(\.id))
        let vocabularyIDs = Set(vocabularies.map(\.id))
        let classIDs = Set(conceptClasses.map(\.id))
        for concept in concepts {
            if !domainIDs.contains(concept.domainID) {
                problems.append("concept \(concept.id): unknown domain '\(concept.domainID)'")
            }
            if !vocabularyIDs.contains(concept.vocabularyID) {
                problems.append("concept \(concept.id): unknown vocabulary '\(concept.vocabularyID)'")
            }
            if !classIDs.contains(concept.conceptClassID) {
                problems.append("concept \(concept.id): unknown concept class '\(concept.conceptClassID)'")
            }
        }
        let mappedSources = Set(mapsTo.map(\.source))
        for concept in concepts where concept.standardConcept == nil && concept.id != .noMatchingConcept {
            if !mappedSources.contains(concept.id) {
                problems.append(
                    "source concept \(concept.id) (\(concept.vocabularyID) \(concept.code)) has no \"Maps to\" a standard concept"
                )
            }
        }
        for link in mapsTo {
            guard byID[link.source] != nil else {
                problems.append("\"Maps to\" from \(link.source): no such concept")
                continue
            }
            guard let target = byID[link.target] else {
                problems.append("\"Maps to\" \(link.source) → \(link.target): no such target concept")
                continue
            }
            if !target.isStandard {
                problems.append(
                    "\"Maps to\" \(link.source) → \(link.target): the target is not a standard concept")
            }
        }
        for edge in hierarchy {
            for id in [edge.parent, edge.child] where byID[id] == nil {
                problems.append("hierarchy edge \(edge.parent) → \(edge.child): no concept \(id)")
            }
        }
        do {
            _ = try ConceptHierarchy.closure(of: hierarchy)
        } catch {
            problems.append(String(describing: error))
        }
        return problems
    }

    /// The rows of every vocabulary table this content fills, `concept_ancestor` computed as
    /// the closure of the hierarchy and "Mapped from" added as the reverse of "Maps to".
    public func tableRows() throws -> [TableRows] {
        let start: SQLValue = "1970-01-01"
        let end: SQLValue = "2099-12-31"
        var concept = TableRows(
            table: "concept",
            columns: [
                "concept_id", "concept_name", "domain_id", "vocabulary_id", "concept_class_id",
                "standard_concept",
                "concept_code", "valid_start_date", "valid_end_date", "invalid_reason",
            ])
        concept.rows = concepts.map { c in
            [
                .integer(c.id.rawValue), .text(c.name), .text(c.domainID), .text(c.vocabularyID),
                .text(c.conceptClassID), c.standardConcept.map(SQLValue.text) ?? .null, .text(c.code),
                .text(c.validStartDate), .text(c.validEndDate), c.invalidReason.map(SQLValue.text) ?? .null,
            ]
        }
        var relationship = TableRows(
            table: "concept_relationship",
            columns: [
                "concept_id_1", "concept_id_2", "relationship_id", "valid_start_date", "valid_end_date",
                "invalid_reason",
            ])
        for link in mapsTo {
            relationship.rows.append([
                .integer(link.source.rawValue), .integer(link.target.rawValue), "Maps to", start, end, .null,
            ])
            relationship.rows.append([
                .integer(link.target.rawValue), .integer(link.source.rawValue), "Mapped from", start, end,
                .null,
            ])
        }
        for edge in hierarchy {
            relationship.rows.append([
                .integer(edge.child.rawValue), .integer(edge.parent.rawValue), "Is a", start, end, .null,
            ])
            relationship.rows.append([
                .integer(edge.parent.rawValue), .integer(edge.child.rawValue), "Subsumes", start, end, .null,
            ])
        }
        let standard = concepts.filter(\.isStandard).map(\.id)
        let ancestorRows = try ConceptHierarchy.closure(of: hierarchy, selfRowsFor: standard)
        let ancestor = TableRows(
            table: "concept_ancestor",
            columns: [
                "ancestor_concept_id", "descendant_concept_id", "min_levels_of_separation",
                "max_levels_of_separation",
            ],
            rows: ancestorRows.map {
                [
                    .integer($0.ancestor.rawValue), .integer($0.descendant.rawValue),
                    .integer(Int64($0.minLevels)), .integer(Int64($0.maxLevels)),
                ]
            })
        let vocabulary = TableRows(
            table: "vocabulary",
            columns: [
                "vocabulary_id", "vocabulary_name", "vocabulary_reference", "vocabulary_version",
                "vocabulary_concept_id",
            ],
            rows: vocabularies.map {
                [
                    .text($0.id), .text($0.name), "PMAP starter vocabulary", .text(StarterVocabulary.version),
                    .integer($0.conceptID.rawValue),
                ]
            })
        let domain = TableRows(
            table: "domain", columns: ["domain_id", "domain_name", "domain_concept_id"],
            rows: domains.map { [.text($0.id), .text($0.name), .integer($0.conceptID.rawValue)] })
        let conceptClass = TableRows(
            table: "concept_class",
            columns: ["concept_class_id", "concept_class_name", "concept_class_concept_id"],
            rows: conceptClasses.map { [.text($0.id), .text($0.name), .integer($0.conceptID.rawValue)] })
        let relationshipType = TableRows(
            table: "relationship",
            columns: [
                "relationship_id", "relationship_name", "is_hierarchical", "defines_ancestry",
                "reverse_relationship_id",
                "relationship_concept_id",
            ],
            rows: relationships.map {
                [
                    .text($0.id), .text($0.name), .text($0.isHierarchical ? "1" : "0"),
                    .text($0.definesAncestry ? "1" : "0"),
                    .text($0.reverseID), .integer($0.conceptID.rawValue),
                ]
            })
        return [vocabulary, domain, conceptClass, relationshipType, concept, relationship, ancestor]
    }
}
