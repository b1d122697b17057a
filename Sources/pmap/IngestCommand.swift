import ArgumentParser
import Foundation
import PMAPPlatform

/// Where the vault key is, and who is acting.
struct KeyOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "The identity vault key file (default: $PMAP_KEY_FILE, else pmap.key beside the store).")
    var keyFile: String?

    @Option(name: .long, help: "A file holding your API token (default: $PMAP_TOKEN).")
    var tokenFile: String?

    /// The vault, and the acting user from the API token (permission denied without one).
    func access(_ platform: Platform, storePath: String) async throws -> (AccessContext, IdentityVault) {
        let vault = try VaultKeyFile.vault(explicit: keyFile, storePath: storePath)
        return (try await platform.context(token: try token(), vault: vault), vault)
    }

    /// The API token from --token-file or PMAP_TOKEN (permission denied without one).
    func token() throws -> String {
        var token = ProcessInfo.processInfo.environment["PMAP_TOKEN"]
        if let tokenFile {
            guard let data = FileManager.default.contents(atPath: tokenFile) else {
                throw PMAPError(.usage, "cannot read the token file \(tokenFile)")
            }
            token = String(decoding: data, as: UTF8.self)
        }
        guard let token, !token.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw PMAPError(
                .permissionDenied,
                "this command needs an API token: set PMAP_TOKEN or give --token-file (pmap init printed the first admin's token)"
            )
        }
        return token
    }
}

extension IngestFormat: ExpressibleByArgument {}

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract:
            "Load FHIR R4, HL7 v2, VCF, OMOP CDM CSV or mapped CSV files into the store.",
        discussion: """
            Files or folders, plain or gzip-compressed. Every record is loaded, recognised as a duplicate, or
            quarantined with its reason (`pmap quarantine list`): read = loaded + duplicates + quarantined.
            Direct identifiers go only to the encrypted identity vault. A file that breaks its format's
            structure (an HL7 v2 envelope, a VCF line) is refused whole, with the line and the rule, and nothing
            of it loads (exit 65). VCF samples link to persons by MRN (--mrn-system) or a --sample-map; a CSV
            file loads through --mapping or the NAME.mapping.yaml beside it.
            """)

    @OptionGroup var options: CommonOptions
    @OptionGroup var keys: KeyOptions

    @Option(name: .long, help: "auto, fhir, hl7v2, vcf, omop-csv or csv (mapped).")
    var format: IngestFormat = .auto

    @Option(name: .long, help: "The mapping (YAML or JSON) for CSV inputs.")
    var mapping: String?

    @Option(name: .long, help: "VCF sample names are MRNs in this identifier system (a URI).")
    var mrnSystem: String?

    @Option(name: .long, help: "CSV file sample_id,identifier_system,identifier_value linking VCF samples.")
    var sampleMap: String?

    @Option(name: .long, help: "The source's name; records are deduplicated within a source.")
    var source = "default"

    @Flag(name: .long, help: "Parse, map and check everything and report, writing nothing.")
    var dryRun = false

    @Argument(help: "Files or folders to ingest.")
    var paths: [String]

    func validate() throws {
        guard !paths.isEmpty else { throw ValidationError("give at least one file or folder to ingest") }
    }

    func run() async throws {
        try await runReportingErrors {
            let platform = try Platform.open(storePath: options.storePath)
            let (context, vault) = try await keys.access(platform, storePath: options.storePath)
            let showProgress = isatty(2) != 0 && !options.json
            var request = IngestRequest(paths: paths, format: format, sourceName: source, dryRun: dryRun)
            request.mappingPath = mapping
            request.mrnSystem = mrnSystem
            request.sampleMapPath = sampleMap
            let report = try await platform.ingest(context, request, vault: vault) { progress in
                guard showProgress else { return }
                let name = (progress.file as NSString).lastPathComponent
                FileHandle.standardError.write(Data("\r\u{1B}[K\(name): \(progress.records) records".utf8))
            }
            if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            if options.json {
                try printJSON(IngestRendering.json(report))
            } else {
                print(IngestRendering.text(report))
            }
            if !report.refusedFiles.isEmpty {
                throw PMAPError(
                    .badInput,
                    "\(report.refusedFiles.count) file(s) refused (see above); fix or replace them and ingest them again"
                )
            }
        }
    }
}

/// Text and JSON forms of an ingest report.
enum IngestRendering {
    static func json(_ report: IngestReport) -> [String: Any] {
        [
            "read": report.read, "loaded": report.loaded, "duplicates": report.duplicates,
            "quarantined": report.quarantined,
            "skipped_files": report.skippedFiles.map { ["path": $0.path, "reason": $0.reason] },
            "files": report.files.map { file -> [String: Any] in
                [
                    "path": file.path, "format": file.format.rawValue, "read": file.read,
                    "loaded": file.loaded,
                    "duplicates": file.duplicates, "quarantined": file.quarantined, "notes": file.notes,
                    "refused": file.refusal ?? NSNull(),
                ]
            },
            "quarantine_reasons": report.quarantineReasons, "rows_by_table": report.rowsByTable,
            "persons_rebuilt": report.personsRebuilt, "dry_run": report.dryRun,
            "data_load_id": report.dataLoadID ?? 0,
        ]
    }

    static func text(_ report: IngestReport) -> String {
        var table = TextTable(
            headers: ["file", "format", "read", "loaded", "duplicates", "quarantined"],
            rightAligned: [2, 3, 4, 5])
        for file in report.files {
            table.rows.append([
                file.path, file.format.rawValue, String(file.read), String(file.loaded),
                String(file.duplicates), String(file.quarantined),
            ])
        }
        table.rows.append([
            "total", "", String(report.read), String(report.loaded), String(report.duplicates),
            String(report.quarantined),
        ])
        var lines = [table.render()]
        for file in report.files where !file.notes.isEmpty {
            lines.append("note: \(file.path): \(file.notes.joined(separator: "; "))")
        }
        if !report.refusedFiles.isEmpty {
            lines.append("\nRefused files (\(report.refusedFiles.count)); nothing of them was loaded:")
            lines += report.refusedFiles.map { "  \($0.path): \($0.refusal ?? "")" }
        }
        if !report.skippedFiles.isEmpty {
            lines.append("\nSkipped files (\(report.skippedFiles.count)):")
            lines += report.skippedFiles.map { "  \($0.path): \($0.reason)" }
        }
        if !report.quarantineReasons.isEmpty {
            lines.append("\nQuarantined by reason (see `pmap quarantine list`):")
            lines += report.quarantineReasons.sorted { $0.value > $1.value }.map {
                "  \($0.key): \($0.value)"
            }
        }
        lines.append(
            "\nread \(report.read) = loaded \(report.loaded) + duplicates \(report.duplicates) + quarantined \(report.quarantined)"
                + (report.dryRun
                    ? "  (dry run: nothing was written)"
                    : "; derived tables rebuilt for \(report.personsRebuilt) persons"))
        return lines.joined(separator: "\n")
    }
}
