import ArgumentParser
import Foundation
import PMAPPlatform

extension Role: ExpressibleByArgument {}
extension DisclosureLevel: ExpressibleByArgument {}

/// Options every governed command shares: the store, --json, the key file and the token.
struct GovernedOptions: ParsableArguments {
    @OptionGroup var options: CommonOptions
    @OptionGroup var keys: KeyOptions

    func open() async throws -> (Platform, AccessContext) {
        let platform = try Platform.open(storePath: options.storePath)
        let (context, _) = try await keys.access(platform, storePath: options.storePath)
        return (platform, context)
    }

    /// Prints `object` as JSON with --json, else `text`.
    func emit(_ object: [String: Any], _ text: @autoclosure () -> String) throws {
        if options.json { try printJSON(object) } else { print(text()) }
    }
}

func parseDay(_ text: String, _ option: String) throws -> Day {
    guard let day = Day(iso: text), text.count == 10 else {
        throw PMAPError(.usage, "\(option) takes a date as YYYY-MM-DD")
    }
    return day
}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Platform users and their roles (admins only).",
        subcommands: [Add.self, List.self, Token.self, Revoke.self])

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a user's API token (admins; anyone for their own); prints the new one once.")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The user's name or id.") var user: String

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let replaced = try await platform.replaceToken(context, user: user)
                try governed.emit(
                    ["id": replaced.user.id, "name": replaced.user.name, "token": replaced.token],
                    "Replaced the tokens of user \(replaced.user.id) \"\(replaced.user.name)\"; the old ones no longer work. New API token, shown only this once:\n  \(replaced.token)"
                )
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke every API token of a user (admins).")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The user's name or id.") var user: String

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let count = try await platform.revokeTokens(context, user: user)
                try governed.emit(
                    ["user": user, "revoked": count],
                    "Revoked \(count) token(s) of \(user); they no longer work. pmap user token \(user) gives a new one."
                )
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user; prints its API token once.")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The user's name.") var name: String
        @Option(name: .long, help: "admin, data-steward, data-engineer, center-lead or researcher.") var role:
            Role

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let created = try await platform.addUser(context, name: name, role: role)
                try governed.emit(
                    [
                        "id": created.user.id, "name": created.user.name, "role": role.rawValue,
                        "token": created.token,
                    ],
                    "Added user \(created.user.id) \"\(created.user.name)\" (\(role.rawValue)). API token, shown only this once:\n  \(created.token)"
                )
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var governed: GovernedOptions

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let users = try await platform.users(context)
                var table = TextTable(headers: ["id", "name", "role", "centers"], rightAligned: [0])
                table.rows = users.map {
                    [
                        String($0.id), $0.name, $0.role.rawValue,
                        $0.centers.sorted().map(String.init).joined(separator: ","),
                    ]
                }
                try governed.emit(
                    ["users": users.map { ["id": $0.id, "name": $0.name, "role": $0.role.rawValue] }],
                    table.render())
            }
        }
    }
}

struct CenterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "center", abstract: "Precision medicine centers and their members.",
        subcommands: [Add.self, AddMember.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a center (admins only).")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The center's name.") var name: String

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let center = try await platform.addCenter(context, name: name)
                try governed.emit(
                    ["id": center.id, "name": center.name], "Added center \(center.id) \"\(center.name)\".")
            }
        }
    }

    struct AddMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-member", abstract: "Add a user (id or name) to a center.")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The center id.") var center: Int64
        @Argument(help: "The user (id or name).") var user: String

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let record = try await platform.addCenterMember(context, center: center, user: user)
                try governed.emit(
                    ["id": record.id, "members": record.members],
                    "Center \(record.id) members: \(record.members)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List centers.")
        @OptionGroup var governed: GovernedOptions

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let centers = try await platform.centers(context)
                try governed.emit(
                    ["centers": centers.map { ["id": $0.id, "name": $0.name, "members": $0.members] }],
                    centers.map { "\($0.id)  \($0.name)  members \($0.members)" }.joined(separator: "\n"))
            }
        }
    }
}

