import Foundation
import PMAPModel
import Testing

@testable import PMAPGovernance

struct PolicyTests {
    static let today = Day(iso: "2026-03-15")!
    static let researcher = Actor(userID: 6, name: "rae", role: .researcher)
    static let project = ProjectState(
        id: 12, centerID: 1, principalInvestigator: 6,
        irb: IRBProtocol(
            number: "IRB00012345", approved: Day(iso: "2025-06-01")!, expires: Day(iso: "2026-05-31")!,
            personnel: [6]),
        members: [6])

    static func grant(
        _ id: Int64, _ domains: Set<DataDomain>, _ level: DisclosureLevel, cohort: Int64? = nil,
        project: Int64 = 12,
        from: String = "2026-01-01", until: String = "2026-12-31", revoked: String? = nil
    ) -> GrantState {
        GrantState(
            id: id, projectID: project, domains: domains, level: level, cohortID: cohort,
            validFrom: Day(iso: from)!, validUntil: Day(iso: until)!, revokedOn: revoked.map { Day(iso: $0)! }
        )
    }

    static func read(
        _ domains: Set<DataDomain>, _ level: DisclosureLevel, cohort: Int64? = nil, grants: [GrantState],
        project: ProjectState = project, on day: Day = today
    ) -> Decision {
        Policy.decide(
            researcher, .readPatientData(domains: domains, level: level, cohortID: cohort), project: project,
            grants: grants, today: day)
    }

