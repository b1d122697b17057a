import Foundation
import PMAPGovernance
import PMAPIngest
import PMAPModel
import PMAPStore

/// Loads a folder of OMOP CDM CSV files (v5.4, or v5.3 with renamed columns carried over):
/// rows load as given, vocabulary rows merge by key, an identical row already present is a
/// duplicate, a bad row is quarantined with its line.
final class OMOPCSVIngester: @unchecked Sendable {
    let sourceName: String
    let vault: IdentityVault
    let dataLoadID: Int64
    var rowsByTable: [String: Int] = [:]
    /// Rows per table whose id was taken by a different row and that got a new one.
    var reassignedIDs: [String: Int] = [:]
    var personIDs: [Int64] = []
    /// Per table: whether this source has rows loaded under hash-only keys (earlier versions).
    var legacyKeyTables: [String: Bool] = [:]
    private var suppliedDerivedTables = false

    init(sourceName: String, vault: IdentityVault, dataLoadID: Int64) {
        self.sourceName = sourceName
        self.vault = vault
        self.dataLoadID = dataLoadID
    }

    /// Persons whose observation periods and eras PMAP must derive: those of a load that
    /// supplied none of observation_period, condition_era and drug_era.
    var personsWithoutDerivedTables: [Int64] { suppliedDerivedTables ? [] : personIDs }

    static let vocabularyTables: Set<String> = [
        "vocabulary", "domain", "concept_class", "relationship", "concept", "concept_relationship",
        "concept_ancestor",
        "concept_synonym", "drug_strength", "source_to_concept_map",
    ]

    /// The columns that identify a row of `table` for merging.
    static func keyColumns(_ table: CDMTable) -> [String] {
        switch table.name {
        case "concept_relationship": return ["concept_id_1", "relationship_id", "concept_id_2"]
        case "concept_ancestor": return ["ancestor_concept_id", "descendant_concept_id"]
        default: return table.primaryKey.map(\.name)
        }
    }

    /// One parsed row waiting for its transaction.
    /// The row of a quarantined record (header line, then the row), for a retry.
    static func replay(_ record: String, table: CDMTable, line: Int) throws -> (OMOPCSVColumns, Row) {
        let parts = record.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2 else {
            throw RecordProblem(.malformed, "a quarantined CSV row without its header")
        }
        let columns = try OMOPCSVColumns(table: table, header: CSVRecordParser.fields(of: String(parts[0])))
        let fields = CSVRecordParser.fields(of: String(parts[1]))
        let values: Result<[SQLValue], RecordProblem>
        do {
            values = .success(try columns.values(of: fields))
        } catch let problem as RecordProblem {
            values = .failure(problem)
        }
        return (columns.withHeader(String(parts[0])), Row(line: line, raw: String(parts[1]), values: values))
    }

    struct Row: Sendable {
        let line: Int
        let raw: String
        let values: Result<[SQLValue], RecordProblem>
    }

    /// Reads `input` in batches, one transaction each.
    func ingest(
        _ input: IngestFiles.Input, store: any Store, batchSize: Int,
        progress: @Sendable (IngestProgress) -> Void
    ) async throws -> IngestReport.FileReport {
        var file = IngestReport.FileReport(path: input.path, format: .omopCSV)
        let (columns, rows) = try open(input, file: &file)
        let reassignedBefore = reassignedIDs[input.kind] ?? 0
        var batch: [Row] = []
        for row in rows {
            batch.append(row)
            if batch.count == batchSize * 5 {
                let current = batch
                file.add(
                    try await store.write { try self.write(current, input: input, columns: columns, $0) })
                progress(IngestProgress(file: input.path, records: file.read))
                batch.removeAll(keepingCapacity: true)
            }
        }
        let current = batch
        file.add(
            try await store.write { writer in
                let counts = try self.write(current, input: input, columns: columns, writer)
                if input.kind == "concept" { try writer.vocabularyDidChange() }
                return counts
            })
        let reassigned = (reassignedIDs[input.kind] ?? 0) - reassignedBefore
        if reassigned > 0 {
            file.notes.append(
                "\(reassigned) rows reused an id already taken by a different row; they were kept under new ids"
            )
        }
        return file
    }

    /// Reads `input` inside an existing transaction (dry runs).
    func ingest(
        _ input: IngestFiles.Input, writer: any StoreWriter, progress: @Sendable (IngestProgress) -> Void
    ) throws
        -> IngestReport.FileReport
    {
        var file = IngestReport.FileReport(path: input.path, format: .omopCSV)
        let (columns, rows) = try open(input, file: &file)
        file.add(try write(Array(rows), input: input, columns: columns, writer))
        return file
    }

