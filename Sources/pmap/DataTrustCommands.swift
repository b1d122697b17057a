import ArgumentParser
import Foundation
import PMAPPlatform

enum RequestRendering {
    static func json(_ request: RequestRecord) -> [String: Any] {
        [
            "id": request.id, "project": request.projectID, "requested_by": request.requestedBy,
            "domains": request.domains.map(\.rawValue).sorted(), "level": request.level.rawValue,
            "leaves_platform": request.leavesPlatform, "cohort": request.cohortID ?? NSNull(),
            "until": request.validUntil.iso, "tier": request.tier.rawValue,
            "required_approvals": request.requiredApprovals, "status": request.status,
            "reviews": request.reviews.map {
                [
                    "reviewer": $0.reviewerID, "decision": $0.approved ? "approve" : "deny",
                    "reason": $0.reason,
                ]
            },
        ]
    }

    static func grantJSON(_ grant: GrantRecord) -> [String: Any] {
        [
            "id": grant.state.id, "project": grant.state.projectID, "request": grant.requestID,
            "domains": grant.state.domains.map(\.rawValue).sorted(), "level": grant.state.level.rawValue,
            "valid_from": grant.state.validFrom.iso, "valid_until": grant.state.validUntil.iso,
            "revoked_on": grant.state.revokedOn?.iso ?? NSNull(),
            "revoke_reason": grant.revokeReason ?? NSNull(),
        ]
    }

    static func grantText(_ grant: GrantRecord) -> String {
        "grant \(grant.state.id): project \(grant.state.projectID), \(grant.state.domains.map(\.rawValue).sorted().joined(separator: ",")) at \(grant.state.level.rawValue), \(grant.state.validFrom.iso) to \(grant.state.validUntil.iso)"
            + (grant.state.revokedOn.map { ", revoked \($0.iso)" } ?? "")
    }
}

struct RequestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "request", abstract: "Data-use requests to the Data Trust Council.",
        subcommands: [Submit.self, Review.self, List.self])

    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Submit a request; prints its risk tier and why (--preview shows it without submitting).")
        @OptionGroup var governed: GovernedOptions
        @Option(name: .long, help: "The project (id or name).") var project: String
        @Option(
            name: .long,
            help:
                "Comma-separated: conditions, drugs, procedures, measurements, observations, genomics, device, environment."
        )
        var domains: String
        @Option(name: .long, help: "aggregate, safe-harbor, date-shifted, limited or identified.")
        var level: DisclosureLevel
        @Flag(name: .long, help: "The data will leave the platform (an export).") var export = false
        @Option(name: .long, help: "Restrict to a saved cohort.") var cohort: Int64?
        @Option(name: .long, help: "Last day of validity, YYYY-MM-DD.") var until: String
        @Flag(name: .long, help: "Show the tier and why, submit nothing.") var preview = false

        func run() async throws {
            try await runReportingErrors {
                var parsed: Set<DataDomain> = []
                for name in domains.split(separator: ",") {
                    guard let domain = DataDomain(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                        throw PMAPError(
                            .usage,
                            "unknown domain \(name); use \(DataDomain.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    parsed.insert(domain)
                }
                let untilDay = try parseDay(until, "--until")
                if preview {
                    let platform = try Platform.open(storePath: governed.options.storePath)
                    let assessment = platform.assessRequest(level: level, leavesPlatform: export)
                    try governed.emit(
                        [
                            "tier": assessment.tier.rawValue,
                            "required_approvals": assessment.requiredApprovals,
                            "reason": assessment.reason,
                        ], "Tier \(assessment.tier.rawValue): \(assessment.reason)")
                    return
                }
                let (platform, context) = try await governed.open()
                let submitted = try await platform.submitRequest(
                    context, project: try await platform.projectID(project), domains: parsed, level: level,
                    leavesPlatform: export, cohortID: cohort, until: untilDay)
                var object = RequestRendering.json(submitted.request)
                object["tier_reason"] = submitted.assessment.reason
                if let grant = submitted.grant { object["grant"] = RequestRendering.grantJSON(grant) }
                try governed.emit(
                    object,
                    "Request \(submitted.request.id) submitted: tier \(submitted.assessment.tier.rawValue) (\(submitted.assessment.reason)); status \(submitted.request.status)"
                        + (submitted.grant.map { "\n" + RequestRendering.grantText($0) } ?? ""))
            }
        }
    }

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve or deny a request, with the reason (data stewards; never one's own project).")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The request id.") var id: Int64
        @Flag(name: .long) var approve = false
        @Flag(name: .long) var deny = false
        @Option(name: .long, help: "Why (kept with the decision).") var reason: String

        func validate() throws {
            guard approve != deny else { throw ValidationError("give exactly one of --approve and --deny") }
        }

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let (request, grant) = try await platform.reviewRequest(
                    context, id: id, approve: approve, reason: reason)
                var object = RequestRendering.json(request)
                if let grant { object["grant"] = RequestRendering.grantJSON(grant) }
                try governed.emit(
                    object,
                    "Request \(request.id): \(request.status) (\(request.reviews.filter(\.approved).count) of \(request.requiredApprovals) approvals)"
                        + (grant.map { "\n" + RequestRendering.grantText($0) } ?? ""))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List requests you may see.")
        @OptionGroup var governed: GovernedOptions

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let requests = try await platform.requests(context)
                var table = TextTable(
                    headers: ["id", "project", "domains", "level", "tier", "status", "until"],
                    rightAligned: [0, 1])
                table.rows = requests.map {
                    [
                        String($0.id), String($0.projectID),
                        $0.domains.map(\.rawValue).sorted().joined(separator: ","),
                        $0.level.rawValue, $0.tier.rawValue, $0.status, $0.validUntil.iso,
                    ]
                }
                try governed.emit(["requests": requests.map(RequestRendering.json)], table.render())
            }
        }
    }
}