enum ProjectRendering {
    static func json(_ project: ProjectRecord) -> [String: Any] {
        var object: [String: Any] = [
            "id": project.state.id, "name": project.name, "center": project.state.centerID,
            "pi": project.state.principalInvestigator, "purpose": project.purpose,
            "members": project.state.members.sorted(),
        ]
        if let irb = project.state.irb {
            object["irb"] = [
                "number": irb.number, "approved": irb.approved.iso, "expires": irb.expires.iso,
                "personnel": irb.personnel.sorted(), "waiver_of_consent": irb.waiverOfConsent,
            ]
        }
        return object
    }

    static func text(_ project: ProjectRecord) -> String {
        var lines = [
            "Project \(project.state.id) \"\(project.name)\" in center \(project.state.centerID), PI user \(project.state.principalInvestigator)",
            "  purpose: \(project.purpose)",
            "  team: \(project.state.members.sorted().map(String.init).joined(separator: ", "))",
        ]
        if let irb = project.state.irb {
            lines.append(
                "  IRB \(irb.number): approved \(irb.approved.iso), expires \(irb.expires.iso), personnel \(irb.personnel.sorted().map(String.init).joined(separator: ", "))"
            )
        } else {
            lines.append("  IRB: none recorded (the project can do nothing with patient data)")
        }
        return lines.joined(separator: "\n")
    }
}

struct ProjectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "project", abstract: "Projects in a center, their IRB protocol and team.",
        subcommands: [Create.self, IRB.self, AddMember.self, List.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a project (admins, or the center's lead).")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The project's name.") var name: String
        @Option(name: .long, help: "The center id.") var center: Int64
        @Option(name: .long, help: "The principal investigator (user id or name).") var pi: String
        @Option(name: .long, help: "What the project is for.") var purpose: String

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let project = try await platform.createProject(
                    context, name: name, center: center, principalInvestigator: pi, purpose: purpose)
                try governed.emit(ProjectRendering.json(project), ProjectRendering.text(project))
            }
        }
    }

    struct IRB: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "irb",
            abstract: "Record the project's IRB protocol; only its personnel can be on the team.")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The project (id or name).") var project: String
        @Option(name: .long, help: "The protocol number.") var number: String
        @Option(name: .long, help: "Approval date, YYYY-MM-DD.") var approved: String
        @Option(name: .long, help: "Expiry date, YYYY-MM-DD.") var expires: String
        @Option(name: .long, help: "The people the protocol names (user ids or names, comma-separated).")
        var personnel: String
        @Flag(name: .long, help: "The IRB waived consent (needed for identified data).") var waiverOfConsent =
            false

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let id = try await platform.projectID(project)
                let record = try await platform.setIRB(
                    context, project: id, number: number, approved: try parseDay(approved, "--approved"),
                    expires: try parseDay(expires, "--expires"),
                    personnel: personnel.split(separator: ",").map {
                        $0.trimmingCharacters(in: .whitespaces)
                    },
                    waiverOfConsent: waiverOfConsent)
                try governed.emit(ProjectRendering.json(record), ProjectRendering.text(record))
            }
        }
    }

    struct AddMember: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add-member", abstract: "Add a team member named on the IRB protocol.")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The project (id or name).") var project: String
        @Argument(help: "The user (id or name).") var user: String

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let record = try await platform.addProjectMember(
                    context, project: try await platform.projectID(project), user: user)
                try governed.emit(ProjectRendering.json(record), ProjectRendering.text(record))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List projects.")
        @OptionGroup var governed: GovernedOptions

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let projects = try await platform.projects(context)
                try governed.emit(
                    ["projects": projects.map(ProjectRendering.json)],
                    projects.map(ProjectRendering.text).joined(separator: "\n"))
            }
        }
    }
}
