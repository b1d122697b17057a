import PMAPModel
import Testing

@testable import PMAPGovernance

/// Every kind of user × every project situation × the main actions, against a table of expected
/// outcomes written out by hand below (not derived from the policy's own logic).
struct PolicyTableTests {
    static let today = Day(iso: "2026-03-15")!
    static let projectID: Int64 = 12
    static let centerID: Int64 = 1

    /// The users in the table: one of each role, plus a center lead of another center.
    enum Who: String, CaseIterable {
        case admin, steward, engineer, centerLead, otherCenterLead, researcher

        var actor: Actor {
            switch self {
            case .admin: Actor(userID: 1, name: "ada", role: .admin)
            case .steward: Actor(userID: 2, name: "sam", role: .steward)
            case .engineer: Actor(userID: 3, name: "eli", role: .engineer, centers: [1])
            case .centerLead: Actor(userID: 4, name: "lea", role: .centerLead, centers: [1])
            case .otherCenterLead: Actor(userID: 5, name: "oto", role: .centerLead, centers: [2])
            case .researcher: Actor(userID: 6, name: "rae", role: .researcher, centers: [1])
            }
        }
    }

    /// The project situations; in all but `notMember` and `notOnProtocol` the acting user is a
    /// member of project 12 and named on its IRB protocol.
    enum Situation: String, CaseIterable {
        case valid, noProject, noIRB, expiredIRB, irbNotYetApproved, notOnProtocol, notMember
        case noGrant, wrongDomain, lowerLevel, revokedGrant, expiredGrant, cohortMismatch
    }

    /// The read every row asks for: conditions and measurements, safe-harbor, cohort 7.
    static let read = Action.readPatientData(
        domains: [.conditions, .measurements], level: .safeHarbor, cohortID: 7)

    /// The table's columns, in order.
    static let actions: [(code: Character, action: Action)] = [
        ("R", read),
        ("S", .submitRequest),
        ("O", .reviewRequest(requesterIsOnProject: true)),
        ("V", .reviewRequest(requesterIsOnProject: false)),
        ("I", .ingest),
        ("P", .viewOperations),
        ("M", .manageProject),
        ("A", .viewAudit),
        ("K", .revokeGrant),
    ]

