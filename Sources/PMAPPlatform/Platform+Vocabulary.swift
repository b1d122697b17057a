import Foundation
import PMAPStore
import PMAPVocabulary

/// A concept with its place in the vocabulary, as `pmap vocab show` presents it.
public struct ConceptDetail: Sendable {
    public let concept: Concept
    public let ancestors: [ConceptRelative]
    public let descendants: [ConceptRelative]
    public let relationships: [ConceptLink]
}

/// What a vocabulary load wrote.
public struct VocabularyLoadSummary: Sendable {
    /// The rows written to one table.
    public struct Entry: Sendable, Hashable {
        public let table: String
        public let rows: Int
    }
    /// Rows written per vocabulary table, in load order.
    public let entries: [Entry]
}

extension Platform {
    /// Loads (or reloads) PMAP's shipped starter vocabulary, replacing the rows it owns and
    /// keeping everything else; idempotent.
    @discardableResult
    public func loadStarterVocabulary() async throws -> VocabularyLoadSummary {
        let content = try StarterVocabulary.load()
        let problems = content.problems()
        guard problems.isEmpty else {
            throw PMAPError(
                .failure,
                "the shipped starter vocabulary is inconsistent (\(problems[0])); this is a bug in PMAP")
        }
        let tables = try content.tableRows()
        try await store.write { writer in
            for rows in tables {
                try writer.insert(rows, onConflict: .replace)
            }
            try writer.vocabularyDidChange()
        }
        return VocabularyLoadSummary(entries: tables.map { .init(table: $0.table, rows: $0.rows.count) })
    }

    /// Concepts matching `text` by name words, code or id; standard concepts first.
    public func searchConcepts(_ text: String, limit: Int = 25) async throws -> [Concept] {
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PMAPError(.usage, "give some text to search for, e.g. `pmap vocab search prostate`")
        }
        return try await store.searchConcepts(text, limit: limit)
    }

    /// A concept with its ancestors, descendants and relationships; `notFound` when the
    /// vocabulary has no such concept.
    public func conceptDetail(_ id: ConceptID) async throws -> ConceptDetail {
        guard let concept = try await store.concept(id) else {
            throw PMAPError(
                .notFound, "the vocabulary has no concept \(id); find ids with `pmap vocab search TEXT`")
        }
        return ConceptDetail(
            concept: concept, ancestors: try await store.relatives(of: id, .ancestors),
            descendants: try await store.relatives(of: id, .descendants),
            relationships: try await store.relationships(of: id))
    }
}
