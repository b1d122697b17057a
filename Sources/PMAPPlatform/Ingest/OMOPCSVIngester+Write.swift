import Foundation
import PMAPGovernance
import PMAPIngest
import PMAPModel
import PMAPStore

extension OMOPCSVIngester {
    /// A parsed clinical row with the key that makes re-ingesting it idempotent.
    struct KeyedRow {
        let row: Row
        var values: [SQLValue]
        let hash: String
        let key: String
    }

    static let provenanceColumns = [
        "cdm_table", "cdm_row_id", "data_load_id", "source_name", "source_file", "source_location",
        "source_record_key",
    ]

    /// The source-record key of a CSV row: its table, its id as the file gives it and the hash
    /// of its text (128 bits of SHA-256: it only tells apart rows of one table under one id).
    /// Keys of one file ascend with its ids, so the provenance key index grows at its end
    /// instead of at random places (a hash-only key made every row rewrite a random page).
    static func recordKey(table: String, id: Int64?, hash: String) -> String {
        "\(rowKeyPrefix)\(table):\(id.map(String.init) ?? ""):\(hash.prefix(32))"
    }

    /// The prefix of the keys of CSV rows. Stores loaded by earlier versions have keys
    /// `omop:<table>:<hash>` in `pmap_source_record`, which are still honoured.
    static let rowKeyPrefix = "omop-row:"

    /// The key earlier versions gave every row.
    static func legacyKey(table: String, hash: String) -> String { "omop:\(table):\(hash)" }

    /// Writes a batch of clinical rows with a few statements: one look-up of the batch's keys,
    /// multi-row inserts, then the provenance of the rows loaded. A row whose id a different row
    /// holds is kept under a new id, one at a time. A row's provenance carries its key, which is
    /// what makes loading it again a duplicate (no separate source record per row).
    func writeClinical(
        _ parsed: [(row: Row, values: [SQLValue])], input: IngestFiles.Input, columns: OMOPCSVColumns,
        _ writer: any StoreWriter, counts: inout BatchCounts
    ) throws {
        let table = columns.table
        let names = columns.columns.map(\.name)
        let personIndex = names.firstIndex(of: "person_id")
        let integerKey = table.primaryKey.first.flatMap { key in
            key.kind == .integer || key.kind == .bigint ? names.firstIndex(of: key.name) : nil
        }
        // An INTEGER PRIMARY KEY is the rowid, so a multi-row insert can report what it inserted.
        let rowidKey = table.primaryKey.count == 1 && table.primaryKey[0].kind == .integer ? integerKey : nil
        var keyed: [KeyedRow] = []
        keyed.reserveCapacity(parsed.count)
        for (row, values) in parsed {
            let hash = sha256Hex(Data("\(table.name)|\(row.raw)".utf8))
            var id: Int64?
            if let integerKey, case .integer(let value) = values[integerKey] { id = value }
            keyed.append(
                KeyedRow(
                    row: row, values: values, hash: hash,
                    key: Self.recordKey(table: table.name, id: id, hash: hash)))
        }
        let known = try writer.provenanceRecordKeys(sourceName: sourceName, keys: keyed.map(\.key))
        var legacy: [String: StoredSourceRecord] = [:]
        if try hasLegacyKeys(table: table.name, writer) {
            legacy = try writer.sourceRecords(
                sourceName: sourceName, keys: keyed.map { Self.legacyKey(table: table.name, hash: $0.hash) })
        }
        var seen = Set<String>(minimumCapacity: keyed.count)
        var fresh: [KeyedRow] = []
        fresh.reserveCapacity(keyed.count)
        for row in keyed {
            if known.contains(row.key) || legacy[Self.legacyKey(table: table.name, hash: row.hash)] != nil
                || !seen.insert(row.key).inserted
            {
                counts.duplicates += 1  // the same row, loaded before or earlier in this batch
            } else {
                fresh.append(row)
            }
        }
        var inserted: Set<Int64> = []
        if let rowidKey {
            inserted = try writer.insertWhereKeyFree(
                TableRows(table: table.name, columns: names, rows: fresh.map(\.values)),
                keyColumn: names[rowidKey])
        }
        var provenance: [[SQLValue]] = []
        provenance.reserveCapacity(fresh.count)
        for var row in fresh {
            var rowID: Int64?
            if let rowidKey, case .integer(let id) = row.values[rowidKey] {
                rowID = inserted.remove(id)
            } else {
                rowID = try writer.insertIfKeyFree(table: table.name, columns: names, values: row.values)
            }
            if rowID == nil, let integerKey {
                // The id is taken by a different row (some extracts reuse ids): keep both,
                // the newcomer under a new id; provenance keeps its file and line.
                row.values[integerKey] = .integer(
                    try writer.maxID(table: table.name, column: names[integerKey]) + 1)
                rowID = try writer.insertIfKeyFree(table: table.name, columns: names, values: row.values)
                reassignedIDs[table.name, default: 0] += 1
            }
            guard let rowID else {
                counts.duplicates += 1
                continue
            }
            provenance.append([
                .text(table.name), .integer(rowID), .integer(dataLoadID), .text(sourceName),
                .text(input.path),
                .text("line \(row.row.line)"), .text(row.key),
            ])
            if table.name == "person", let personIndex, case .integer(let person) = row.values[personIndex] {
                personIDs.append(person)
            }
            rowsByTable[table.name, default: 0] += 1
            counts.loaded += 1
        }
        try writer.insert(
            TableRows(table: "pmap_provenance", columns: Self.provenanceColumns, rows: provenance),
            onConflict: .replace)
    }

    /// Whether this source has rows of `table` loaded by an earlier version, under hash-only
    /// keys in `pmap_source_record` (asked once per table and run).
    private func hasLegacyKeys(table: String, _ writer: any StoreWriter) throws -> Bool {
        if let known = legacyKeyTables[table] { return known }
        let found = try writer.hasSourceRecords(sourceName: sourceName, keyPrefix: "omop:\(table):")
        legacyKeyTables[table] = found
        return found
    }
}