    /// R read patient data, S submit request, O review a request of own project, V review with
    /// the "own project" flag false, I ingest, P view operations, M manage project, A view audit,
    /// K revoke grant. `+` allowed, `-` denied.
    ///
    /// A steward who is a member of the project is on it whatever the flag says, so V is allowed
    /// only where the steward is not a member (or no project is given).
    static let expected = """
        who              situation          R S O V I P M A K
        admin            valid              - - - - + + + + +
        admin            noProject          - - - - + + + + +
        admin            noIRB              - - - - + + + + +
        admin            expiredIRB         - - - - + + + + +
        admin            irbNotYetApproved  - - - - + + + + +
        admin            notOnProtocol      - - - - + + + + +
        admin            notMember          - - - - + + + + +
        admin            noGrant            - - - - + + + + +
        admin            wrongDomain        - - - - + + + + +
        admin            lowerLevel         - - - - + + + + +
        admin            revokedGrant       - - - - + + + + +
        admin            expiredGrant       - - - - + + + + +
        admin            cohortMismatch     - - - - + + + + +
        steward          valid              - - - - - - - + +
        steward          noProject          - - - + - - - + +
        steward          noIRB              - - - - - - - + +
        steward          expiredIRB         - - - - - - - + +
        steward          irbNotYetApproved  - - - - - - - + +
        steward          notOnProtocol      - - - - - - - + +
        steward          notMember          - - - + - - - + +
        steward          noGrant            - - - - - - - + +
        steward          wrongDomain        - - - - - - - + +
        steward          lowerLevel         - - - - - - - + +
        steward          revokedGrant       - - - - - - - + +
        steward          expiredGrant       - - - - - - - + +
        steward          cohortMismatch     - - - - - - - + +
        engineer         valid              - - - - + + - - -
        engineer         noProject          - - - - + + - - -
        engineer         noIRB              - - - - + + - - -
        engineer         expiredIRB         - - - - + + - - -
        engineer         irbNotYetApproved  - - - - + + - - -
        engineer         notOnProtocol      - - - - + + - - -
        engineer         notMember          - - - - + + - - -
        engineer         noGrant            - - - - + + - - -
        engineer         wrongDomain        - - - - + + - - -
        engineer         lowerLevel         - - - - + + - - -
        engineer         revokedGrant       - - - - + + - - -
        engineer         expiredGrant       - - - - + + - - -
        engineer         cohortMismatch     - - - - + + - - -
        centerLead       valid              + + - - - - + - -
        centerLead       noProject          - - - - - - - - -
        centerLead       noIRB              - - - - - - + - -
        centerLead       expiredIRB         - - - - - - + - -
        centerLead       irbNotYetApproved  - - - - - - + - -
        centerLead       notOnProtocol      - - - - - - + - -
        centerLead       notMember          - - - - - - + - -
        centerLead       noGrant            - + - - - - + - -
        centerLead       wrongDomain        - + - - - - + - -
        centerLead       lowerLevel         - + - - - - + - -
        centerLead       revokedGrant       - + - - - - + - -
        centerLead       expiredGrant       - + - - - - + - -
        centerLead       cohortMismatch     - + - - - - + - -
        otherCenterLead  valid              + + - - - - - - -
        otherCenterLead  noProject          - - - - - - - - -
        otherCenterLead  noIRB              - - - - - - - - -
        otherCenterLead  expiredIRB         - - - - - - - - -
        otherCenterLead  irbNotYetApproved  - - - - - - - - -
        otherCenterLead  notOnProtocol      - - - - - - - - -
        otherCenterLead  notMember          - - - - - - - - -
        otherCenterLead  noGrant            - + - - - - - - -
        otherCenterLead  wrongDomain        - + - - - - - - -
        otherCenterLead  lowerLevel         - + - - - - - - -
        otherCenterLead  revokedGrant       - + - - - - - - -
        otherCenterLead  expiredGrant       - + - - - - - - -
        otherCenterLead  cohortMismatch     - + - - - - - - -
        researcher       valid              + + - - - - - - -
        researcher       noProject          - - - - - - - - -
        researcher       noIRB              - - - - - - - - -
        researcher       expiredIRB         - - - - - - - - -
        researcher       irbNotYetApproved  - - - - - - - - -
        researcher       notOnProtocol      - - - - - - - - -
        researcher       notMember          - - - - - - - - -
        researcher       noGrant            - + - - - - - - -
        researcher       wrongDomain        - + - - - - - - -
        researcher       lowerLevel         - + - - - - - - -
        researcher       revokedGrant       - + - - - - - - -
        researcher       expiredGrant       - + - - - - - - -
        researcher       cohortMismatch     - + - - - - - - -
        """

    /// Project 12 (center 1, PI user 99) and its grants in `situation`, with `actor` as the user.
    static func world(_ situation: Situation, for actor: Actor) -> (
        project: ProjectState?, grants: [GrantState]
    ) {
        let irb = IRBProtocol(
            number: "IRB00012345", approved: Day(iso: "2025-06-01")!, expires: Day(iso: "2026-05-31")!,
            personnel: [99, actor.userID])
        var project = ProjectState(
            id: projectID, centerID: centerID, principalInvestigator: 99, irb: irb,
            members: [99, actor.userID])
        var grant = GrantState(
            id: 4, projectID: projectID, domains: [.conditions, .drugs, .measurements], level: .dateShifted,
            validFrom: Day(iso: "2026-01-01")!, validUntil: Day(iso: "2026-12-31")!)
        switch situation {
        case .valid: break
        case .noProject: return (nil, [grant])
        case .noIRB: project.irb = nil
        case .expiredIRB: project.irb?.expires = Day(iso: "2026-01-31")!
        case .irbNotYetApproved: project.irb?.approved = Day(iso: "2026-04-01")!
        case .notOnProtocol: project.irb?.personnel = [99]
        case .notMember: project.members = [99]
        case .noGrant: return (project, [])
        case .wrongDomain: grant.domains = [.drugs, .genomics]
        case .lowerLevel: grant.level = .aggregate
        case .revokedGrant: grant.revokedOn = Day(iso: "2026-02-01")!
        case .expiredGrant: grant.validUntil = Day(iso: "2026-02-28")!
        case .cohortMismatch: grant.cohortID = 9
        }
        return (project, [grant])
    }

    static func decide(_ who: Who, _ situation: Situation, _ action: Action) -> Decision {
        let (project, grants) = world(situation, for: who.actor)
        return Policy.decide(who.actor, action, project: project, grants: grants, today: today)
    }

    struct Row {
        let who: Who
        let situation: Situation
        let marks: [Bool]
    }