    @Test func roleOnlyActionsFollowTheRole() {
        // The actions outside the table: who may do them, by role.
        let expected: [(Action, Set<Role>)] = [
            (.viewQuarantinedRecord, [.admin, .engineer]),
            (.manageUsers, [.admin]),
            (.manageCenters, [.admin]),
            (.ingest, [.admin, .engineer]),
            (.viewOperations, [.admin, .engineer]),
            (.viewAudit, [.admin, .steward]),
            (.revokeGrant, [.admin, .steward]),
        ]
        for (action, allowed) in expected {
            for role in Role.allCases {
                let actor = Actor(userID: 30, name: "u", role: role, centers: [1])
                let decision = Policy.decide(actor, action, project: nil, grants: [], today: Self.today)
                #expect(
                    decision.allowed == allowed.contains(role), "\(action) by \(role): \(decision.reason)")
            }
        }
    }

    @Test func irbAndGrantDaysIncludeBothEnds() {
        let grants = [Self.grant(4, [.conditions], .aggregate, from: "2026-03-15", until: "2026-03-15")]
        #expect(Self.read([.conditions], .aggregate, grants: grants).allowed)
        #expect(!Self.read([.conditions], .aggregate, grants: grants, on: Self.today + 1).allowed)
        let early = Self.read([.conditions], .aggregate, grants: grants, on: Self.today - 1)
        #expect(!early.allowed && early.reason.contains("grant 4 is not valid before 2026-03-15"))

        let all = [Self.grant(4, [.conditions], .aggregate, from: "2025-01-01", until: "2027-12-31")]
        #expect(Self.read([.conditions], .aggregate, grants: all, on: Day(iso: "2025-06-01")!).allowed)
        #expect(!Self.read([.conditions], .aggregate, grants: all, on: Day(iso: "2025-05-31")!).allowed)
        #expect(Self.read([.conditions], .aggregate, grants: all, on: Day(iso: "2026-05-31")!).allowed)
        let late = Self.read([.conditions], .aggregate, grants: all, on: Day(iso: "2026-06-01")!)
        #expect(!late.allowed && late.reason == "project 12's IRB approval expired on 2026-05-31")
    }

    @Test func levelsAtOrBelowTheGrantsAreAllowed() {
        let grants = [Self.grant(4, [.genomics], .limited)]
        for level in DisclosureLevel.allCases {
            let decision = Self.read([.genomics], level, grants: grants)
            #expect(decision.allowed == (level != .identified), "\(level): \(decision.reason)")
        }
        #expect(
            Self.read([.genomics], .identified, grants: grants).reason
                == "project 12's grants allow limited data, not identified")
    }

    @Test func theLeastIdentifyingFittingGrantIsNamed() {
        let grants = [
            Self.grant(3, [.conditions, .drugs], .identified),
            Self.grant(4, [.conditions], .limited),
            Self.grant(5, [.conditions], .safeHarbor, revoked: "2026-03-01"),
            Self.grant(6, [.conditions], .safeHarbor, cohort: 7),
            Self.grant(7, [.conditions], .aggregate),
        ]
        #expect(Self.read([.conditions], .safeHarbor, cohort: 7, grants: grants).grantID == 6)
        #expect(Self.read([.conditions], .safeHarbor, cohort: 8, grants: grants).grantID == 4)
        #expect(Self.read([.conditions, .drugs], .aggregate, grants: grants).grantID == 3)
        #expect(Self.read([.conditions], .aggregate, grants: grants).grantID == 7)
    }

    @Test func grantsOfOtherProjectsAllowNothing() {
        let decision = Self.read(
            [.drugs], .aggregate, grants: [Self.grant(4, [.drugs], .identified, project: 13)])
        #expect(!decision.allowed && decision.reason == "project 12 has no data access grant")
    }

    @Test func aLapsedGrantIsNamedWhenItWouldHaveFitted() {
        let grants = [
            Self.grant(4, [.drugs], .aggregate),
            Self.grant(5, [.genomics], .safeHarbor, revoked: "2026-02-10"),
            Self.grant(6, [.genomics], .safeHarbor, until: "2026-01-31"),
        ]
        let decision = Self.read([.genomics], .aggregate, grants: grants)
        #expect(!decision.allowed && decision.reason == "grant 5 was revoked on 2026-02-10")
        // A request no grant fits names the domain, though lapsed grants exist.
        #expect(
            Self.read([.device], .aggregate, grants: grants).reason == "project 12 has no grant for device")
    }

    @Test func domainsMustBeCoveredByOneGrant() {
        let grants = [Self.grant(4, [.conditions], .limited), Self.grant(5, [.genomics], .limited)]
        let decision = Self.read([.conditions, .genomics], .aggregate, grants: grants)
        #expect(!decision.allowed && decision.reason.contains("no single grant of project 12 covers"))
        #expect(
            Self.read([.conditions, .genomics, .environment], .aggregate, grants: grants).reason
                == "project 12 has no grant for environment")
        // Asking for no domain at all needs only some grant at the level.
        let nothing = Self.read([], .limited, grants: grants)
        #expect(nothing.allowed && nothing.reason.contains("may read (no domain) at limited level"))
    }

    @Test func cohortGrantsAllowOnlyTheirCohort() {
        let wholeProject = [Self.grant(4, [.drugs], .safeHarbor)]
        #expect(Self.read([.drugs], .safeHarbor, cohort: nil, grants: wholeProject).allowed)
        #expect(Self.read([.drugs], .safeHarbor, cohort: 9, grants: wholeProject).allowed)

        let cohortOnly = [
            Self.grant(4, [.drugs], .safeHarbor, cohort: 9), Self.grant(5, [.drugs], .limited, cohort: 11),
        ]
        #expect(Self.read([.drugs], .safeHarbor, cohort: 9, grants: cohortOnly).grantID == 4)
        #expect(Self.read([.drugs], .safeHarbor, cohort: 11, grants: cohortOnly).grantID == 5)
        let none = Self.read([.drugs], .safeHarbor, cohort: nil, grants: cohortOnly)
        #expect(
            !none.allowed
                && none.reason
                    == "project 12's grants for this request cover only cohorts 9, 11, "
                    + "and the request names no cohort"
        )
        #expect(!Self.read([.drugs], .limited, cohort: 9, grants: cohortOnly).allowed)
    }

    @Test func reviewersAreNeverOnTheProject() {
        let steward = Actor(userID: 2, name: "sam", role: .steward)
        func review(_ flag: Bool, _ project: ProjectState?) -> Decision {
            Policy.decide(
                steward, .reviewRequest(requesterIsOnProject: flag), project: project, grants: [],
                today: Self.today)
        }
        var elsewhere = Self.project
        #expect(review(false, elsewhere).allowed)
        #expect(review(false, nil).allowed)
        #expect(!review(true, nil).allowed)
        #expect(!review(true, elsewhere).allowed)
        elsewhere.members.insert(2)
        #expect(!review(false, elsewhere).allowed, "a member is on the project whatever the flag says")
        elsewhere.members = [6]
        elsewhere.principalInvestigator = 2
        #expect(!review(false, elsewhere).allowed, "so is the principal investigator")
    }

    @Test func gateAuthorizesExactlyWhatThePolicyAllows() throws {
        let grants = [Self.grant(4, [.conditions, .drugs], .dateShifted, cohort: 7)]
        let result = Gate.authorize(
            Self.researcher, domains: [.drugs], level: .safeHarbor, cohortID: 7, project: Self.project,
            grants: grants, today: Self.today)
        let authorization = try result.get()
        #expect(authorization.userID == 6 && authorization.projectID == 12 && authorization.grantID == 4)
        #expect(
            authorization.domains == [.drugs] && authorization.level == .safeHarbor
                && authorization.cohortID == 7)

        let refused = Gate.authorize(
            Self.researcher, domains: [.drugs], level: .limited, cohortID: 7, project: Self.project,
            grants: grants,
            today: Self.today)
        let policy = Self.read([.drugs], .limited, cohort: 7, grants: grants)
        #expect(throws: Denied(reason: policy.reason)) { try refused.get() }
        guard case .failure(let denied) = refused else { return }
        #expect(denied.error.kind == .permissionDenied && denied.error.message == policy.reason)

        let steward = Actor(userID: 2, name: "sam", role: .steward)
        let operational = Gate.authorize(
            steward, domains: [.drugs], level: .aggregate, cohortID: 7, project: Self.project, grants: grants,
            today: Self.today)
        #expect(throws: Denied.self) { try operational.get() }
    }

    @Test func disclosureLevelsAreOrderedByHowIdentifyingTheyAre() {
        #expect(DisclosureLevel.allCases == [.aggregate, .safeHarbor, .dateShifted, .limited, .identified])
        #expect(DisclosureLevel.allCases.sorted() == DisclosureLevel.allCases)
        #expect(DisclosureLevel.aggregate < .safeHarbor && DisclosureLevel.limited < .identified)
        #expect(!(DisclosureLevel.identified < .dateShifted))
        #expect(
            Role(rawValue: "data-steward") == .steward
                && DisclosureLevel(rawValue: "date-shifted") == .dateShifted)
    }

    @Test func irbProtocolEncodesDaysAsISODates() throws {
        let irb = IRBProtocol(
            number: "IRB00012345", approved: Day(iso: "2025-06-01")!, expires: Day(iso: "2026-05-31")!,
            personnel: [6, 3], waiverOfConsent: true)
        let json = try JSONEncoder().encode(irb)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"2025-06-01\"") && text.contains("\"2026-05-31\""))
        #expect(try JSONDecoder().decode(IRBProtocol.self, from: json) == irb)
        let bad = Data(text.replacingOccurrences(of: "2026-05-31", with: "2026-02-31").utf8)
        #expect(throws: DecodingError.self) { _ = try JSONDecoder().decode(IRBProtocol.self, from: bad) }
    }
}
