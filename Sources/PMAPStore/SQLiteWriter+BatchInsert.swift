import GRDB
import PMAPModel

extension SQLiteWriter {
    /// Inserts the rows whose integer key is free with multi-row `INSERT OR IGNORE … RETURNING`
    /// statements and returns the keys inserted: a row whose key a stored row or an earlier row
    /// of `rows` holds is skipped, so the caller can tell which rows went in without one
    /// statement per row.
    func insertWhereKeyFree(_ rows: TableRows, keyColumn: String) throws -> Set<Int64> {
        guard !rows.rows.isEmpty else { return [] }
        try checkNames(table: rows.table, columns: rows.columns + [keyColumn])
        let width = rows.columns.count
        for (index, row) in rows.rows.enumerated() where row.count != width {
            throw PMAPError(
                .failure,
                "row \(index + 1) for \(rows.table) has \(row.count) values for \(width) columns; this is a bug in PMAP"
            )
        }
        let columnList = rows.columns.map(SQLiteSchema.quoted).joined(separator: ", ")
        let tuple = "(" + Array(repeating: "?", count: width).joined(separator: ",") + ")"
        let chunkSize = max(1, Self.variablesPerStatement / width)
        var inserted = Set<Int64>(minimumCapacity: rows.rows.count)
        var start = 0
        while start < rows.rows.count {
            let chunk = rows.rows[start..<min(start + chunkSize, rows.rows.count)]
            start += chunk.count
            let values = Array(repeating: tuple, count: chunk.count).joined(separator: ",")
            let statement = try db.cachedStatement(
                sql: """
                    INSERT OR IGNORE INTO \(SQLiteSchema.quoted(rows.table)) (\(columnList)) VALUES \(values) \
                    RETURNING \(SQLiteSchema.quoted(keyColumn))
                    """)
            try SQLiteBinding.run(statement, chunk.joined(), in: db) { inserted.insert($0) }
        }
        return inserted
    }

    /// Which of `keys` the provenance of `sourceName`'s rows names (batched look-ups on the
    /// provenance key index).
    func provenanceRecordKeys(sourceName: String, keys: [String]) throws -> Set<String> {
        var found = Set<String>()
        var start = 0
        while start < keys.count {
            let chunk = Array(keys[start..<min(start + 500, keys.count)])
            start += chunk.count
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let statement = try db.cachedStatement(
                sql: """
                    SELECT source_record_key FROM pmap_provenance
                    WHERE source_name = ? AND source_record_key IN (\(placeholders))
                    """)
            for key in try String.fetchAll(statement, arguments: StatementArguments([sourceName] + chunk)) {
                found.insert(key)
            }
        }
        return found
    }

    /// Whether `sourceName` has a source record whose key starts with `prefix`: one probe of
    /// the partial index for legacy OMOP keys (`omop:...`, the only prefix asked for during
    /// ingestion), a scan for any other prefix.
    func hasSourceRecords(sourceName: String, keyPrefix prefix: String) throws -> Bool {
        var upper = Array(prefix.utf8)
        guard let last = upper.popLast() else { return true }
        upper.append(last &+ 1)
        let legacyOMOP = prefix.hasPrefix("omop:") ? "AND record_key LIKE 'omop:%'" : ""
        return try Int.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT 1 FROM pmap_source_record WHERE source_name = ? AND record_key >= ? AND record_key < ?
                    \(legacyOMOP) LIMIT 1
                    """),
            arguments: [sourceName, prefix, String(decoding: upper, as: UTF8.self)]) != nil
    }

    /// Bound values per multi-row statement: few statements per batch, far below SQLite's limit.
    static let variablesPerStatement = 2_000
}
