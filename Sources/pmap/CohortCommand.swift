import ArgumentParser
import Foundation
import PMAPPlatform

extension SQLDialect: ExpressibleByArgument {}

enum CohortRendering {
    static func count(_ count: DisclosedCount) -> [String: Any] {
        var object: [String: Any] = ["count": count.count ?? NSNull()]
        if count.suppressed {
            object["suppressed"] = true
            object["display"] = count.display
        }
        return object
    }

    static func json(_ result: CohortResult) -> [String: Any] {
        [
            "id": result.id, "name": result.name, "project": result.projectID,
            "entries": count(result.entries),
            "subjects": count(result.subjects),
            "attrition": result.attrition.map {
                ["rule": $0.rule, "remaining": count($0.remaining), "own": count($0.own)] as [String: Any]
            },
            "generation": [
                "id": result.generation.id, "definition_sha256": result.generation.definitionHash,
                "vocabulary_version": result.generation.vocabularyVersion ?? NSNull(),
                "last_data_load_id": result.generation.lastDataLoadID ?? NSNull(),
                "pmap_version": result.generation.pmapVersion, "generated_at": result.generation.generatedAt,
            ] as [String: Any],
        ]
    }

    static func json(_ finding: DefinitionCheck) -> [String: Any] {
        [
            "severity": finding.severity.rawValue, "path": finding.path, "message": finding.message,
            "check": finding.kind.rawValue,
        ]
    }

    /// Design findings one per line (severity, path, message), or a line saying there are none.
    static func text(_ findings: [DefinitionCheck]) -> String {
        guard !findings.isEmpty else { return "No design problems found." }
        let counts = DefinitionCheck.Severity.allCases.compactMap { severity -> String? in
            let count = findings.filter { $0.severity == severity }.count
            return count == 0 ? nil : "\(count) \(severity.rawValue)\(count == 1 ? "" : "s")"
        }
        let width = DefinitionCheck.Severity.allCases.map(\.rawValue.count).max() ?? 0
        let lines = findings.map { finding in
            let severity = finding.severity.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            return
                "  \(severity)  \(finding.path.isEmpty ? "(definition)" : finding.path): \(finding.message)"
        }
        return "Design checks: \(counts.joined(separator: ", ")).\n" + lines.joined(separator: "\n")
    }

    static func text(_ result: CohortResult) -> String {
        var lines = [
            "Cohort \(result.id) \"\(result.name)\" (project \(result.projectID)): \(result.subjects.display) subjects, \(result.entries.display) entries"
        ]
        if !result.attrition.isEmpty {
            var table = TextTable(headers: ["inclusion rule", "remaining", "own"], rightAligned: [1, 2])
            table.rows = result.attrition.map { [$0.rule, $0.remaining.display, $0.own.display] }
            lines.append(table.render())
        }
        lines.append(
            "generated \(result.generation.generatedAt) by PMAP \(result.generation.pmapVersion); definition sha256 \(result.generation.definitionHash.prefix(12))…, vocabulary \(result.generation.vocabularyVersion ?? "-"), last data load \(result.generation.lastDataLoadID.map(String.init) ?? "-")"
        )
        return lines.joined(separator: "\n")
    }
}

