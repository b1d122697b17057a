import PMAPModel

/// Something a user asks to do on the platform.
public enum Action: Sendable, Equatable {
    /// Read research results of a project: the given domains at the given disclosure level,
    /// optionally only for one cohort.
    case readPatientData(domains: Set<DataDomain>, level: DisclosureLevel, cohortID: Int64?)
    /// Load data, retry quarantined records, listen for inbound messages.
    case ingest
    /// See status counts, the quarantine list, mapping coverage and the list of merges.
    case viewOperations
    /// Decrypt a held-back raw record: identified data, for data engineers and administrators only.
    case viewQuarantinedRecord
    case manageUsers
    case manageCenters
    /// Create a project, record its IRB approval, add members: administrators, or a center lead of
    /// the project's center.
    case manageProject
    /// Ask for a grant: members of the project who are named on its valid IRB protocol.
    case submitRequest
    /// Approve or reject a data access request: data stewards only, never on their own project.
    /// `requesterIsOnProject` tells whether the acting user (the reviewer) is on the request's project.
    case reviewRequest(requesterIsOnProject: Bool)
    /// Revoke a grant: data stewards and administrators.
    case revokeGrant
    /// Read the audit trail: data stewards and administrators.
    case viewAudit
}

/// The policy's answer: allowed or not, and why, in words that name ids but never patient data.
public struct Decision: Sendable, Equatable {
    public let allowed: Bool
    /// One sentence explaining the decision, safe to show the user and to write to the audit trail.
    public let reason: String
    /// The grant that allows a ``Action/readPatientData(domains:level:cohortID:)``; nil otherwise.
    public let grantID: Int64?

    public init(allowed: Bool, reason: String, grantID: Int64? = nil) {
        self.allowed = allowed
        self.reason = reason
        self.grantID = grantID
    }

    static func allow(_ reason: String, grantID: Int64? = nil) -> Decision {
        Decision(allowed: true, reason: reason, grantID: grantID)
    }

    static func deny(_ reason: String) -> Decision { Decision(allowed: false, reason: reason) }
}

/// PMAP's access rules, as one pure function of who asks, what for, the project's state, its
/// grants and the day. The store and the command-line tool ask it before every action and
/// record its answer in the audit trail.
public enum Policy {
    /// The decision for `actor` doing `action`, in `project` (nil for platform-level actions), given
    /// the project's grants, on `today`.
    ///
    /// Grants of other projects in `grants` are ignored. When several grants allow a read, the
    /// one with the least identifying level (then the lowest id) is the one the decision names.
    public static func decide(
        _ actor: Actor, _ action: Action, project: ProjectState?, grants: [GrantState], today: Day
    ) -> Decision {
        switch action {
        case .readPatientData(let domains, let level, let cohortID):
            return read(actor, domains, level, cohortID, project, grants, today)
        case .ingest:
            return byRole(actor, [.admin, .engineer], "load data")
        case .viewOperations:
            return byRole(actor, [.admin, .engineer], "view the platform's operations")
        case .viewQuarantinedRecord:
            return byRole(actor, [.admin, .engineer], "view quarantined records, which hold identified data")
        case .manageUsers:
            return byRole(actor, [.admin], "manage users")
        case .manageCenters:
            return byRole(actor, [.admin], "manage centers")
        case .manageProject:
            return manageProject(actor, project)
        case .submitRequest:
            return submitRequest(actor, project, today)
        case .reviewRequest(let requesterIsOnProject):
            return reviewRequest(actor, requesterIsOnProject, project)
        case .revokeGrant:
            return byRole(actor, [.steward, .admin], "revoke grants")
        case .viewAudit:
            return byRole(actor, [.steward, .admin], "view the audit trail")
        }
    }

    // MARK: - Research data

    private static func read(
        _ actor: Actor, _ domains: Set<DataDomain>, _ level: DisclosureLevel, _ cohortID: Int64?,
        _ project: ProjectState?, _ grants: [GrantState], _ today: Day
    ) -> Decision {
        guard actor.role.readsResearchData else {
            return .deny(
                "\(user(actor)) is \(described(actor.role)), an operational role that does not read research data; only researchers and center leads do"
            )
        }
        guard let project else { return .deny("no project given; research data is read within a project") }
        if let problem = researchStanding(actor, project, today) { return .deny(problem) }

        let own = grants.filter { $0.projectID == project.id }
        guard !own.isEmpty else { return .deny("project \(project.id) has no data access grant") }

        func fits(_ grant: GrantState) -> Bool {
            domains.isSubset(of: grant.domains) && grant.level >= level
                && (grant.cohortID == nil || grant.cohortID == cohortID)
        }
        let fitting = own.filter(fits)
        let inForce = fitting.filter { $0.lapse(on: today) == nil }
        if let grant = inForce.min(by: { ($0.level, $0.id) < ($1.level, $1.id) }) {
            return .allow(
                "\(user(actor)) may read \(DataDomain.list(domains)) at \(level.rawValue) level in project \(project.id) under grant \(grant.id)",
                grantID: grant.id)
        }
        // A grant would fit but is no longer (or not yet) in force: say which, the newest first.
        if let newest = fitting.max(by: { ($0.validUntil, $0.id) < ($1.validUntil, $1.id) }),
            let lapse = newest.lapse(on: today)
        {
            return .deny(lapse)
        }
        return .deny(whyNoGrantFits(project.id, own, domains, level, cohortID))
    }

