import GRDB
import PMAPModel

/// Writes inside one SQLite transaction, reusing one prepared statement per table and
/// column list.
final class SQLiteWriter: StoreWriter {
    let db: Database
    private var knownColumns: [String: Set<String>] = [:]
    /// Upsert statements' SQL by table, columns and key.
    var upsertSQL: [String: String] = [:]
    /// The vault key id this transaction has checked against the store's (see `requireVaultKey`).
    var checkedVaultKeyID: String?

    init(db: Database) {
        self.db = db
    }

    /// Inserts with multi-row statements (up to ~500 values each), binding through SQLite's C API.
    func insert(_ rows: TableRows, onConflict: ConflictPolicy) throws {
        guard !rows.rows.isEmpty else { return }
        try checkNames(table: rows.table, columns: rows.columns)
        for (index, row) in rows.rows.enumerated() where row.count != rows.columns.count {
            throw PMAPError(
                .failure,
                "row \(index + 1) for \(rows.table) has \(row.count) values for \(rows.columns.count) columns; this is a bug in PMAP"
            )
        }
        let verb: String
        switch onConflict {
        case .abort: verb = "INSERT"
        case .replace: verb = "INSERT OR REPLACE"
        case .ignore: verb = "INSERT OR IGNORE"
        }
        let columnList = rows.columns.map(SQLiteSchema.quoted).joined(separator: ", ")
        let tuple = "(" + Array(repeating: "?", count: rows.columns.count).joined(separator: ",") + ")"
        let chunkSize = max(1, 500 / rows.columns.count)
        var start = 0
        while start < rows.rows.count {
            let chunk = rows.rows[start..<min(start + chunkSize, rows.rows.count)]
            start += chunk.count
            let values = Array(repeating: tuple, count: chunk.count).joined(separator: ",")
            let statement = try db.cachedStatement(
                sql: "\(verb) INTO \(SQLiteSchema.quoted(rows.table)) (\(columnList)) VALUES \(values)")
            _ = try SQLiteBinding.run(statement, chunk.joined(), in: db)
        }
    }

    func clearVocabulary(keepingLocalConcepts: Bool) throws {
        let local = ConceptID.firstLocalID
        if keepingLocalConcepts {
            try db.execute(sql: "DELETE FROM concept WHERE concept_id <= ?", arguments: [local])
            try db.execute(
                sql: "DELETE FROM concept_relationship WHERE concept_id_1 <= ? AND concept_id_2 <= ?",
                arguments: [local, local])
            try db.execute(
                sql:
                    "DELETE FROM concept_ancestor WHERE ancestor_concept_id <= ? AND descendant_concept_id <= ?",
                arguments: [local, local])
            try db.execute(sql: "DELETE FROM concept_synonym WHERE concept_id <= ?", arguments: [local])
        } else {
            for table in ["concept", "concept_relationship", "concept_ancestor", "concept_synonym"] {
                try db.execute(sql: "DELETE FROM \(table)")
            }
        }
        for table in ["vocabulary", "domain", "concept_class", "relationship", "drug_strength"] {
            try db.execute(sql: "DELETE FROM \(table)")
        }
    }

    func vocabularyDidChange() throws {
        try db.execute(sql: "INSERT INTO pmap_concept_search(pmap_concept_search) VALUES ('rebuild')")
        // Athena records the release in the version of its 'None' vocabulary row.
        let version = try String.fetchOne(
            db,
            sql: """
                SELECT vocabulary_version FROM vocabulary WHERE vocabulary_version IS NOT NULL
                ORDER BY vocabulary_id = 'None' DESC LIMIT 1
                """)
        try db.execute(
            sql: "UPDATE cdm_source SET vocabulary_version = ?", arguments: [version ?? "none loaded"])
    }

    func rebuildDerivedTables(persons: [Int64]?) throws {
        try SQLiteDerivedTables.rebuild(db, persons: persons)
    }

    /// Only tables and columns that exist may be named, so no caller-supplied text ever
    /// reaches SQL as an identifier.
    func checkNames(table: String, columns: [String]) throws {
        if knownColumns[table] == nil {
            let existing = try Row.fetchAll(
                db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table])
            let names = Set(existing.map { $0["name"] as String })
            guard !names.isEmpty, !table.hasPrefix("sqlite_") else {
                throw PMAPError(.failure, "the store has no table '\(table)'; this is a bug in PMAP")
            }
            knownColumns[table] = names
        }
        let unknown = columns.filter { !knownColumns[table]!.contains($0) }
        guard unknown.isEmpty else {
            throw PMAPError(
                .failure,
                "table \(table) has no column(s) \(unknown.joined(separator: ", ")); this is a bug in PMAP")
        }
    }
}

extension SQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: return .null
        case .integer(let value): return value.databaseValue
        case .real(let value): return value.databaseValue
        case .text(let value): return value.databaseValue
        }
    }
}
