import Foundation
import GRDB
import PMAPModel

extension SQLiteWriter {
    func resolveConcept(vocabularyID: String, code: String) throws -> ConceptResolution? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT concept_id, standard_concept, domain_id FROM concept
                        WHERE concept_code = ? AND vocabulary_id = ? ORDER BY invalid_reason IS NOT NULL, concept_id LIMIT 1
                        """),
                arguments: [code, vocabularyID])
        else { return nil }
        return try resolution(of: row)
    }

    func resolveConcept(id: Int64) throws -> ConceptResolution? {
        guard
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: "SELECT concept_id, standard_concept, domain_id FROM concept WHERE concept_id = ?"),
                arguments: [id])
        else { return nil }
        return try resolution(of: row)
    }

    /// A concept resolved to itself when standard, else through its "Maps to".
    private func resolution(of row: Row) throws -> ConceptResolution {
        let id: Int64 = row["concept_id"]
        if (row["standard_concept"] as String?) == "S" {
            return ConceptResolution(sourceConceptID: id, standardConceptID: id, domainID: row["domain_id"])
        }
        let target = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT c.concept_id, c.domain_id FROM concept_relationship r JOIN concept c ON c.concept_id = r.concept_id_2
                    WHERE r.concept_id_1 = ? AND r.relationship_id = 'Maps to' AND r.invalid_reason IS NULL AND c.standard_concept = 'S'
                    ORDER BY c.concept_id LIMIT 1
                    """),
            arguments: [id])
        return ConceptResolution(
            sourceConceptID: id, standardConceptID: target?["concept_id"] ?? 0, domainID: target?["domain_id"]
        )
    }

    func maxID(table: String, column: String) throws -> Int64 {
        try checkNames(table: table, columns: [column])
        return try Int64.fetchOne(
            db,
            sql: "SELECT coalesce(max(\(SQLiteSchema.quoted(column))), 0) FROM \(SQLiteSchema.quoted(table))")
            ?? 0
    }

    // Source-record look-ups name their index (`INDEXED BY`): without statistics SQLite may
    // take the range index on (cdm_table, first_row_id) for a query that also filters on
    // cdm_table and scan every range of that table per look-up (seen at 10,000 patients: a
    // visit look-up per event, minutes instead of seconds).
    func sourceRecord(sourceName: String, key: String) throws -> StoredSourceRecord? {
        try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT record_version, content_hash FROM pmap_source_record INDEXED BY idx_pmap_source_record_key
                    WHERE key_hash = ? AND source_name = ? AND record_key = ?
                    """),
            arguments: [SourceRecordKey.hash(sourceName: sourceName, key: key), sourceName, key]
        ).map { StoredSourceRecord(version: $0["record_version"], contentHash: $0["content_hash"]) }
    }

    func deleteSourceRecord(sourceName: String, key: String) throws {
        try db.cachedStatement(
            sql:
                "DELETE FROM pmap_source_record INDEXED BY idx_pmap_source_record_key WHERE key_hash = ? AND source_name = ? AND record_key = ?"
        ).execute(arguments: [SourceRecordKey.hash(sourceName: sourceName, key: key), sourceName, key])
    }

    func rows(ofSourceRecord key: String, sourceName: String) throws -> [StoredRow] {
        var rows: [StoredRow] = []
        if let range = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT cdm_table, first_row_id, row_count FROM pmap_source_record INDEXED BY idx_pmap_source_record_key
                    WHERE key_hash = ? AND source_name = ? AND record_key = ? AND cdm_table IS NOT NULL
                    """),
            arguments: [SourceRecordKey.hash(sourceName: sourceName, key: key), sourceName, key])
        {
            let table: String = range["cdm_table"]
            let first: Int64 = range["first_row_id"]
            let count: Int64 = range["row_count"]
            rows = (first..<first + count).map { StoredRow(table: table, rowID: $0) }
        }
        return try rows
            + Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT cdm_table, cdm_row_id FROM pmap_provenance WHERE source_name = ?
                        AND (source_record_key = ? OR source_record_key LIKE ? ESCAPE '\\')
                        """),
                arguments: [sourceName, key, Self.likePrefix(key + "#")]
            ).map { StoredRow(table: $0["cdm_table"], rowID: $0["cdm_row_id"]) }
    }

    private static func likePrefix(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    func deleteRows(_ rows: [StoredRow]) throws {
        for row in rows {
            guard let table = CDMSchema.table(named: row.table), let key = table.primaryKey.first else {
                try checkNames(table: row.table, columns: [])
                try db.execute(
                    sql: "DELETE FROM \(SQLiteSchema.quoted(row.table)) WHERE rowid = ?",
                    arguments: [row.rowID])
                try deleteProvenance(row)
                continue
            }
            try db.execute(
                sql:
                    "DELETE FROM \(SQLiteSchema.quoted(table.name)) WHERE \(SQLiteSchema.quoted(key.name)) = ?",
                arguments: [row.rowID])
            try deleteProvenance(row)
        }
    }

    private func deleteProvenance(_ row: StoredRow) throws {
        try db.execute(
            sql: "DELETE FROM pmap_provenance WHERE cdm_table = ? AND cdm_row_id = ?",
            arguments: [row.table, row.rowID])
    }

    func forgetRowRange(ofSourceRecord key: String, sourceName: String) throws {
        try db.cachedStatement(
            sql: """
                UPDATE pmap_source_record INDEXED BY idx_pmap_source_record_key SET cdm_table = NULL, first_row_id = NULL, row_count = NULL
                WHERE key_hash = ? AND source_name = ? AND record_key = ?
                """
        ).execute(arguments: [SourceRecordKey.hash(sourceName: sourceName, key: key), sourceName, key])
    }

    func provenance(of row: StoredRow) throws -> RowProvenance? {
        if let found = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT source_name, source_file, source_location, source_record_key, data_load_id
                    FROM pmap_provenance WHERE cdm_table = ? AND cdm_row_id = ?
                    """),
            arguments: [row.table, row.rowID])
        {
            return RowProvenance(
                sourceName: found["source_name"], sourceFile: found["source_file"],
                sourceLocation: found["source_location"], recordKey: found["source_record_key"],
                dataLoadID: found["data_load_id"])
        }
        guard
            let range = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT source_name, record_key, source_file, source_location, data_load_id, first_row_id, row_count
                        FROM pmap_source_record WHERE cdm_table = ? AND first_row_id <= ?
                        ORDER BY first_row_id DESC LIMIT 1
                        """),
                arguments: [row.table, row.rowID])
        else { return nil }
        let first: Int64 = range["first_row_id"]
        let count: Int64 = range["row_count"]
        guard row.rowID < first + count else { return nil }
        return RowProvenance(
            sourceName: range["source_name"], sourceFile: range["source_file"],
            sourceLocation: range["source_location"], recordKey: range["record_key"],
            dataLoadID: range["data_load_id"])
    }

    func rowIDs(ofSourceRecords keys: [String], sourceName: String, table: String) throws -> [String: Int64] {
        var found: [String: Int64] = [:]
        for row in try sourceRecordRows(
            sourceName: sourceName, keys: keys, columns: "first_row_id", condition: "AND cdm_table = ?",
            arguments: [table])
        {
            found[row["record_key"]] = row["first_row_id"]
        }
        return found
    }

    func rowID(ofSourceRecord key: String, sourceName: String, table: String) throws -> Int64? {
        if let first = try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT first_row_id FROM pmap_source_record INDEXED BY idx_pmap_source_record_key
                    WHERE key_hash = ? AND source_name = ? AND record_key = ? AND cdm_table = ?
                    """),
            arguments: [SourceRecordKey.hash(sourceName: sourceName, key: key), sourceName, key, table])
        {
            return first
        }
        return try Int64.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT cdm_row_id FROM pmap_provenance INDEXED BY idx_pmap_provenance_key
                    WHERE source_name = ? AND source_record_key = ? AND cdm_table = ? LIMIT 1
                    """),
            arguments: [sourceName, key, table])
    }

    func recordProvenance(
        row: StoredRow, dataLoadID: Int64, sourceName: String, sourceFile: String, location: String,
        recordKey: String
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO pmap_provenance
                (cdm_table, cdm_row_id, data_load_id, source_name, source_file, source_location, source_record_key)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [row.table, row.rowID, dataLoadID, sourceName, sourceFile, location, recordKey])
    }

    func hasDeath(personID: Int64) throws -> Bool {
        try Int.fetchOne(
            db.cachedStatement(sql: "SELECT 1 FROM death WHERE person_id = ? LIMIT 1"), arguments: [personID])
            != nil
    }

    func person(lookupHash: Data) throws -> Int64? {
        try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT person_id FROM pmap_identity_lookup WHERE lookup_hash = ?"),
            arguments: [lookupHash])
    }

    func saveLookup(hash: Data, personID: Int64, kind: String, keyID: String) throws {
        try requireVaultKey(keyID)
        try db.cachedStatement(
            sql:
                "INSERT OR REPLACE INTO pmap_identity_lookup (lookup_hash, person_id, identifier_kind, key_id) VALUES (?, ?, ?, ?)"
        ).execute(arguments: [hash, personID, kind, keyID])
    }

    func identity(personID: Int64) throws -> Data? {
        try Data.fetchOne(
            db.cachedStatement(sql: "SELECT identity_ciphertext FROM pmap_identity WHERE person_id = ?"),
            arguments: [personID])
    }

    func saveIdentity(personID: Int64, sealed: Data, keyID: String) throws {
        try requireVaultKey(keyID)
        try db.cachedStatement(
            sql: """
                INSERT INTO pmap_identity (person_id, identity_ciphertext, key_id, created_at, updated_at)
                VALUES (?, ?, ?, datetime('now'), datetime('now'))
                ON CONFLICT(person_id) DO UPDATE SET identity_ciphertext = excluded.identity_ciphertext,
                    key_id = excluded.key_id, updated_at = excluded.updated_at
                """
        ).execute(arguments: [personID, sealed, keyID])
    }

    func markDirty(persons: [Int64]) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO pmap_dirty_person (person_id) VALUES (?)")
        for person in persons { try statement.execute(arguments: [person]) }
    }

    func takeDirtyPersons() throws -> [Int64] {
        let persons = try Int64.fetchAll(
            db, sql: "SELECT person_id FROM pmap_dirty_person ORDER BY person_id")
        try db.execute(sql: "DELETE FROM pmap_dirty_person")
        return persons
    }

    func saveConsent(personID: Int64, optOut: Bool, decidedOn: String, sourceName: String, recordKey: String)
        throws
    {
        try db.execute(
            sql: """
                INSERT INTO pmap_consent (person_id, research_opt_out, decided_on, source_name, source_record_key)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(person_id) DO UPDATE SET research_opt_out = excluded.research_opt_out,
                    decided_on = excluded.decided_on, source_name = excluded.source_name,
                    source_record_key = excluded.source_record_key
                WHERE excluded.decided_on >= pmap_consent.decided_on
                """,
            arguments: [personID, optOut ? 1 : 0, decidedOn, sourceName, recordKey])
    }

    func quarantine(_ entry: QuarantineEntry) throws {
        try requireVaultKey(entry.keyID)
        try db.cachedStatement(
            sql: """
                INSERT INTO pmap_quarantine (data_load_id, source_name, source_file, source_location, record_type,
                    reason_code, reason, record_ciphertext, key_id, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, datetime('now'))
                """
        ).execute(arguments: [
            entry.dataLoadID, entry.sourceName, entry.sourceFile, entry.sourceLocation, entry.recordType,
            entry.reasonCode,
            entry.reason, entry.recordCiphertext, entry.keyID,
        ])
    }

    func resolveQuarantine(id: Int64, resolution: String) throws {
        try db.execute(
            sql:
                "UPDATE pmap_quarantine SET resolved_at = datetime('now'), resolution = ? WHERE quarantine_id = ?",
            arguments: [resolution, id])
    }

    func startDataLoad(sourceName: String) throws -> Int64 {
        try db.execute(
            sql:
                "INSERT INTO pmap_data_load (source_name, started_at, status) VALUES (?, datetime('now'), 'running')",
            arguments: [sourceName])
        return db.lastInsertedRowID
    }

    func finishDataLoad(id: Int64, read: Int, loaded: Int, quarantined: Int, summaryJSON: String) throws {
        try db.execute(
            sql: """
                UPDATE pmap_data_load SET finished_at = datetime('now'), status = 'finished', records_read = ?,
                    records_loaded = ?, records_quarantined = ?, summary_json = ? WHERE data_load_id = ?
                """,
            arguments: [read, loaded, quarantined, summaryJSON, id])
    }
}

extension SQLiteWriter {
    func upsert(table: String, columns: [String], values: [SQLValue], keyColumns: [String]) throws -> Int64? {
        let cacheKey = "\(table)|\(columns.joined(separator: ","))|\(keyColumns.joined(separator: ","))"
        if let sql = upsertSQL[cacheKey] {
            return try SQLiteBinding.run(try db.cachedStatement(sql: sql), values, in: db)
        }
        try checkNames(table: table, columns: columns + keyColumns)
        let quotedTable = SQLiteSchema.quoted(table)
        let columnList = columns.map(SQLiteSchema.quoted).joined(separator: ", ")
        let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
        var sql = "INSERT INTO \(quotedTable) (\(columnList)) VALUES (\(placeholders))"
        let updatable = columns.filter { !keyColumns.contains($0) }
        if !keyColumns.isEmpty {
            let target = keyColumns.map(SQLiteSchema.quoted).joined(separator: ", ")
            if updatable.isEmpty {
                sql += " ON CONFLICT(\(target)) DO NOTHING"
            } else {
                let assignments = updatable.map {
                    "\(SQLiteSchema.quoted($0)) = excluded.\(SQLiteSchema.quoted($0))"
                }
                let mine = updatable.map { "\(quotedTable).\(SQLiteSchema.quoted($0))" }.joined(
                    separator: ", ")
                let theirs = updatable.map { "excluded.\(SQLiteSchema.quoted($0))" }.joined(separator: ", ")
                let compare =
                    updatable.count == 1 ? "\(mine) IS NOT \(theirs)" : "(\(mine)) IS NOT (\(theirs))"
                sql +=
                    " ON CONFLICT(\(target)) DO UPDATE SET \(assignments.joined(separator: ", ")) WHERE \(compare)"
            }
        }
        sql += " RETURNING rowid"
        upsertSQL[cacheKey] = sql
        return try SQLiteBinding.run(try db.cachedStatement(sql: sql), values, in: db)
    }
}

extension SQLiteWriter {
    func insertIfKeyFree(table: String, columns: [String], values: [SQLValue]) throws -> Int64? {
        let cacheKey = "ignore|\(table)|\(columns.joined(separator: ","))"
        let sql: String
        if let cached = upsertSQL[cacheKey] {
            sql = cached
        } else {
            try checkNames(table: table, columns: columns)
            let list = columns.map(SQLiteSchema.quoted).joined(separator: ", ")
            let placeholders = Array(repeating: "?", count: columns.count).joined(separator: ", ")
            sql =
                "INSERT OR IGNORE INTO \(SQLiteSchema.quoted(table)) (\(list)) VALUES (\(placeholders)) RETURNING rowid"
            upsertSQL[cacheKey] = sql
        }
        return try SQLiteBinding.run(try db.cachedStatement(sql: sql), values, in: db)
    }
}

extension SQLiteWriter {
    func sourceRecords(sourceName: String, keys: [String]) throws -> [String: StoredSourceRecord] {
        var found: [String: StoredSourceRecord] = [:]
        for row in try sourceRecordRows(
            sourceName: sourceName, keys: keys, columns: "record_version, content_hash")
        {
            found[row["record_key"]] = StoredSourceRecord(
                version: row["record_version"], contentHash: row["content_hash"])
        }
        return found
    }

    /// The rows (`record_key` and `columns`) of `sourceName`'s source records among `keys`
    /// that also meet `condition`: 500 keys per query through the key-hash index, rows of other
    /// keys sharing a hash left out.
    private func sourceRecordRows(
        sourceName: String, keys: [String], columns: String, condition: String = "",
        arguments: [any DatabaseValueConvertible] = []
    ) throws -> [Row] {
        var rows: [Row] = []
        var start = 0
        while start < keys.count {
            let chunk = Array(keys[start..<min(start + 500, keys.count)])
            start += chunk.count
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let statement = try db.cachedStatement(
                sql: """
                    SELECT record_key, \(columns) FROM pmap_source_record INDEXED BY idx_pmap_source_record_key
                    WHERE key_hash IN (\(placeholders)) AND source_name = ? \(condition)
                    """)
            let wanted = Set(chunk)
            let hashes = chunk.map { SourceRecordKey.hash(sourceName: sourceName, key: $0) }
            let bound =
                StatementArguments(hashes) + StatementArguments([sourceName]) + StatementArguments(arguments)
            rows += try Row.fetchAll(statement, arguments: bound).filter { wanted.contains($0["record_key"]) }
        }
        return rows
    }

}
