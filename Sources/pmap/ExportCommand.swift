import ArgumentParser
import Foundation
import PMAPPlatform

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Patient-level extracts of a project's grant, and the steward's list of them.",
        subcommands: [Write.self, List.self], defaultSubcommand: Write.self)

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "A project's extracts, with how many of their patients withdrew consent since (stewards, admins)."
        )
        @OptionGroup var governed: GovernedOptions
        @Option(name: .long, help: "The project (id or name).") var project: String

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let extracts = try await platform.extracts(
                    context, project: try await platform.projectID(project))
                var table = TextTable(
                    headers: ["extract", "name", "patients", "withdrawn since", "made at"],
                    rightAligned: [0, 2, 3])
                table.rows = extracts.map {
                    [String($0.id), $0.name, String($0.persons), String($0.withdrawnSince), $0.createdAt]
                }
                try governed.emit(
                    [
                        "extracts": extracts.map {
                            [
                                "id": $0.id, "name": $0.name, "patients": $0.persons,
                                "withdrawn_since": $0.withdrawnSince, "created_at": $0.createdAt,
                            ] as [String: Any]
                        }
                    ], extracts.isEmpty ? "No extracts." : table.render())
            }
        }
    }
}

extension ExportCommand {
    struct Write: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "write",
            abstract:
                "A patient-level extract of a project's grant (its domains, population and disclosure level), as CSV with a manifest.",
            discussion: """
                Patient ids are project pseudonyms. Safe Harbor keeps years only (none for patients over 89) and blanks
                the 17 restricted ZIP3s; date-shifted moves every date of a patient by the same offset (±182 days, fixed
                per patient per project); limited keeps dates and ZIP3; identified adds MRN and names (each read audited).
                """)
        @OptionGroup var governed: GovernedOptions
        @Option(name: .long, help: "The project (id or name).") var project: String
        @Option(name: .long, help: "A new folder for the extract.") var out: String
        @Option(name: .long, help: "Only this cohort's subjects.") var cohort: Int64?

        func run() async throws {
            try await runReportingErrors {
                let platform = try Platform.open(storePath: governed.options.storePath)
                let (context, vault) = try await governed.keys.access(
                    platform, storePath: governed.options.storePath)
                let report = try await platform.export(
                    context, project: try await platform.projectID(project), to: out, cohortID: cohort,
                    vault: vault)
                try governed.emit(
                    [
                        "folder": report.folder, "grant": report.grantID, "level": report.level.rawValue,
                        "files": report.files.map {
                            ["name": $0.name, "rows": $0.rows, "sha256": $0.sha256]
                        },
                    ],
                    "Wrote \(report.files.count) files to \(report.folder) at level \(report.level.rawValue) (grant \(report.grantID)):\n"
                        + report.files.map { "  \($0.name): \($0.rows) rows" }.joined(separator: "\n"))
            }
        }
    }
}
