import Crypto
import Foundation
import PMAPGovernance
import PMAPIngest
import PMAPStore

/// One source record read from a file, parsed and mapped (outside any transaction).
struct PendingRecord: Sendable {
    let key: String?
    let type: String?
    let location: String
    let raw: Data
    let hash: String
    let version: String?
    let result: Result<[IngestFact], RecordProblem>
}

/// Counts of one batch.
struct BatchCounts: Sendable {
    var loaded = 0
    var duplicates = 0
    var quarantined = 0
    var reasons: [String: Int] = [:]
}

/// Thrown to roll back a dry run's single transaction, carrying what it would have done.
private struct DryRunRollback: Error {}

extension Platform {
    /// Ingests files or folders (FHIR R4 NDJSON, Bundles and single resources; OMOP CDM CSV),
    /// streaming, in batches of `request.batchSize` records per transaction. Every record is
    /// loaded, recognised as a duplicate, or quarantined with its reason; direct identifiers go
    /// only to the vault, encrypted with `vault`. Derived tables are rebuilt for touched persons.
    public func ingest(
        _ request: IngestRequest, vault: IdentityVault,
        progress: @escaping @Sendable (IngestProgress) -> Void = { _ in }
    ) async throws -> IngestReport {
        let (inputs, skipped) = try IngestFiles.discover(request.paths, format: request.format)
        var report = IngestReport()
        report.skippedFiles = skipped
        report.dryRun = request.dryRun
        let dataLoadID = try await store.write { try $0.startDataLoad(sourceName: request.sourceName) }
        report.dataLoadID = dataLoadID
        let writer = FHIRRecordWriter(sourceName: request.sourceName, vault: vault, dataLoadID: dataLoadID)
        let omop = OMOPCSVIngester(sourceName: request.sourceName, vault: vault, dataLoadID: dataLoadID)
        let run = IngestRun(
            platform: self, request: request, vault: vault, writer: writer, omop: omop, progress: progress)
        do {
            if request.dryRun {
                // One transaction for everything, rolled back at the end.
                nonisolated(unsafe) var captured = report
                do {
                    try await store.write { storeWriter in
                        for input in inputs {
                            captured.files.append(
                                try run.process(input, into: storeWriter, report: &captured))
                        }
                        throw DryRunRollback()
                    }
                } catch is DryRunRollback {}
                report = captured
                writer.resetCaches()
            } else {
                for input in inputs {
                    report.files.append(try await run.process(input, report: &report))
                }
                report.personsRebuilt = try await rebuildDirtyPersons(
                    includeAllOMOPPersons: omop.personsWithoutDerivedTables)
            }
        } catch {
            try? await store.write {
                try $0.finishDataLoad(
                    id: dataLoadID, read: 0, loaded: 0, quarantined: 0, summaryJSON: "{\"status\":\"failed\"}"
                )
            }
            throw error
        }
        for (table, rows) in writer.rowsByTable { report.rowsByTable[table, default: 0] += rows }
        for (table, rows) in omop.rowsByTable { report.rowsByTable[table, default: 0] += rows }
        let final = report
        try await store.write { storeWriter in
            try storeWriter.finishDataLoad(
                id: dataLoadID, read: final.read, loaded: final.loaded, quarantined: final.quarantined,
                summaryJSON: "{\"duplicates\":\(final.duplicates),\"dryRun\":\(final.dryRun)}")
        }
        return report
    }

    /// Rebuilds observation periods and eras for every person marked dirty, in chunks.
    func rebuildDirtyPersons(includeAllOMOPPersons: [Int64]) async throws -> Int {
        try await store.write { writer in
            try writer.markDirty(persons: includeAllOMOPPersons)
            let persons = try writer.takeDirtyPersons()
            if !persons.isEmpty { try writer.rebuildDerivedTables(persons: persons) }
            return persons.count
        }
    }
}

/// The state of one ingest run: what the use case needs while it walks the inputs.
final class IngestRun: @unchecked Sendable {
    let platform: Platform
    let request: IngestRequest
    let vault: IdentityVault
    let writer: FHIRRecordWriter
    let omop: OMOPCSVIngester
    let progress: @Sendable (IngestProgress) -> Void
    /// Source records of the batch being written, fetched in one query (nil outside a batch).
    var knownRecords: [String: StoredSourceRecord]?

    init(
        platform: Platform, request: IngestRequest, vault: IdentityVault, writer: FHIRRecordWriter,
        omop: OMOPCSVIngester,
        progress: @escaping @Sendable (IngestProgress) -> Void
    ) {
        self.platform = platform
        self.request = request
        self.vault = vault
        self.writer = writer
        self.omop = omop
        self.progress = progress
    }

