import Foundation
import GRDB
import PMAPModel

extension SQLiteStore {
    public func concept(_ id: ConceptID) async throws -> Concept? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM concept WHERE concept_id = ?", arguments: [id.rawValue])
                .map(Self.concept)
        }
    }

    public func searchConcepts(_ text: String, limit: Int) async throws -> [Concept] {
        let words = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        let match = words.map { "\"\($0)\"*" }.joined(separator: " ")
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return try await read { db in
            var found: [Concept] = []
            var seen: Set<ConceptID> = []
            // Exact code or id first: users paste codes such as C61 or 2857-1.
            let exact = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM concept WHERE concept_code = ? OR concept_id = ?
                    ORDER BY standard_concept = 'S' DESC, concept_id LIMIT ?
                    """,
                arguments: [trimmed, Int64(trimmed) ?? -1, limit])
            for row in exact {
                let concept = Self.concept(row)
                if seen.insert(concept.id).inserted { found.append(concept) }
            }
            if !match.isEmpty, found.count < limit {
                let named = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.* FROM pmap_concept_search s JOIN concept c ON c.concept_id = s.rowid
                        WHERE pmap_concept_search MATCH ?
                        ORDER BY c.standard_concept = 'S' DESC, s.rank, c.concept_id LIMIT ?
                        """,
                    arguments: [match, limit])
                for row in named where found.count < limit {
                    let concept = Self.concept(row)
                    if seen.insert(concept.id).inserted { found.append(concept) }
                }
            }
            return found
        }
    }

    public func relatives(of id: ConceptID, _ direction: HierarchyDirection) async throws -> [ConceptRelative]
    {
        let (from, to) =
            direction == .ancestors
            ? ("descendant_concept_id", "ancestor_concept_id")
            : ("ancestor_concept_id", "descendant_concept_id")
        return try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.*, a.min_levels_of_separation AS min_levels, a.max_levels_of_separation AS max_levels
                    FROM concept_ancestor a JOIN concept c ON c.concept_id = a.\(to)
                    WHERE a.\(from) = ? AND a.\(to) <> a.\(from)
                    ORDER BY a.min_levels_of_separation, c.concept_name
                    """,
                arguments: [id.rawValue]
            ).map { row in
                ConceptRelative(
                    concept: Self.concept(row), minLevels: row["min_levels"], maxLevels: row["max_levels"])
            }
        }
    }

    public func relationships(of id: ConceptID) async throws -> [ConceptLink] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.*, r.relationship_id AS link FROM concept_relationship r
                    JOIN concept c ON c.concept_id = r.concept_id_2
                    WHERE r.concept_id_1 = ? AND r.invalid_reason IS NULL
                    ORDER BY r.relationship_id, c.concept_name
                    """,
                arguments: [id.rawValue]
            ).map { ConceptLink(relationshipID: $0["link"], concept: Self.concept($0)) }
        }
    }

    static func concept(_ row: Row) -> Concept {
        Concept(
            id: ConceptID(row["concept_id"] as Int64), name: row["concept_name"], domainID: row["domain_id"],
            vocabularyID: row["vocabulary_id"], conceptClassID: row["concept_class_id"],
            standardConcept: row["standard_concept"], code: row["concept_code"],
            validStartDate: row["valid_start_date"], validEndDate: row["valid_end_date"],
            invalidReason: row["invalid_reason"])
    }
}