    static func rows() throws -> [Row] {
        try expected.split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: " ")
            let who = try #require(Who(rawValue: String(fields[0])), "unknown user \(fields[0])")
            let situation = try #require(
                Situation(rawValue: String(fields[1])), "unknown situation \(fields[1])")
            let marks = fields.dropFirst(2).map { $0 == "+" }
            try #require(fields.count == 2 + actions.count, "row \(line) has the wrong number of columns")
            return Row(who: who, situation: situation, marks: marks)
        }
    }

    @Test func tableCoversEveryUserAndSituationOnce() throws {
        let keys = try Self.rows().map { "\($0.who) \($0.situation)" }
        #expect(keys.count == Who.allCases.count * Situation.allCases.count)
        #expect(Set(keys).count == keys.count)
    }

    @Test func everyDecisionMatchesTheTable() throws {
        for row in try Self.rows() {
            for (column, (code, action)) in Self.actions.enumerated() {
                let decision = Self.decide(row.who, row.situation, action)
                #expect(
                    decision.allowed == row.marks[column],
                    "\(row.who) / \(row.situation) / \(code): \(decision.reason)")
                #expect(!decision.reason.isEmpty && !decision.reason.contains("\n"))
                // Only an allowed read names a grant.
                let readAllowed = code == "R" && decision.allowed
                #expect(
                    decision.grantID == (readAllowed ? 4 : nil), "\(row.who) / \(row.situation) / \(code)")
            }
        }
    }

    @Test(arguments: [
        (
            Situation.valid,
            "user 6 may read conditions, measurements at safe-harbor level in project 12 under grant 4"
        ),
        (.noProject, "no project given"),
        (.noIRB, "project 12 has no IRB approval"),
        (.expiredIRB, "project 12's IRB approval expired on 2026-01-31"),
        (.irbNotYetApproved, "project 12's IRB approval starts on 2026-04-01"),
        (.notOnProtocol, "user 6 is not named on project 12's IRB protocol"),
        (.notMember, "user 6 is not a member of project 12"),
        (.noGrant, "project 12 has no data access grant"),
        (.wrongDomain, "project 12 has no grant for conditions, measurements"),
        (.lowerLevel, "project 12's grants allow aggregate data, not safe-harbor"),
        (.revokedGrant, "grant 4 was revoked on 2026-02-01"),
        (.expiredGrant, "grant 4 expired on 2026-02-28"),
        (.cohortMismatch, "project 12's grants for this request cover only cohort 9, not cohort 7"),
    ])
    func readReasonNamesTheCause(situation: Situation, cause: String) {
        let decision = Self.decide(.researcher, situation, Self.read)
        #expect(decision.reason.contains(cause), "\(situation): \(decision.reason)")
    }

    @Test func submitReasonsNameTheCause() {
        #expect(
            Self.decide(.researcher, .noIRB, .submitRequest).reason.contains("project 12 has no IRB approval")
        )
        #expect(
            Self.decide(.centerLead, .expiredIRB, .submitRequest).reason.contains("expired on 2026-01-31"))
        #expect(
            Self.decide(.researcher, .notMember, .submitRequest).reason.contains("not a member of project 12")
        )
        #expect(
            Self.decide(.steward, .valid, .submitRequest).reason.contains("only researchers and center leads")
        )
    }

    @Test func roleReasonsNameTheRole() {
        for who in [Who.admin, .steward, .engineer] {
            let reason = Self.decide(who, .valid, Self.read).reason
            #expect(
                reason.contains("user \(who.actor.userID) is a") && reason.contains("operational role"),
                "\(reason)")
        }
        #expect(
            Self.decide(.steward, .valid, .reviewRequest(requesterIsOnProject: true)).reason.contains(
                "no one reviews a request of their own project"))
        #expect(
            Self.decide(.researcher, .valid, .reviewRequest(requesterIsOnProject: false)).reason.contains(
                "only data stewards review"))
        #expect(
            Self.decide(.researcher, .valid, .ingest).reason
                == "user 6 is a researcher; only administrators and data engineers may load data")
        #expect(
            Self.decide(.otherCenterLead, .valid, .manageProject).reason.contains(
                "user 5 is not a lead of center 1, which project 12 belongs to"))
        #expect(
            Self.decide(.engineer, .valid, .manageProject).reason.contains(
                "only administrators and the center's"))
        #expect(Self.decide(.centerLead, .noProject, .manageProject).reason.contains("no project given"))
        #expect(
            Self.decide(.researcher, .valid, .viewAudit).reason.contains("data stewards and administrators"))
    }
}
