import Foundation
import PMAPGovernance
import PMAPIngest
import PMAPModel
import PMAPStore

/// What `pmap quarantine retry` did.
public struct QuarantineRetryReport: Sendable {
    public var retried = 0
    public var loaded = 0
    public var duplicates = 0
    public var stillQuarantined = 0
    /// Records retry cannot replay (no stored content), left as they were.
    public var notRetryable = 0
}

extension Platform {
    /// Open (or all) quarantined records, newest first.
    public func quarantinedRecords(_ context: AccessContext, includeResolved: Bool = false, limit: Int = 100)
        async throws -> [QuarantinedRecord]
    {
        try await require(context, .viewOperations, auditAction: "quarantine.list", target: "quarantine")
        return try await store.quarantinedRecords(includeResolved: includeResolved, limit: limit)
    }

    /// One quarantined record with its decrypted content.
    public func quarantinedRecord(_ context: AccessContext, id: Int64, vault: IdentityVault) async throws
        -> (QuarantinedRecord, String)
    {
        try await require(
            context, .viewQuarantinedRecord, auditAction: "quarantine.show", target: "record \(id)")
        guard let record = try await store.quarantinedRecord(id: id) else {
            throw PMAPError(.notFound, "no quarantined record \(id); list them with `pmap quarantine list`")
        }
        let content =
            try record.recordCiphertext.map { String(decoding: try vault.open($0), as: UTF8.self) } ?? ""
        return (record, content)
    }

    /// Replays every open quarantined record, FHIR resources and OMOP CSV rows (after the cause
    /// was fixed, e.g. the missing patient was loaded, or PMAP was upgraded); those that now
    /// load are marked resolved, the others stay open, unchanged.
    public func retryQuarantine(_ context: AccessContext, vault: IdentityVault, sourceName: String? = nil)
        async throws -> QuarantineRetryReport
    {
        try await require(
            context, .ingest, auditAction: "quarantine.retry", target: sourceName ?? "all sources")
        var report = QuarantineRetryReport()
        let open = try await store.quarantinedRecords(includeResolved: false, limit: Int.max)
            .filter { sourceName == nil || $0.sourceName == sourceName }
        let bySource = Dictionary(grouping: open, by: \.sourceName)
        for (source, records) in bySource {
            let dataLoadID = try await store.write { try $0.startDataLoad(sourceName: source) }
            let writer = RecordWriter(sourceName: source, vault: vault, dataLoadID: dataLoadID)
            let run = try IngestRun(
                platform: self, request: IngestRequest(paths: [], sourceName: source), vault: vault,
                writer: writer,
                omop: OMOPCSVIngester(sourceName: source, vault: vault, dataLoadID: dataLoadID),
                progress: { _ in })
            let counts = try await store.write { storeWriter -> QuarantineRetryReport in
                var counts = QuarantineRetryReport()
                writer.beginBatch()
                // Records loaded earlier in this retry are only queued until its end: track them
                // here, so two quarantined copies of one record load once.
                run.knownRecords = [:]
                defer { run.knownRecords = nil }
                for record in records.reversed() {
                    // An OMOP CSV row, kept with its file's header: replay it.
                    if let sealed = record.recordCiphertext, let type = record.recordType,
                        let table = CDMSchema.table(named: type)
                    {
                        let text = String(decoding: try vault.open(sealed), as: UTF8.self)
                        if text.first != "{" {
                            counts.retried += 1
                            let line = Int(record.sourceLocation.split(separator: " ").last ?? "") ?? 0
                            guard
                                let (columns, row) = try? OMOPCSVIngester.replay(
                                    text, table: table, line: line)
                            else {
                                counts.stillQuarantined += 1
                                continue
                            }
                            let input = IngestFiles.Input(
                                path: record.sourceFile, format: .omopCSV, kind: table.name)
                            let result = try run.omop.write(
                                [row], input: input, columns: columns, storeWriter, quarantineFailures: false)
                            counts.loaded += result.loaded
                            counts.duplicates += result.duplicates
                            if result.quarantined == 0 {
                                try storeWriter.resolveQuarantine(
                                    id: record.id, resolution: "loaded on retry")
                            } else {
                                counts.stillQuarantined += 1
                            }
                            continue
                        }
                    }
                    guard let sealed = record.recordCiphertext,
                        let pendings = try run.replay(
                            record, text: String(decoding: try vault.open(sealed), as: UTF8.self))
                    else {
                        counts.notRetryable += 1
                        continue
                    }
                    counts.retried += 1
                    var resolved = true
                    for pending in pendings {
                        if let key = pending.key, run.knownRecords?[key] == nil,
                            let stored = try storeWriter.sourceRecord(sourceName: source, key: key)
                        {
                            run.knownRecords?[key] = stored
                        }
                        do {
                            switch try run.load(pending, file: record.sourceFile, storeWriter) {
                            case .loaded: counts.loaded += 1
                            case .duplicate: counts.duplicates += 1
                            }
                        } catch is RecordProblem {
                            resolved = false
                        }
                    }
                    if resolved {
                        try storeWriter.resolveQuarantine(id: record.id, resolution: "loaded on retry")
                    } else {
                        counts.stillQuarantined += 1
                    }
                }
                try writer.flushDirtyPersons(storeWriter)
                try storeWriter.finishDataLoad(
                    id: dataLoadID, read: counts.retried, loaded: counts.loaded,
                    quarantined: counts.stillQuarantined,
                    summaryJSON: "{\"retry\":true}")
                return counts
            }
            report.retried += counts.retried
            report.loaded += counts.loaded
            report.duplicates += counts.duplicates
            report.stillQuarantined += counts.stillQuarantined
            report.notRetryable += counts.notRetryable
        }
        _ = try await rebuildDirtyPersons(includeAllOMOPPersons: [])
        return report
    }

    /// Mapping coverage of the loaded data.
    public func mappingCoverage(_ context: AccessContext, topUnmapped: Int = 10) async throws
        -> MappingCoverage
    {
        try await require(context, .viewOperations, auditAction: "status.mapping", target: "store")
        return try await store.mappingCoverage(topUnmapped: topUnmapped)
    }
}
