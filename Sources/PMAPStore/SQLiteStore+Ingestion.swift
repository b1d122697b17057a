import Foundation
import GRDB
import PMAPModel

extension SQLiteStore {
    public func quarantinedRecords(includeResolved: Bool, limit: Int) async throws -> [QuarantinedRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM pmap_quarantine \(includeResolved ? "" : "WHERE resolved_at IS NULL")
                    ORDER BY quarantine_id DESC LIMIT ?
                    """,
                arguments: [limit]
            ).map(Self.quarantined)
        }
    }

    public func quarantinedRecord(id: Int64) async throws -> QuarantinedRecord? {
        try await read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM pmap_quarantine WHERE quarantine_id = ?", arguments: [id]
            ).map(Self.quarantined)
        }
    }

    static func quarantined(_ row: Row) -> QuarantinedRecord {
        QuarantinedRecord(
            id: row["quarantine_id"], sourceName: row["source_name"], sourceFile: row["source_file"],
            sourceLocation: row["source_location"], recordType: row["record_type"],
            reasonCode: row["reason_code"],
            reason: row["reason"], createdAt: row["created_at"], resolvedAt: row["resolved_at"],
            recordCiphertext: row["record_ciphertext"])
    }

    /// The clinical tables and their (concept, source value) columns that mapping coverage reports.
    static let mappedColumns: [(table: String, concept: String, source: String, sourceConcept: String)] = [
        (
            "condition_occurrence", "condition_concept_id", "condition_source_value",
            "condition_source_concept_id"
        ),
        ("drug_exposure", "drug_concept_id", "drug_source_value", "drug_source_concept_id"),
        (
            "procedure_occurrence", "procedure_concept_id", "procedure_source_value",
            "procedure_source_concept_id"
        ),
        (
            "measurement", "measurement_concept_id", "measurement_source_value",
            "measurement_source_concept_id"
        ),
        (
            "observation", "observation_concept_id", "observation_source_value",
            "observation_source_concept_id"
        ),
        ("device_exposure", "device_concept_id", "device_source_value", "device_source_concept_id"),
    ]

    public func mappingCoverage(topUnmapped: Int) async throws -> MappingCoverage {
        try await read { db in
            var tables: [MappingCoverage.Table] = []
            var unmapped: [MappingCoverage.Unmapped] = []
            var byVocabulary: [String?: (rows: Int, mapped: Int)] = [:]
            for (table, concept, source, sourceConcept) in Self.mappedColumns {
                let vocabularyRows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT c.vocabulary_id AS vocabulary, count(*) AS rows,
                            count(CASE WHEN t.\(concept) <> 0 THEN 1 END) AS mapped
                        FROM \(table) t LEFT JOIN concept c ON c.concept_id = t.\(sourceConcept) AND t.\(sourceConcept) <> 0
                        GROUP BY c.vocabulary_id
                        """)
                for row in vocabularyRows {
                    let key: String? = row["vocabulary"]
                    let current = byVocabulary[key] ?? (0, 0)
                    byVocabulary[key] = (
                        current.rows + (row["rows"] as Int), current.mapped + (row["mapped"] as Int)
                    )
                }
                let row = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT count(*) AS rows, count(CASE WHEN \(concept) <> 0 THEN 1 END) AS mapped FROM \(table)"
                )!
                tables.append(MappingCoverage.Table(table: table, rows: row["rows"], mapped: row["mapped"]))
                unmapped += try Row.fetchAll(
                    db,
                    sql: """
                        SELECT \(source) AS value, count(*) AS rows FROM \(table) WHERE \(concept) = 0
                        GROUP BY \(source) ORDER BY rows DESC, value LIMIT ?
                        """,
                    arguments: [topUnmapped]
                ).map {
                    MappingCoverage.Unmapped(table: table, sourceValue: $0["value"] ?? "", rows: $0["rows"])
                }
            }
            unmapped.sort { ($0.rows, $1.sourceValue) > ($1.rows, $0.sourceValue) }
            let vocabularies = byVocabulary.map {
                MappingCoverage.Vocabulary(vocabularyID: $0.key, rows: $0.value.rows, mapped: $0.value.mapped)
            }.sorted { ($0.rows, $1.vocabularyID ?? "") > ($1.rows, $0.vocabularyID ?? "") }
            return MappingCoverage(
                tables: tables, vocabularies: vocabularies, topUnmapped: Array(unmapped.prefix(topUnmapped)))
        }
    }
}

extension SQLiteStore {
    public func personMerges() async throws -> [PersonMerge] {
        try await read { db in try SQLiteWriter.merges(db, where: "1", []) }
    }
}