struct GrantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant", abstract: "Grants of data use: list, revoke.",
        subcommands: [List.self, Revoke.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List grants you may see.")
        @OptionGroup var governed: GovernedOptions

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let grants = try await platform.grants(context)
                try governed.emit(
                    ["grants": grants.map(RequestRendering.grantJSON)],
                    grants.isEmpty
                        ? "No grants." : grants.map(RequestRendering.grantText).joined(separator: "\n"))
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a grant (data stewards and admins).")
        @OptionGroup var governed: GovernedOptions
        @Argument(help: "The grant id.") var id: Int64
        @Option(name: .long, help: "Why (kept with the grant).") var reason: String

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let grant = try await platform.revokeGrant(context, id: id, reason: reason)
                try governed.emit(RequestRendering.grantJSON(grant), RequestRendering.grantText(grant))
            }
        }
    }
}

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The tamper-evident audit chain (data stewards and admins).",
        subcommands: [Log.self, Head.self, Verify.self])

    struct Log: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every decision and data access, or what one project touched.")
        @OptionGroup var governed: GovernedOptions
        @Option(name: .long, help: "Only this project (id or name).") var project: String?

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let id = try await project.asyncMap { try await platform.projectID($0) }
                let entries = try await platform.auditLog(context, project: id)
                var table = TextTable(
                    headers: [
                        "#", "time", "user", "project", "action", "target", "rows", "decision", "reason",
                    ],
                    rightAligned: [0, 2, 3, 6])
                table.rows = entries.map {
                    [
                        String($0.sequence), $0.time, $0.userID.map(String.init) ?? "-",
                        $0.projectID.map(String.init) ?? "-", $0.action, $0.target,
                        $0.rows.map(String.init) ?? "",
                        $0.allowed ? "allow" : "DENY", $0.reason,
                    ]
                }
                try governed.emit(
                    [
                        "entries": entries.map {
                            [
                                "sequence": $0.sequence, "time": $0.time, "user": $0.userID ?? NSNull(),
                                "project": $0.projectID ?? NSNull(), "action": $0.action, "target": $0.target,
                                "rows": $0.rows ?? NSNull(), "allowed": $0.allowed, "reason": $0.reason,
                            ] as [String: Any]
                        }
                    ], table.render())
            }
        }
    }

    struct Head: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The chain's current head, to record outside the platform.")
        @OptionGroup var governed: GovernedOptions

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                let head = try await platform.auditHead(context)
                try governed.emit(["head": head], head)
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Check every entry's MAC and order; with --expect-head, that nothing was cut off the end.")
        @OptionGroup var governed: GovernedOptions
        @Option(name: .long, help: "A head printed earlier by pmap audit head.") var expectHead: String?

        func run() async throws {
            try await runReportingErrors {
                let (platform, context) = try await governed.open()
                switch try await platform.verifyAudit(context, expectedHead: expectHead) {
                case .intact(let count, let head):
                    try governed.emit(
                        ["intact": true, "entries": count, "head": AuditChain.hex(head)],
                        "The audit chain is intact: \(count) entries.")
                case .broken(let sequence, let problem):
                    if governed.options.json {
                        try printJSON(["intact": false, "first_bad_entry": sequence, "problem": problem])
                    }
                    throw PMAPError(.badInput, "the audit chain is broken at entry \(sequence): \(problem)")
                }
            }
        }
    }
}

struct CountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "How many consented patients have a concept, for a project whose grant covers its domain.",
        discussion: "Counts from 1 to the threshold are shown as <N+1; every count is audited.")
    @OptionGroup var governed: GovernedOptions
    @Option(name: .long, help: "The project (id or name).") var project: String
    @Option(name: .long, help: "The concept id (descendants count too).") var concept: Int64

    func run() async throws {
        try await runReportingErrors {
            let (platform, context) = try await governed.open()
            let result = try await platform.countPatients(
                context, project: try await platform.projectID(project), concept: concept)
            var count: [String: Any] = ["count": result.count.count ?? NSNull()]
            if result.count.suppressed {
                count["suppressed"] = true
                count["display"] = result.count.display
            }
            try governed.emit(
                [
                    "project": result.projectID, "concept": result.conceptID, "table": result.table,
                    "patients": count,
                ],
                "\(result.count.display) patients with \(result.conceptName) (concept \(result.conceptID), \(result.table))"
            )
        }
    }
}

extension Optional {
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): return try await transform(value)
        case .none: return nil
        }
    }
}