    /// Why none of `grants` (all of one project, none fitting) covers the request: the first of
    /// domains, level and cohort that no grant satisfies.
    private static func whyNoGrantFits(
        _ projectID: Int64, _ grants: [GrantState], _ domains: Set<DataDomain>, _ level: DisclosureLevel,
        _ cohortID: Int64?
    ) -> String {
        let covering = grants.filter { domains.isSubset(of: $0.domains) }
        if covering.isEmpty {
            let missing = domains.subtracting(
                grants.reduce(into: Set<DataDomain>()) { $0.formUnion($1.domains) })
            if !missing.isEmpty { return "project \(projectID) has no grant for \(DataDomain.list(missing))" }
            return
                "no single grant of project \(projectID) covers \(DataDomain.list(domains)) together; request them separately"
        }
        let highEnough = covering.filter { $0.level >= level }
        if highEnough.isEmpty {
            let best = covering.map(\.level).max() ?? .aggregate
            return "project \(projectID)'s grants allow \(best.rawValue) data, not \(level.rawValue)"
        }
        // Every grant left is limited to a cohort other than the one asked for.
        let cohortIDs = Set(highEnough.compactMap(\.cohortID)).sorted()
        let cohorts = cohortIDs.map(String.init).joined(separator: ", ")
        let plural = cohortIDs.count == 1 ? "cohort" : "cohorts"
        let asked = cohortID.map { "not cohort \($0)" } ?? "and the request names no cohort"
        return "project \(projectID)'s grants for this request cover only \(plural) \(cohorts), \(asked)"
    }

    /// Why `actor` cannot do research in `project` today (membership, IRB approval, IRB
    /// personnel), or nil when they can.
    private static func researchStanding(_ actor: Actor, _ project: ProjectState, _ today: Day) -> String? {
        guard project.members.contains(actor.userID) else {
            return "\(user(actor)) is not a member of project \(project.id)"
        }
        guard let irb = project.irb else { return "project \(project.id) has no IRB approval" }
        if today < irb.approved {
            return "project \(project.id)'s IRB approval starts on \(irb.approved.iso)"
        }
        if irb.expires < today { return "project \(project.id)'s IRB approval expired on \(irb.expires.iso)" }
        guard irb.personnel.contains(actor.userID) else {
            return "\(user(actor)) is not named on project \(project.id)'s IRB protocol"
        }
        return nil
    }

    // MARK: - Projects and requests

    private static func submitRequest(_ actor: Actor, _ project: ProjectState?, _ today: Day) -> Decision {
        guard actor.role.readsResearchData else {
            return .deny(
                "\(user(actor)) is \(described(actor.role)); only researchers and center leads submit data access requests"
            )
        }
        guard let project else {
            return .deny("no project given; a data access request is made for a project")
        }
        if let problem = researchStanding(actor, project, today) { return .deny(problem) }
        return .allow("\(user(actor)) may submit a data access request for project \(project.id)")
    }

    private static func reviewRequest(_ actor: Actor, _ requesterIsOnProject: Bool, _ project: ProjectState?)
        -> Decision
    {
        guard actor.role == .steward else {
            return .deny(
                "\(user(actor)) is \(described(actor.role)); only data stewards review data access requests")
        }
        let onProject =
            requesterIsOnProject
            || project.map { $0.members.contains(actor.userID) || $0.principalInvestigator == actor.userID }
                ?? false
        let which = project.map { "project \($0.id)" } ?? "the requesting project"
        if onProject {
            return .deny("\(user(actor)) is on \(which); no one reviews a request of their own project")
        }
        return .allow("\(user(actor)) may review data access requests of \(which)")
    }

    private static func manageProject(_ actor: Actor, _ project: ProjectState?) -> Decision {
        let which = project.map { "project \($0.id)" } ?? "projects"
        switch actor.role {
        case .admin:
            return .allow("\(user(actor)) (administrator) may manage \(which)")
        case .centerLead:
            guard let project else {
                return .deny("no project given; a center lead manages the projects of their own centers")
            }
            guard actor.centers.contains(project.centerID) else {
                return .deny(
                    "\(user(actor)) is not a lead of center \(project.centerID), which project \(project.id) belongs to"
                )
            }
            return .allow(
                "\(user(actor)) leads center \(project.centerID) and may manage project \(project.id)")
        case .steward, .engineer, .researcher:
            return .deny(
                "\(user(actor)) is \(described(actor.role)); only administrators and the center's leads manage projects"
            )
        }
    }

    // MARK: - Role-only actions

    private static func byRole(_ actor: Actor, _ roles: [Role], _ doing: String) -> Decision {
        if roles.contains(actor.role) {
            return .allow("\(user(actor)) (\(actor.role.title)) may \(doing)")
        }
        let who = roles.map { "\($0.title)s" }.joined(separator: " and ")
        return .deny("\(user(actor)) is \(described(actor.role)); only \(who) may \(doing)")
    }

    private static func user(_ actor: Actor) -> String { "user \(actor.userID)" }

    /// "an administrator", "a data steward".
    private static func described(_ role: Role) -> String {
        let title = role.title
        return (title.first.map { "aeiou".contains($0) } ?? false ? "an " : "a ") + title
    }
}
