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

extension PendingRecord {
    /// A record that could not be read or mapped, carrying its problem to quarantine.
    init(problem: RecordProblem, type: String? = nil, location: String, raw: Data) {
        self.init(
            key: nil, type: type, location: location, raw: raw, hash: sha256Hex(raw), version: nil,
            result: .failure(problem))
    }
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
        _ context: AccessContext, _ request: IngestRequest, vault: IdentityVault,
        progress: @escaping @Sendable (IngestProgress) -> Void = { _ in }
    ) async throws -> IngestReport {
        try await require(
            context, .ingest, auditAction: request.dryRun ? "ingest.dry-run" : "ingest",
            target: "\(request.paths.count) path(s), source \(request.sourceName)")
        let (inputs, skipped) = try IngestFiles.discover(
            request.paths, format: request.format, mappingPath: request.mappingPath)
        var report = IngestReport()
        report.skippedFiles = skipped
        report.dryRun = request.dryRun
        let dataLoadID = try await store.write { try $0.startDataLoad(sourceName: request.sourceName) }
        report.dataLoadID = dataLoadID
        let writer = RecordWriter(sourceName: request.sourceName, vault: vault, dataLoadID: dataLoadID)
        let omop = OMOPCSVIngester(sourceName: request.sourceName, vault: vault, dataLoadID: dataLoadID)
        let deferred = inputs.filter { $0.format == .csv && MappedCSVReader.linksByZIP3($0) }
        let immediate = inputs.filter { input in !deferred.contains { $0.path == input.path } }
        let run = try IngestRun(
            platform: self, request: request, vault: vault, writer: writer, omop: omop, progress: progress)
        do {
            if request.dryRun {
                // One transaction for everything, rolled back at the end.
                nonisolated(unsafe) var captured = report
                do {
                    try await store.write { storeWriter in
                        for input in immediate {
                            captured.files.append(
                                try run.process(input, into: storeWriter, report: &captured))
                        }
                        if !deferred.isEmpty {
                            try storeWriter.rebuildDerivedTables(persons: try storeWriter.takeDirtyPersons())
                        }
                        for input in deferred {
                            captured.files.append(
                                try run.process(input, into: storeWriter, report: &captured))
                        }
                        throw DryRunRollback()
                    }
                } catch is DryRunRollback {}
                report = captured
                writer.resetCaches()
            } else {
                for input in immediate {
                    report.files.append(try await run.process(input, report: &report))
                }
                report.personsRebuilt = try await rebuildDirtyPersons(
                    includeAllOMOPPersons: omop.personsWithoutDerivedTables)
                // Rows linked by residence ZIP3 go to persons under observation: after the rebuild.
                for input in deferred {
                    report.files.append(try await run.process(input, report: &report))
                }
                if !deferred.isEmpty {
                    report.personsRebuilt += try await rebuildDirtyPersons(includeAllOMOPPersons: [])
                }
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
    let writer: RecordWriter
    let omop: OMOPCSVIngester
    let progress: @Sendable (IngestProgress) -> Void
    /// Source records of the batch being written, fetched in one query (nil outside a batch).
    var knownRecords: [String: StoredSourceRecord]?
    /// The header facts of the VCF file being loaded.
    var vcfContext: VCFContext?
    /// The mapping document of the mapped CSV file being loaded (kept with quarantined rows).
    var csvMappingText: String?
    /// How VCF samples find their persons.
    var sampleLinking: SampleLinking

    init(
        platform: Platform, request: IngestRequest, vault: IdentityVault, writer: RecordWriter,
        omop: OMOPCSVIngester,
        progress: @escaping @Sendable (IngestProgress) -> Void
    ) throws {
        self.platform = platform
        self.request = request
        self.vault = vault
        self.writer = writer
        self.omop = omop
        self.progress = progress
        sampleLinking = try SampleLinking.load(mrnSystem: request.mrnSystem, mapPath: request.sampleMapPath)
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
            let records: AnySequence<PendingRecord>
            do {
                records = try self.records(of: input)
            } catch let error as PMAPError where error.kind == .badInput {
                file.refusal = error.message
                return file
            }
            for record in records {
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
            do {
                file.add(try write(Array(try records(of: input)), file: input.path, storeWriter))
            } catch let error as PMAPError where error.kind == .badInput {
                file.refusal = error.message
            }
        }
        for (reason, count) in file.quarantineReasonCounts {
            report.quarantineReasons[reason, default: 0] += count
        }
        return file
    }

    /// The records of a file in a record-per-message format; throws (bad input) when the
    /// whole file is refused.
    func records(of input: IngestFiles.Input) throws -> AnySequence<PendingRecord> {
        vcfContext = nil
        switch input.format {
        case .hl7v2:
            try HL7v2FileReader.validate(input.path)
            return try HL7v2FileReader.records(of: input.path)
        case .vcf:
            let context = try VCFFileReader.validate(input.path)
            vcfContext = context
            return try VCFFileReader.records(of: input.path, context: context)
        case .csv:
            csvMappingText = FileManager.default.contents(atPath: input.kind).map {
                String(decoding: $0, as: UTF8.self)
            }
            return try MappedCSVReader.records(of: input, maximumLineBytes: request.maximumLineBytes)
        default:
            return try FHIRFileReader.records(of: input.path, maximumLineBytes: request.maximumLineBytes)
        }
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
        var hash = record.hash
        var zip3Persons: [Int64] = []
        if facts.count == 1, case .mappedRow(let row) = facts[0], case .residenceZIP3 = row.person {
            // A ZIP3 row applies to the persons living there now: when they change, it is an update.
            zip3Persons = try writer.persons(of: row, storeWriter)
            hash = sha256Hex(Data((hash + zip3Persons.map(String.init).joined(separator: ",")).utf8))
        }
        let existing =
            try knownRecords.map { $0[key] }
            ?? storeWriter.sourceRecord(sourceName: request.sourceName, key: key)
        var replacesSourceRecord = false
        if let existing {
            if existing.contentHash == hash { return .duplicate }
            // An older version than the one loaded changes nothing.
            if let old = existing.version, let new = record.version, Self.isOlder(new, than: old) {
                return .duplicate
            }
            try writer.flushPending(storeWriter)
            let oldRows = try storeWriter.rows(ofSourceRecord: key, sourceName: request.sourceName)
            writer.keepVisitID(of: key, from: oldRows)
            try storeWriter.deleteRows(oldRows)
            // The newer version's bookkeeping row replaces this one when it loads; until then
            // the record keeps its earlier version's hash and version, and no range.
            try storeWriter.forgetRowRange(ofSourceRecord: key, sourceName: request.sourceName)
            replacesSourceRecord = true
        }
        var variants: [VariantFact] = []
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
            case .merge(let merge):
                try writer.writeMerge(merge, file: file, location: record.location, storeWriter)
            case .variant(let variant): variants.append(variant)
            case .mappedRow(let row):
                let persons = zip3Persons.isEmpty ? try writer.persons(of: row, storeWriter) : zip3Persons
                try writer.writeMappedRow(
                    row, persons: persons, record: key, file: file, location: record.location, storeWriter)
            }
        }
        if !variants.isEmpty {
            guard let context = vcfContext else {
                throw RecordProblem(.malformed, "a VCF line without its file's header")
            }
            try writer.writeVariants(
                variants, linking: sampleLinking, sampleColumns: context.sampleColumns,
                dates: context.sampleDates, record: key, file: file, location: record.location, storeWriter)
        }
        if replacesSourceRecord {
            try storeWriter.deleteSourceRecord(sourceName: request.sourceName, key: key)
        }
        writer.recordSource(
            key: key, version: record.version, hash: hash, file: file, location: record.location)
        knownRecords?[key] = StoredSourceRecord(version: record.version, contentHash: hash)
        return .loaded
    }

    /// Whether version `a` is older than `b`: numerically when both are integers (FHIR versionId
    /// "10" is newer than "9"), else as timestamps or HL7 DTMs (which order as text).
    static func isOlder(_ a: String, than b: String) -> Bool {
        if let x = Int(a), let y = Int(b) { return x < y }
        return a < b
    }

    /// Writes a batch of FHIR records; every record ends loaded, duplicate or quarantined.
    func write(_ batch: [PendingRecord], file: String, _ storeWriter: any StoreWriter) throws -> BatchCounts {
        var counts = BatchCounts()
        writer.beginBatch()
        knownRecords = try storeWriter.sourceRecords(
            sourceName: request.sourceName, keys: batch.compactMap(\.key))
        defer { knownRecords = nil }
        var encounters = Set<String>()
        for record in batch {
            guard case .success(let facts) = record.result else { continue }
            for case .event(let event) in facts {
                if let reference = event.encounterReference { encounters.insert(reference) }
            }
        }
        try writer.prefetchVisits(encounters, storeWriter)
        for record in batch {
            do {
                switch try load(record, file: file, storeWriter) {
                case .loaded: counts.loaded += 1
                case .duplicate: counts.duplicates += 1
                }
            } catch let problem as RecordProblem {
                writer.discardRecord()
                try storeWriter.quarantine(
                    QuarantineEntry(
                        dataLoadID: writer.dataLoadID, sourceName: request.sourceName, sourceFile: file,
                        sourceLocation: record.location,
                        recordType: record.type, reasonCode: problem.reason.rawValue, reason: problem.detail,
                        recordCiphertext: try vault.seal(quarantinedBytes(of: record)), keyID: vault.key.id))
                counts.quarantined += 1
                counts.reasons[problem.reason.rawValue, default: 0] += 1
            }
        }
        try writer.flushDirtyPersons(storeWriter)
        return counts
    }
}

extension IngestRun {
    /// What quarantine keeps of a record so that a retry can read it again: a VCF line with
    /// the header lines it needs, anything else as read.
    func quarantinedBytes(of record: PendingRecord) -> Data {
        if record.type == MappedCSVReader.recordType, let mapping = csvMappingText {
            return Data((mapping + Self.mappingSeparator).utf8) + record.raw
        }
        guard record.type == VCFFileReader.recordType, let context = vcfContext else { return record.raw }
        var samples: [String] = []
        if case .success(let facts) = record.result {
            for case .variant(let variant) in facts { samples.append(variant.sampleID) }
        }
        return Data(context.compactHeader(forLine: record.raw, samples: samples, linking: sampleLinking).utf8)
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
