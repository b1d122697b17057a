import ArgumentParser
import Foundation
import PMAPPlatform

struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine", abstract: "List, show and retry records held back by ingestion.",
        subcommands: [List.self, Show.self, Retry.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List quarantined records (open ones unless --all).")
        @OptionGroup var options: CommonOptions
        @OptionGroup var keys: KeyOptions
        @Flag(name: .long, help: "Include records already resolved.")
        var all = false
        @Option(name: .long, help: "At most this many records.")
        var limit = 50

        func run() async throws {
            try await runReportingErrors {
                let platform = try Platform.open(storePath: options.storePath)
                let (context, _) = try await keys.access(platform, storePath: options.storePath)
                let records = try await platform.quarantinedRecords(
                    context, includeResolved: all, limit: limit)
                if options.json {
                    try printJSON(["records": records.map(QuarantineRendering.json)])
                } else if records.isEmpty {
                    print("No quarantined records.")
                } else {
                    var table = TextTable(
                        headers: ["id", "source", "file", "location", "type", "reason", "resolved"],
                        rightAligned: [0])
                    table.rows = records.map {
                        [
                            String($0.id), $0.sourceName, ($0.sourceFile as NSString).lastPathComponent,
                            $0.sourceLocation,
                            $0.recordType ?? "", "\($0.reasonCode): \($0.reason)", $0.resolvedAt ?? "",
                        ]
                    }
                    print(table.render())
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Show one quarantined record, decrypted (it may hold identifiers: handle it as patient data)."
        )
        @OptionGroup var options: CommonOptions
        @OptionGroup var keys: KeyOptions
        @Argument(help: "The record's id from `pmap quarantine list`.")
        var id: Int64

        func run() async throws {
            try await runReportingErrors {
                let platform = try Platform.open(storePath: options.storePath)
                let (context, vault) = try await keys.access(platform, storePath: options.storePath)
                let (record, content) = try await platform.quarantinedRecord(context, id: id, vault: vault)
                if options.json {
                    var object = QuarantineRendering.json(record)
                    object["record"] = content
                    try printJSON(object)
                } else {
                    print("#\(record.id) \(record.reasonCode): \(record.reason)")
                    print(
                        "from \(record.sourceName), \(record.sourceFile) \(record.sourceLocation), \(record.createdAt)"
                    )
                    print(content)
                }
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Replay open quarantined records (FHIR resources, OMOP CSV rows); those that now load are marked resolved."
        )
        @OptionGroup var options: CommonOptions
        @OptionGroup var keys: KeyOptions
        @Option(name: .long, help: "Only records of this source.")
        var source: String?

        func run() async throws {
            try await runReportingErrors {
                let platform = try Platform.open(storePath: options.storePath)
                let (context, vault) = try await keys.access(platform, storePath: options.storePath)
                let report = try await platform.retryQuarantine(context, vault: vault, sourceName: source)
                if options.json {
                    try printJSON([
                        "retried": report.retried, "loaded": report.loaded, "duplicates": report.duplicates,
                        "still_quarantined": report.stillQuarantined, "not_retryable": report.notRetryable,
                    ])
                } else {
                    print(
                        "Retried \(report.retried): \(report.loaded) loaded, \(report.duplicates) duplicates, \(report.stillQuarantined) still quarantined"
                            + (report.notRetryable > 0
                                ? "; \(report.notRetryable) OMOP CSV rows cannot be replayed yet (re-ingest the file)"
                                : "."))
                }
            }
        }
    }
}

enum QuarantineRendering {
    static func json(_ record: QuarantinedRecord) -> [String: Any] {
        [
            "id": record.id, "source": record.sourceName, "file": record.sourceFile,
            "location": record.sourceLocation,
            "type": record.recordType ?? NSNull(), "reason_code": record.reasonCode, "reason": record.reason,
            "created_at": record.createdAt, "resolved_at": record.resolvedAt ?? NSNull(),
        ]
    }
}
