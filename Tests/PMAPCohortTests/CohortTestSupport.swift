import Foundation
import GRDB
import PMAPCohort
import PMAPModel
import PMAPTestSupport
import Testing

@testable import PMAPStore

/// One row of the `cohort` table.
struct CohortRow: Equatable, CustomStringConvertible {
    let subject: Int64
    let start: String
    let end: String

    init(_ subject: Int64, _ start: String, _ end: String) {
        self.subject = subject
        self.start = start
        self.end = end
    }

    var description: String { "(\(subject), \(start), \(end))" }
}

/// What a generation produced: the cohort's rows (by subject and start) and the inclusion masks.
struct CohortRun {
    let rows: [CohortRow]
    let masks: [Int64: Int64]
    let leftoverTables: [String]
}

/// Runs compiled cohorts on a real SQLite store.
enum CohortRunner {
    static func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(
            values.map { value -> DatabaseValue in
                switch value {
                case .null: return .null
                case .integer(let number): return number.databaseValue
                case .real(let number): return number.databaseValue
                case .text(let text): return text.databaseValue
                }
            })
    }

    /// Compiles `definition` for SQLite and runs it in one transaction, as the integrator will.
    static func run(
        _ definition: CohortDefinition, id: Int64 = 1, on store: SQLiteStore, excludeOptedOut: Bool = true
    ) async throws -> CohortRun {
        let compiled = try CohortCompiler.compile(
            definition, cohortDefinitionID: id, dialect: .sqlite, excludeOptedOut: excludeOptedOut)
        return try await store.pool.write { db in
            for statement in compiled.statements {
                try db.execute(sql: statement.sql, arguments: arguments(statement.arguments))
            }
            var masks: [Int64: Int64] = [:]
            for row in try Row.fetchAll(
                db, sql: compiled.inclusionMaskQuery.sql,
                arguments: arguments(compiled.inclusionMaskQuery.arguments))
            {
                masks[row[0]] = row[1]
            }
            for statement in compiled.cleanup {
                try db.execute(sql: statement.sql, arguments: arguments(statement.arguments))
            }
            let leftovers = try String.fetchAll(
                db,
                sql: "SELECT name FROM sqlite_temp_master WHERE type = 'table' AND name LIKE 'pmap_cohort_%'")
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT subject_id, cohort_start_date, cohort_end_date FROM cohort
                    WHERE cohort_definition_id = ? ORDER BY subject_id, cohort_start_date
                    """, arguments: [id]
            ).map { row in CohortRow(row[0], row[1], row[2]) }
            return CohortRun(rows: rows, masks: masks, leftoverTables: leftovers)
        }
    }

    /// Parses a definition given as a JSON string.
    static func definition(_ json: String) throws -> CohortDefinition {
        try CohortDefinition.parse(Data(json.utf8))
    }
}

/// A fresh store in a temporary folder with helpers to insert hand-made rows.
final class TestStore {
    let folder: TemporaryFolder
    let store: SQLiteStore
    /// The same rows on PostgreSQL when a server is configured (see ``PostgreSQLMirror``).
    private var mirror: PostgreSQLMirror?
    private var mirrorOpened = false
    /// Whether rows reach PostgreSQL too; off for stores filled through `store.pool` directly.
    let mirrored: Bool

    init(mirrored: Bool = true) throws {
        folder = try TemporaryFolder()
        store = try SQLiteStore(path: folder.file("pmap.sqlite"), create: true)
        self.mirrored = mirrored
    }

    /// The PostgreSQL mirror, opened on first use (nil without a server or when not mirrored).
    private func postgres() async throws -> PostgreSQLMirror? {
        guard mirrored else { return nil }
        if !mirrorOpened {
            mirrorOpened = true
            mirror = try await PostgreSQLMirror.open()
        }
        return mirror
    }

    deinit { folder.remove() }

    /// Inserts rows given as column → value lists into `table`.
    func insert(_ table: String, _ columns: [String], _ rows: [[SQLValue]]) async throws {
        let sql =
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
            + "(\(columns.map { _ in "?" }.joined(separator: ", ")))"
        try await store.pool.write { db in
            for row in rows { try db.execute(sql: sql, arguments: CohortRunner.arguments(row)) }
        }
        try await postgres()?.insert(table, columns, rows)
    }

    /// Runs one statement.
    func execute(_ sql: String) async throws {
        try await store.pool.write { db in try db.execute(sql: sql) }
        try await postgres()?.execute(sql)
    }

    /// Persons as (id, gender concept, year of birth).
    func persons(_ rows: [(Int64, Int64, Int64)]) async throws {
        try await insert(
            "person",
            ["person_id", "gender_concept_id", "year_of_birth", "race_concept_id", "ethnicity_concept_id"],
            rows.map { [.integer($0.0), .integer($0.1), .integer($0.2), 0, 0] })
    }

    /// Observation periods as (person, start, end); ids are assigned in order.
    func periods(_ rows: [(Int64, String, String)]) async throws {
        let first = try await store.pool.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT COALESCE(MAX(observation_period_id), 0) FROM observation_period")!
        }
        try await insert(
            "observation_period",
            [
                "observation_period_id", "person_id", "observation_period_start_date",
                "observation_period_end_date",
                "period_type_concept_id",
            ],
            rows.enumerated().map {
                [
                    .integer(first + Int64($0.offset) + 1), .integer($0.element.0), .text($0.element.1),
                    .text($0.element.2), 32817,
                ]
            })
    }

    /// Drug eras as (person, drug concept, start, end).
    func drugEras(_ rows: [(Int64, Int64, String, String)]) async throws {
        try await insert(
            "drug_era",
            [
                "drug_era_id", "person_id", "drug_concept_id", "drug_era_start_date", "drug_era_end_date",
                "drug_exposure_count", "gap_days",
            ],
            rows.enumerated().map {
                [
                    .integer(Int64($0.offset) + 1), .integer($0.element.0), .integer($0.element.1),
                    .text($0.element.2), .text($0.element.3), 1, 0,
                ]
            })
    }

    /// Drug exposures as (person, drug concept, start, end).
    func drugExposures(_ rows: [(Int64, Int64, String, String)]) async throws {
        try await insert(
            "drug_exposure",
            [
                "drug_exposure_id", "person_id", "drug_concept_id", "drug_exposure_start_date",
                "drug_exposure_end_date", "drug_type_concept_id",
            ],
            rows.enumerated().map { index, row in
                [
                    .integer(Int64(index) + 1), .integer(row.0), .integer(row.1), .text(row.2), .text(row.3),
                    32838,
                ]
            })
    }

    /// Condition occurrences as (person, concept, start, end or nil).
    func conditions(_ rows: [(Int64, Int64, String, String?)]) async throws {
        try await insert(
            "condition_occurrence",
            [
                "condition_occurrence_id", "person_id", "condition_concept_id", "condition_start_date",
                "condition_end_date", "condition_type_concept_id",
            ],
            rows.enumerated().map {
                [
                    .integer(Int64($0.offset) + 1), .integer($0.element.0), .integer($0.element.1),
                    .text($0.element.2), $0.element.3.map { .text($0) } ?? .null, 32817,
                ]
            })
    }

    /// Measurements as (person, concept, date, value, unit).
    func measurements(_ rows: [(Int64, Int64, String, Double?, Int64?)]) async throws {
        try await insert(
            "measurement",
            [
                "measurement_id", "person_id", "measurement_concept_id", "measurement_date",
                "value_as_number", "unit_concept_id", "measurement_type_concept_id",
            ],
            rows.enumerated().map {
                [
                    .integer(Int64($0.offset) + 1), .integer($0.element.0), .integer($0.element.1),
                    .text($0.element.2), $0.element.3.map { .real($0) } ?? .null,
                    $0.element.4.map { .integer($0) } ?? .null, 32817,
                ]
            })
    }

    /// Concepts (id, valid) with concept_ancestor rows (ancestor, descendant) and 'Maps to'
    /// rows (source, standard).
    func vocabulary(concepts: [(Int64, Bool)], ancestors: [(Int64, Int64)], mapsTo: [(Int64, Int64)])
        async throws
    {
        try await insert(
            "concept",
            [
                "concept_id", "concept_name", "domain_id", "vocabulary_id", "concept_class_id",
                "concept_code", "valid_start_date", "valid_end_date", "invalid_reason",
            ],
            concepts.map {
                [
                    .integer($0.0), .text("c\($0.0)"), "Condition", "SNOMED", "Clinical Finding",
                    .text("\($0.0)"), "1970-01-01", "2099-12-31", $0.1 ? .null : "D",
                ]
            })
        try await insert(
            "concept_ancestor",
            [
                "ancestor_concept_id", "descendant_concept_id", "min_levels_of_separation",
                "max_levels_of_separation",
            ],
            ancestors.map { [.integer($0.0), .integer($0.1), 1, 1] })
        try await insert(
            "concept_relationship",
            ["concept_id_1", "concept_id_2", "relationship_id", "valid_start_date", "valid_end_date"],
            mapsTo.map { [.integer($0.0), .integer($0.1), "Maps to", "1970-01-01", "2099-12-31"] })
    }

    /// Loads a CDM CSV file (lower-case header, empty field = NULL) into `table`, on
    /// PostgreSQL too; the number of rows.
    @discardableResult
    func load(_ url: URL, into table: String) async throws -> Int {
        let (columns, rows) = try await store.pool.write { db in try CSVLoader.load(url, into: table, db) }
        if let postgres = try await postgres() {
            for start in stride(from: 0, to: rows.count, by: 2000) {
                let batch = rows[start..<min(start + 2000, rows.count)].map { row in
                    row.map { $0.map(SQLValue.text) ?? .null }
                }
                try await postgres.insert(table, columns, Array(batch))
            }
        }
        return rows.count
    }

    /// Records a research opt-out for `person`.
    func optOut(_ person: Int64) async throws {
        try await insert(
            "pmap_consent",
            ["person_id", "research_opt_out", "decided_on", "source_name", "source_record_key"],
            [[.integer(person), 1, "2020-01-01", "test", .text("consent-\(person)")]])
    }

    func run(_ definition: CohortDefinition, id: Int64 = 1, excludeOptedOut: Bool = true) async throws
        -> CohortRun
    {
        let run = try await CohortRunner.run(definition, id: id, on: store, excludeOptedOut: excludeOptedOut)
        if let postgres = try await postgres() {
            let other = try await postgres.run(definition, id: id, excludeOptedOut: excludeOptedOut)
            #expect(other.rows == run.rows, "PostgreSQL's cohort rows differ from SQLite's")
            #expect(other.masks == run.masks, "PostgreSQL's inclusion masks differ from SQLite's")
        }
        return run
    }
}

/// Loads CDM CSV files (lower-case headers, empty field = NULL) into a store's tables.
enum CSVLoader {
    /// Inserts the columns of `url` that `table` has; returns those columns and the rows.
    static func load(_ url: URL, into table: String, _ db: Database) throws -> (
        columns: [String], rows: [[String?]]
    ) {
        let records = parse(try Data(contentsOf: url))
        guard let header = records.first else { return ([], []) }
        let tableColumns = Set(
            try Row.fetchAll(db, sql: "PRAGMA table_info(\(table))").map { $0["name"] as String })
        let kept = header.enumerated().compactMap { index, name -> (Int, String)? in
            guard let name, tableColumns.contains(name) else { return nil }
            return (index, name)
        }
        let statement = try db.makeStatement(
            sql:
                "INSERT INTO \(table) (\(kept.map(\.1).joined(separator: ", "))) VALUES "
                + "(\(kept.map { _ in "?" }.joined(separator: ", ")))"
        )
        var rows: [[String?]] = []
        for record in records.dropFirst() where record.count == header.count {
            let values = kept.map { index, _ in record[index] }
            try statement.execute(arguments: StatementArguments(values.map { $0?.databaseValue ?? .null }))
            rows.append(values)
        }
        return (kept.map(\.1), rows)
    }

    /// RFC 4180 records; an empty unquoted field is nil.
    static func parse(_ data: Data) -> [[String?]] {
        let bytes = [UInt8](data)
        var records: [[String?]] = []
        var record: [String?] = []
        var field: [UInt8] = []
        var quoted = false
        var wasQuoted = false
        var index = 0
        func endField() {
            record.append(field.isEmpty && !wasQuoted ? nil : String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            wasQuoted = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") {
                quoted = true
                wasQuoted = true
            } else if byte == UInt8(ascii: ",") {
                endField()
            } else if byte == UInt8(ascii: "\n") {
                endField()
                records.append(record)
                record.removeAll(keepingCapacity: true)
            } else if byte != UInt8(ascii: "\r") {
                field.append(byte)
            }
            index += 1
        }
        if !field.isEmpty || !record.isEmpty {
            endField()
            records.append(record)
        }
        return records
    }
}