    /// Processes one file in its own transactions (one per batch).
    func process(_ input: IngestFiles.Input, report: inout IngestReport) async throws
        -> IngestReport.FileReport
    {
        var file = IngestReport.FileReport(path: input.path, format: input.format)
        if input.format == .omopCSV {
            file = try await omop.ingest(
                input, store: platform.store, batchSize: request.batchSize, progress: progress)
        } else {
            // Parse the next batch while the previous one is being written (two cores, two stages).
            var batch: [PendingRecord] = []
            var writing: Task<BatchCounts, any Error>?
            let path = input.path
            for record in try FHIRFileReader.records(
                of: input.path, maximumLineBytes: request.maximumLineBytes)
            {
                batch.append(record)
                if batch.count == request.batchSize {
                    if let writing { file.add(try await writing.value) }
                    progress(IngestProgress(file: path, records: file.read))
                    let ready = batch
                    writing = Task {
                        try await self.platform.store.write { try self.write(ready, file: path, $0) }
                    }
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if let writing { file.add(try await writing.value) }
            try await flush(batch, file: &file, report: &report)
        }
        for (reason, count) in file.quarantineReasonCounts {
            report.quarantineReasons[reason, default: 0] += count
        }
        return file
    }

    /// Processes one file inside an existing transaction (dry runs).
    func process(_ input: IngestFiles.Input, into storeWriter: any StoreWriter, report: inout IngestReport)
        throws -> IngestReport.FileReport
    {
        var file = IngestReport.FileReport(path: input.path, format: input.format)
        if input.format == .omopCSV {
            file = try omop.ingest(input, writer: storeWriter, progress: progress)
        } else {
            let counts = try write(
                Array(try FHIRFileReader.records(of: input.path, maximumLineBytes: request.maximumLineBytes)),
                file: input.path, storeWriter)
            file.add(counts)
        }
        for (reason, count) in file.quarantineReasonCounts {
            report.quarantineReasons[reason, default: 0] += count
        }
        return file
    }

    private func flush(
        _ batch: [PendingRecord], file: inout IngestReport.FileReport, report: inout IngestReport
    ) async throws {
        guard !batch.isEmpty else { return }
        let path = file.path
        let counts = try await platform.store.write { storeWriter in
            try self.write(batch, file: path, storeWriter)
        }
        file.add(counts)
        progress(IngestProgress(file: path, records: file.read))
    }

    /// What became of one record.
    enum Outcome {
        case loaded, duplicate
    }

    /// Loads one record (or recognises it as a duplicate); throws its ``RecordProblem``.
    func load(_ record: PendingRecord, file: String, _ storeWriter: any StoreWriter) throws -> Outcome {
        let facts = try record.result.get()
        guard let key = record.key else { throw RecordProblem(.missingField, "id") }
        let existing =
            try knownRecords.map { $0[key] }
            ?? storeWriter.sourceRecord(sourceName: request.sourceName, key: key)
        if let existing {
            if existing.contentHash == record.hash { return .duplicate }
            // An older version than the one loaded changes nothing.
            if let old = existing.version, let new = record.version, new < old { return .duplicate }
            try writer.flushPending(storeWriter)
            try storeWriter.deleteRows(
                try storeWriter.rows(ofSourceRecord: key, sourceName: request.sourceName))
        }
        for fact in facts {
            switch fact {
            case .person(let person):
                _ = try writer.writePerson(person, file: file, location: record.location, storeWriter)
            case .visit(let visit):
                try writer.writeVisit(visit, file: file, location: record.location, storeWriter)
            case .event(let event):
                try writer.writeEvent(event, file: file, location: record.location, storeWriter)
            case .consent(let consent): try writer.writeConsent(consent, storeWriter)
            case .careSite(let site):
                try writer.writeCareSite(site, file: file, location: record.location, storeWriter)
            case .provider(let provider):
                try writer.writeProvider(provider, file: file, location: record.location, storeWriter)
            case .merge, .variant:
                throw RecordProblem(.unsupportedType, "merges and variants are not loaded by this path yet")
            }
        }
        writer.recordSource(key: key, version: record.version, hash: record.hash)
        knownRecords?[key] = StoredSourceRecord(version: record.version, contentHash: record.hash)
        return .loaded
    }

    /// Writes a batch of FHIR records; every record ends loaded, duplicate or quarantined.
    func write(_ batch: [PendingRecord], file: String, _ storeWriter: any StoreWriter) throws -> BatchCounts {
        var counts = BatchCounts()
        writer.beginBatch()
        knownRecords = try storeWriter.sourceRecords(
            sourceName: request.sourceName, keys: batch.compactMap(\.key))
        defer { knownRecords = nil }
        for record in batch {
            do {
                switch try load(record, file: file, storeWriter) {
                case .loaded: counts.loaded += 1
                case .duplicate: counts.duplicates += 1
                }
            } catch let problem as RecordProblem {
                try storeWriter.quarantine(
                    QuarantineEntry(
                        dataLoadID: writer.dataLoadID, sourceName: request.sourceName, sourceFile: file,
                        sourceLocation: record.location,
                        recordType: record.type, reasonCode: problem.reason.rawValue, reason: problem.detail,
                        recordCiphertext: try vault.seal(record.raw), keyID: vault.key.id))
                counts.quarantined += 1
                counts.reasons[problem.reason.rawValue, default: 0] += 1
            }
        }
        try writer.flushDirtyPersons(storeWriter)
        return counts
    }
}

extension IngestReport.FileReport {
    mutating func add(_ counts: BatchCounts) {
        loaded += counts.loaded
        duplicates += counts.duplicates
        quarantined += counts.quarantined
        read += counts.loaded + counts.duplicates + counts.quarantined
        for (reason, count) in counts.reasons { quarantineReasonCounts[reason, default: 0] += count }
    }
}

/// SHA-256 of bytes as hex.
func sha256Hex(_ data: Data) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var hex = [UInt8]()
    hex.reserveCapacity(64)
    for byte in SHA256.hash(data: data) {
        hex.append(digits[Int(byte >> 4)])
        hex.append(digits[Int(byte & 0x0F)])
    }
    return String(decoding: hex, as: UTF8.self)
}