    private func open(_ input: IngestFiles.Input, file: inout IngestReport.FileReport) throws -> (
        OMOPCSVColumns, AnySequence<Row>
    ) {
        let table = CDMSchema.table(named: input.kind)!
        let reader = try TextFileReader(path: input.path)
        guard case .text(let headerLine)? = reader.next() else {
            throw PMAPError(
                .badInput, "the file has no header line", at: SourceLocation(file: input.path, line: 1))
        }
        let columns: OMOPCSVColumns
        do {
            columns = try OMOPCSVColumns(table: table, header: CSVRecordParser.fields(of: String(headerLine)))
                .withHeader(String(headerLine))
        } catch let error as PMAPError {
            throw PMAPError(.badInput, error.message, at: SourceLocation(file: input.path, line: 1))
        }
        if !columns.droppedColumns.isEmpty {
            file.notes.append(
                "columns not in CDM v5.4 dropped: \(columns.droppedColumns.joined(separator: ", "))")
        }
        if ["observation_period", "condition_era", "drug_era"].contains(table.name) {
            suppliedDerivedTables = true
        }
        var parser = CSVRecordParser()
        var startLine = 2
        let iterator = AnyIterator<Row> {
            while let line = reader.next() {
                switch line {
                case .tooLong(let bytes):
                    return Row(
                        line: reader.lineNumber, raw: "",
                        values: .failure(RecordProblem(.tooLong, "a line of \(bytes) bytes")))
                case .text(let text):
                    if parser.hasUnfinishedRecord == false { startLine = reader.lineNumber }
                    if text.isEmpty && !parser.hasUnfinishedRecord { continue }
                    guard let fields = parser.feed(text) else { continue }
                    let raw = String(text)
                    do {
                        return Row(
                            line: startLine, raw: raw, values: .success(try columns.values(of: fields)))
                    } catch let problem as RecordProblem {
                        return Row(line: startLine, raw: raw, values: .failure(problem))
                    } catch {
                        return Row(
                            line: startLine, raw: raw,
                            values: .failure(RecordProblem(.malformed, "unreadable row")))
                    }
                }
            }
            if parser.hasUnfinishedRecord {
                parser = CSVRecordParser()
                return Row(
                    line: startLine, raw: "",
                    values: .failure(RecordProblem(.malformed, "a quoted field is never closed")))
            }
            return nil
        }
        return (columns, AnySequence(iterator))
    }

    /// Writes rows; a bad row is quarantined (with the file's header, so it can be replayed)
    /// unless `quarantineFailures` is false (a retry), when it only counts.
    func write(
        _ rows: [Row], input: IngestFiles.Input, columns: OMOPCSVColumns, _ writer: any StoreWriter,
        quarantineFailures: Bool = true
    ) throws -> BatchCounts {
        var counts = BatchCounts()
        let table = columns.table
        var parsed: [(row: Row, values: [SQLValue])] = []
        parsed.reserveCapacity(rows.count)
        for row in rows {
            switch row.values {
            case .success(let values):
                parsed.append((row, values))
            case .failure(let problem):
                if quarantineFailures {
                    let record = columns.headerLine + "\n" + row.raw
                    try writer.quarantine(
                        QuarantineEntry(
                            dataLoadID: dataLoadID, sourceName: sourceName, sourceFile: input.path,
                            sourceLocation: "line \(row.line)",
                            recordType: table.name, reasonCode: problem.reason.rawValue,
                            reason: problem.detail,
                            recordCiphertext: try vault.seal(Data(record.utf8)), keyID: vault.key.id))
                }
                counts.quarantined += 1
                counts.reasons[problem.reason.rawValue, default: 0] += 1
            }
        }
        let names = columns.columns.map(\.name)
        let keys = Self.keyColumns(table).allSatisfy(names.contains) ? Self.keyColumns(table) : []
        guard Self.vocabularyTables.contains(table.name) && !keys.isEmpty else {
            // Clinical rows load as given; a row seen before (same content) is a duplicate.
            try writeClinical(parsed, input: input, columns: columns, writer, counts: &counts)
            return counts
        }
        // Vocabulary rows merge by key with what the store has (the starter vocabulary).
        for (_, values) in parsed {
            if try writer.upsert(table: table.name, columns: names, values: values, keyColumns: keys) == nil {
                counts.duplicates += 1
            } else {
                rowsByTable[table.name, default: 0] += 1
                counts.loaded += 1
            }
        }
        return counts
    }
}
