import Foundation
import PMAPPlatform
import PMAPTestSupport
import PMAPVocabulary
import Testing

/// The starter vocabulary, loaded by `pmap init`, answers searches and hierarchy walks.
struct StarterVocabularyInStoreTests {
    @Test func initLoadsStarterVocabularyOnceAndDescendantsIncludeGrandchildren() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (platform, summary) = try await Platform.initialize(storePath: folder.file("pmap.sqlite"))
        #expect(summary.created && summary.loadedStarterVocabulary)
        let content = try StarterVocabulary.load()
        #expect(summary.status.cdmTables.first { $0.name == "concept" }?.rows == content.concepts.count)

        // Pick every two-step chain A → B → C of the shipped hierarchy: C must be among A's
        // descendants at level 2, and A among C's ancestors.
        let children = Dictionary(grouping: content.hierarchy, by: \.parent)
        var checked = 0
        for edge in content.hierarchy {
            for grandchild in children[edge.child] ?? [] {
                let detail = try await platform.conceptDetail(edge.parent)
                let found = detail.descendants.first { $0.concept.id == grandchild.child }
                #expect(found != nil, "\(grandchild.child) should descend from \(edge.parent)")
                #expect((found?.maxLevels ?? 0) >= 2)
                let upward = try await platform.conceptDetail(grandchild.child)
                #expect(upward.ancestors.contains { $0.concept.id == edge.parent })
                checked += 1
            }
        }
        #expect(checked > 0, "the starter hierarchy has no grandchildren to check")

        // A second init neither recreates the store nor reloads the vocabulary.
        let (_, again) = try await Platform.initialize(storePath: folder.file("pmap.sqlite"))
        #expect(!again.created && !again.loadedStarterVocabulary)
    }

    @Test func searchFindsByNameWordsCodeAndID() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (platform, _) = try await Platform.initialize(storePath: folder.file("pmap.sqlite"))
        let content = try StarterVocabulary.load()
        let example = try #require(
            content.concepts.first { $0.isStandard && $0.name.lowercased().contains("prostate") })

        let byWords = try await platform.searchConcepts("prostat")
        #expect(byWords.contains { $0.id == example.id })
        #expect(
            byWords.allSatisfy {
                $0.name.lowercased().contains("prostat") || $0.code.lowercased().contains("prostat")
            })

        let byCode = try await platform.searchConcepts(example.code)
        #expect(byCode.first?.id == example.id)
        let byID = try await platform.searchConcepts(String(example.id.rawValue))
        #expect(byID.first?.id == example.id)
        #expect(try await platform.searchConcepts("zzzqqq").isEmpty)
    }

    @Test func sourceCodeShowsItsMapsTo() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (platform, _) = try await Platform.initialize(storePath: folder.file("pmap.sqlite"))
        let content = try StarterVocabulary.load()
        let link = try #require(content.mapsTo.first)
        let detail = try await platform.conceptDetail(link.source)
        #expect(
            detail.relationships.contains { $0.relationshipID == "Maps to" && $0.concept.id == link.target })
        let target = try await platform.conceptDetail(link.target)
        #expect(
            target.relationships.contains {
                $0.relationshipID == "Mapped from" && $0.concept.id == link.source
            })
    }

    @Test func unknownConceptIsNotFound() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (platform, _) = try await Platform.initialize(storePath: folder.file("pmap.sqlite"))
        await #expect {
            _ = try await platform.conceptDetail(ConceptID(987_654_321))
        } throws: { error in
            (error as? PMAPError)?.kind == .notFound
        }
    }
}