struct CohortCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cohort",
        abstract: "Cohorts from OHDSI Circe definitions (ATLAS JSON), behind the gate.",
        subcommands: [Check.self, Create.self, Count.self, Show.self, List.self, SQL.self, Export.self])

    static func read(_ path: String) throws -> Data {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PMAPError(.badInput, "cannot read the cohort definition \(path)")
        }
        return data
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Parse and check a definition; reads no data and needs no project.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The Circe JSON file.") var definition: String

        func run() async throws {
            try await runReportingErrors {
                let check = try Platform.checkCohortDefinition(try CohortCommand.read(definition))
                if options.json {
                    try printJSON([
                        "valid": !check.hasErrors, "inclusion_rules": check.inclusionRules,
                        "tables": check.tablesRead, "domains": check.domains.map(\.rawValue),
                        "checks": check.findings.map(CohortRendering.json),
                    ])
                } else {
                    print(
                        "\(check.hasErrors ? "Not usable" : "Valid"). Reads \(check.tablesRead.joined(separator: ", ")); needs a grant for \(check.domains.isEmpty ? "no domain" : check.domains.map(\.rawValue).joined(separator: ", ")); \(check.inclusionRules.count) inclusion rule(s)."
                    )
                    print(CohortRendering.text(check.findings))
                }
                if check.hasErrors {
                    let errors = check.findings.filter { $0.severity == .error }.count
                    throw PMAPError(
                        .badInput,
                        "the definition has \(errors) error finding(s): it can never match anything or is malformed; correct it as each finding says"
                    )
                }
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Save a definition for a project and generate it.")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The Circe JSON file.") var definition: String
        @Option(name: .long, help: "The project (id or name).") var project: String
        @Option(name: .long, help: "The cohort's name (default: the file name).") var name: String?

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let result = try await platform.createCohort(
                    context, project: try await platform.projectID(project),
                    definition: try CohortCommand.read(definition),
                    name: name
                        ?? ((definition as NSString).lastPathComponent as NSString).deletingPathExtension)
                for note in result.notes {
                    FileHandle.standardError.write(Data("pmap: note: \(note)\n".utf8))
                }
                var object = CohortRendering.json(result)
                object["checks"] = result.notes.map(CohortRendering.json)
                try governed.emit(object, CohortRendering.text(result))
            }
        }
    }

    struct Count: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A cohort's subjects and entries now.")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The cohort id.") var id: Int64
        @Option(name: .long, help: "The project (id or name).") var project: String

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let result = try await platform.cohort(
                    context, project: try await platform.projectID(project), id: id)
                try governed.emit(
                    [
                        "id": result.id, "entries": CohortRendering.count(result.entries),
                        "subjects": CohortRendering.count(result.subjects),
                    ], "\(result.subjects.display) subjects, \(result.entries.display) entries")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "A cohort with its attrition and generation record.")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The cohort id.") var id: Int64
        @Option(name: .long, help: "The project (id or name).") var project: String

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let result = try await platform.cohort(
                    context, project: try await platform.projectID(project), id: id)
                try governed.emit(CohortRendering.json(result), CohortRendering.text(result))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A project's cohorts.")
        @OptionGroup var governed: GovernedOptions
        @Option(name: .long, help: "The project (id or name).") var project: String

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let cohorts = try await platform.cohorts(
                    context, project: try await platform.projectID(project))
                try governed.emit(
                    [
                        "cohorts": cohorts.map {
                            [
                                "id": $0.id, "name": $0.name, "created_by": $0.createdBy,
                                "created_at": $0.createdAt,
                            ]
                                as [String: Any]
                        }
                    ],
                    cohorts.isEmpty
                        ? "No cohorts." : cohorts.map { "\($0.id)  \($0.name)" }.joined(separator: "\n"))
            }
        }
    }

    struct SQL: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The SQL a definition compiles to.")
        @OptionGroup var options: CommonOptions
        @Argument(help: "The Circe JSON file.") var definition: String
        @Option(name: .long, help: "sqlite or postgresql.") var dialect: SQLDialect = .sqlite
        @Option(name: .long, help: "The cohort_definition_id the SQL writes.") var cohortID: Int64 = 0

        static func jsonValue(_ value: SQLValue) -> Any {
            switch value {
            case .null: NSNull()
            case .integer(let number): number
            case .real(let number): number
            case .text(let text): text
            }
        }

        func run() async throws {
            try await runReportingErrors {
                let statements = try Platform.cohortSQL(
                    try CohortCommand.read(definition), dialect: dialect, cohortID: cohortID)
                if options.json {
                    try printJSON([
                        "dialect": dialect.rawValue,
                        "statements": statements.map { statement -> [String: Any] in
                            ["sql": statement.sql, "arguments": statement.arguments.map(Self.jsonValue)]
                        },
                    ])
                } else {
                    print(statements.map { $0.sql + ";" }.joined(separator: "\n\n"))
                }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a definition for another tool (atlas: Circe JSON that ATLAS imports).",
            discussion: """
                DEF is a Circe JSON file (reads no data, needs no project), or with --project the id \
                of a stored cohort (needs a grant for the domains it reads; audited). Concept sets \
                keep only concept ids: ATLAS looks the concepts up when it loads them.
                """)
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The Circe JSON file, or with --project the cohort id.") var definition: String
        @Option(name: .long, help: "The format to write: atlas.") var format: String = "atlas"
        @Option(name: .long, help: "Write to this file instead of stdout.") var out: String?
        @Option(name: .long, help: "The project (id or name) of a stored cohort.") var project: String?

        func run() async throws {
            try await runReportingErrors {
                guard let chosen = Platform.CohortExportFormat(rawValue: format.lowercased()) else {
                    let known = Platform.CohortExportFormat.allCases.map(\.rawValue).joined(separator: ", ")
                    throw PMAPError(.usage, "unknown format \(format); --format takes one of: \(known)")
                }
                let exported: Data
                if let project {
                    guard let id = Int64(definition) else {
                        throw PMAPError(
                            .usage,
                            "with --project, give a stored cohort's id (see pmap cohort list --project \(project)), not \(definition)"
                        )
                    }
                    let (platform, context) = try await governed.open()
                    exported = try await platform.exportCohortDefinition(
                        context, project: try await platform.projectID(project), id: id, format: chosen)
                } else {
                    exported = try Platform.exportCohortDefinition(
                        try CohortCommand.read(definition), format: chosen)
                }
                guard let out else {
                    FileHandle.standardOutput.write(exported)
                    return
                }
                do {
                    try exported.write(to: URL(fileURLWithPath: out), options: .atomic)
                } catch {
                    throw PMAPError(
                        .usage, "cannot write \(out): \(error.localizedDescription); choose another --out")
                }
                try governed.emit(
                    ["file": out, "format": chosen.rawValue, "bytes": exported.count],
                    "Wrote \(out) (\(chosen.rawValue), \(exported.count) bytes).")
            }
        }
    }
}
