import Foundation
import GRDB
import PMAPPlatform
import PMAPTestSupport
import Testing

/// Governance through the use-case layer: who may do what, consent, suppression, and an audit
/// chain that catches tampering. Each denial must also be in the audit log.
struct GovernanceTests {
    /// A store with a center, a project (IRB valid from 30 days ago for a year) and users.
    struct World {
        let fixture: IngestFixture
        let lead: AccessContext
        /// The center lead's API token (for a context under another vault key).
        let leadToken: String
        let researcher: AccessContext
        let researcherToken: String
        let outsider: AccessContext
        let steward1: AccessContext
        let steward2: AccessContext
        let project: Int64
        let centerID: Int64

        init(on existing: IngestFixture? = nil) async throws {
            let fixture: IngestFixture
            if let existing { fixture = existing } else { fixture = try await IngestFixture() }
            let platform = fixture.platform
            func user(_ name: String, _ role: Role) async throws -> AccessContext {
                let created = try await platform.addUser(fixture.admin, name: name, role: role)
                return try await platform.context(token: created.token, vault: fixture.vault)
            }
            let center = try await platform.addCenter(fixture.admin, name: "Prostate Cancer PMC")
            let leadToken = try await platform.addUser(fixture.admin, name: "lead", role: .centerLead).token
            _ = try await platform.addCenterMember(fixture.admin, center: center.id, user: "lead")
            // The context is made after the membership: a context holds the user's centers when it is made.
            let lead = try await platform.context(token: leadToken, vault: fixture.vault)
            researcherToken = try await platform.addUser(fixture.admin, name: "researcher", role: .researcher)
                .token
            researcher = try await platform.context(token: researcherToken, vault: fixture.vault)
            outsider = try await user("outsider", .researcher)
            steward1 = try await user("steward1", .steward)
            steward2 = try await user("steward2", .steward)
            let project = try await platform.createProject(
                lead, name: "PSA", center: center.id, principalInvestigator: "lead", purpose: "PSA kinetics"
            ).state.id
            _ = try await platform.setIRB(
                fixture.admin, project: project, number: "IRB-1", approved: Day.today + -30,
                expires: Day.today + 335,
                personnel: ["lead", "researcher"], waiverOfConsent: false)
            _ = try await platform.addProjectMember(lead, project: project, user: "researcher")
            self.fixture = fixture
            self.lead = lead
            self.leadToken = leadToken
            self.project = project
            centerID = center.id
        }

        func lastAudit() async throws -> AuditEntry {
            try await fixture.platform.auditLog(fixture.admin, project: nil).dropLast().last!
        }

        /// Expects permission denied with `reason` in the message, and a DENY entry naming it.
        func expectDenied(_ reason: String, _ body: () async throws -> Void) async throws {
            do {
                try await body()
                Issue.record("expected a denial (\(reason))")
            } catch let error as PMAPError {
                #expect(error.kind == .permissionDenied && error.message.contains(reason), "\(error.message)")
            }
            let entry = try await lastAudit()
            #expect(!entry.allowed && entry.reason.contains(reason), "the denial is audited: \(entry)")
        }
    }

    static let prostateCancer: Int64 = 200_962

    /// 13 patients with prostate cancer, the last two of whom opted out of research.
    static func loadPatients(_ fixture: IngestFixture) async throws {
        var lines: [String] = []
        for index in 1...13 {
            lines.append(
                #"{"resourceType":"Patient","id":"p\#(index)","identifier":[{"system":"urn:mrn","value":"M\#(index)"}],"gender":"male","birthDate":"1950-01-01"}"#
            )
            lines.append(
                #"{"resourceType":"Condition","id":"c\#(index)","subject":{"reference":"Patient/p\#(index)"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"93974005"}]},"onsetDateTime":"2020-01-01"}"#
            )
            if index > 11 {
                lines.append(
                    #"{"resourceType":"Consent","id":"k\#(index)","status":"active","scope":{"coding":[{"code":"research"}]},"patient":{"reference":"Patient/p\#(index)"},"dateTime":"2021-01-01","provision":{"type":"deny"}}"#
                )
            }
        }
        let report = try await fixture.ingest([
            try fixture.write("data.ndjson", lines.joined(separator: "\n"))
        ])
        #expect(report.quarantined == 0)
    }

    @Test func tierAIsGrantedAtOnceAndOptedOutPatientsNeverCount() async throws {
        let world = try await World()
        try await Self.loadPatients(world.fixture)
        let platform = world.fixture.platform
        try await world.expectDenied("has no data access grant") {
            _ = try await platform.countPatients(
                world.researcher, project: world.project, concept: Self.prostateCancer)
        }
        let submitted = try await platform.submitRequest(
            world.researcher, project: world.project, domains: [.conditions], level: .aggregate,
            leavesPlatform: false,
            cohortID: nil, until: Day.today + 90)
        #expect(
            submitted.assessment.tier == .a && submitted.grant != nil
                && submitted.request.status == "approved")
        let count = try await platform.countPatients(
            world.researcher, project: world.project, concept: Self.prostateCancer)
        #expect(
            count.count.count == 11 && !count.count.suppressed && count.count.display == "11",
            "13 patients, 2 opted out")
        // With a higher threshold, the same count is suppressed.
        let small = try await platform.countPatients(
            world.researcher, project: world.project, concept: Self.prostateCancer, threshold: 20)
        #expect(small.count.count == nil && small.count.suppressed && small.count.display == "<21")
        let entry = try await world.lastAudit()
        #expect(
            entry.allowed && entry.action == "research.count" && entry.rows == 1
                && entry.projectID == world.project)

        // A grant for conditions does not cover measurements.
        try await world.expectDenied("no grant for measurements") {
            _ = try await platform.countPatients(world.researcher, project: world.project, concept: 3_013_603)
        }
    }

    /// "All patients with prostate cancer" (13) and then "all with primary malignant neoplasm of
    /// prostate" (12 of the same 13) would reveal the one patient coded otherwise.
    @Test func theEveryoneButOneDifferencingAttackIsRefused() async throws {
        let world = try await World()
        var lines: [String] = []
        for index in 1...13 {
            let code = index == 13 ? "399068003" : "93974005"  // the 13th: the parent concept itself
            lines.append(
                #"{"resourceType":"Patient","id":"p\#(index)","gender":"male","birthDate":"1950-01-01"}"#)
            lines.append(
                #"{"resourceType":"Condition","id":"c\#(index)","subject":{"reference":"Patient/p\#(index)"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"\#(code)"}]},"onsetDateTime":"2020-01-01"}"#
            )
        }
        _ = try await world.fixture.ingest([
            try world.fixture.write("d.ndjson", lines.joined(separator: "\n"))
        ])
        let platform = world.fixture.platform
        _ = try await platform.submitRequest(
            world.researcher, project: world.project, domains: [.conditions], level: .aggregate,
            leavesPlatform: false,
            cohortID: nil, until: Day.today + 30)
        let all = try await platform.countPatients(
            world.researcher, project: world.project, concept: 4_163_261)
        #expect(all.count.count == 13)
        try await world.expectDenied("differs from one already shown") {
            _ = try await platform.countPatients(
                world.researcher, project: world.project, concept: Self.prostateCancer)
        }
        // The same population again is no new information.
        let again = try await platform.countPatients(
            world.researcher, project: world.project, concept: 4_163_261)
        #expect(again.count.count == 13)
        // A cohort is a count too: "primary malignant neoplasm of prostate" (12 of the 13) is refused.
        let definition = #"""
            {"ConceptSets":[{"id":0,"name":"x","expression":{"items":[{"concept":{"CONCEPT_ID":200962}}]}}],
             "PrimaryCriteria":{"CriteriaList":[{"ConditionOccurrence":{"CodesetId":0}}],
               "ObservationWindow":{"PriorDays":0,"PostDays":0},"PrimaryCriteriaLimit":{"Type":"First"}},
             "ExpressionLimit":{"Type":"First"},"InclusionRules":[],"CollapseSettings":{"CollapseType":"ERA","EraPad":0}}
            """#
        try await world.expectDenied("differs from one already shown") {
            _ = try await platform.createCohort(
                world.researcher, project: world.project, definition: Data(definition.utf8),
                name: "all but one")
        }
    }

    @Test func outsidersExpiredProtocolsAndRevokedGrantsAreDenied() async throws {
        let world = try await World()
        let platform = world.fixture.platform
        let submitted = try await platform.submitRequest(
            world.researcher, project: world.project, domains: [.conditions], level: .aggregate,
            leavesPlatform: false,
            cohortID: nil, until: Day.today + 90)
        try await world.expectDenied("not a member of project") {
            _ = try await platform.countPatients(
                world.outsider, project: world.project, concept: Self.prostateCancer)
        }
        try await world.expectDenied("not named on project") {
            _ = try await platform.addProjectMember(world.lead, project: world.project, user: "outsider")
        }
        // A project's own lead cannot write its IRB approval (or widen its personnel).
        try await world.expectDenied("recorded by data stewards and admins") {
            _ = try await platform.setIRB(
                world.lead, project: world.project, number: "IRB-1", approved: Day.today + -30,
                expires: Day.today + 335, personnel: ["lead", "researcher", "outsider"], waiverOfConsent: true
            )
        }
        // Operational roles do not read research data.
        try await world.expectDenied("does not read research data") {
            _ = try await platform.countPatients(
                world.fixture.admin, project: world.project, concept: Self.prostateCancer)
        }
        _ = try await platform.revokeGrant(
            world.steward1, id: submitted.grant!.state.id, reason: "study closed")
        try await world.expectDenied("revoked") {
            _ = try await platform.countPatients(
                world.researcher, project: world.project, concept: Self.prostateCancer)
        }
        // An IRB approval that expired yesterday stops everything with patient data.
        _ = try await platform.setIRB(
            world.steward2, project: world.project, number: "IRB-1", approved: Day.today + -400,
            expires: Day.today + -1,
            personnel: ["lead", "researcher"], waiverOfConsent: false)
        try await world.expectDenied("expired") {
            _ = try await platform.submitRequest(
                world.researcher, project: world.project, domains: [.conditions], level: .aggregate,
                leavesPlatform: false, cohortID: nil, until: Day.today + 90)
        }
    }

    @Test func tierCNeedsTwoStewardsWhoAreNotOnTheProject() async throws {
        let world = try await World()
        let platform = world.fixture.platform
        #expect(platform.assessRequest(level: .dateShifted, leavesPlatform: false).tier == .b)
        let submitted = try await platform.submitRequest(
            world.researcher, project: world.project, domains: [.conditions, .genomics], level: .limited,
            leavesPlatform: true, cohortID: nil, until: Day.today + 90)
        #expect(
            submitted.assessment.tier == .c && submitted.assessment.requiredApprovals == 2
                && submitted.grant == nil)
        // The requester cannot review: only stewards do.
        try await world.expectDenied("only data stewards review") {
            _ = try await platform.reviewRequest(
                world.researcher, id: submitted.request.id, approve: true, reason: "mine")
        }
        let (first, noGrant) = try await platform.reviewRequest(
            world.steward1, id: submitted.request.id, approve: true, reason: "minimum necessary")
        #expect(first.status == "pending" && noGrant == nil)
        await #expect(throws: PMAPError.self) {
            _ = try await platform.reviewRequest(
                world.steward1, id: submitted.request.id, approve: true, reason: "again")
        }
        let (second, grant) = try await platform.reviewRequest(
            world.steward2, id: submitted.request.id, approve: true, reason: "IRB covers it")
        #expect(second.status == "approved" && grant?.state.level == .limited)
        // Identified data needs a waiver of consent on the protocol.
        try await world.expectDenied("waiver of consent") {
            _ = try await platform.submitRequest(
                world.researcher, project: world.project, domains: [.conditions], level: .identified,
                leavesPlatform: false, cohortID: nil, until: Day.today + 90)
        }
    }

    @Test func stewardsCannotReviewTheirOwnProject() async throws {
        let world = try await World()
        let platform = world.fixture.platform
        _ = try await platform.setIRB(
            world.steward2, project: world.project, number: "IRB-1", approved: Day.today + -30,
            expires: Day.today + 335,
            personnel: ["lead", "researcher", "steward1"], waiverOfConsent: false)
        _ = try await platform.addProjectMember(world.lead, project: world.project, user: "steward1")
        let submitted = try await platform.submitRequest(
            world.researcher, project: world.project, domains: [.drugs], level: .dateShifted,
            leavesPlatform: false,
            cohortID: nil, until: Day.today + 90)
        try await world.expectDenied("own project") {
            _ = try await platform.reviewRequest(
                world.steward1, id: submitted.request.id, approve: true, reason: "ok")
        }
    }

    @Test func auditChainCatchesEditsAndTruncationAndCannotBeRebuiltFromTheFile() async throws {
        let world = try await World()
        let platform = world.fixture.platform
        let head = try await platform.auditHead(world.fixture.admin)
        guard
            case .intact(let count, _) = try await platform.verifyAudit(
                world.fixture.admin, expectedHead: nil)
        else {
            Issue.record("a fresh chain verifies")
            return
        }
        #expect(count > 10)
        let path = world.fixture.folder.file("pmap.sqlite")
        func tamper(_ sql: String) throws {
            let queue = try DatabaseQueue(path: path)
            defer { try? queue.close() }
            try queue.write { db in
                try db.execute(
                    sql:
                        "DROP TRIGGER IF EXISTS pmap_audit_no_update; DROP TRIGGER IF EXISTS pmap_audit_no_delete"
                )
                try db.execute(sql: sql)
            }
        }
        // The triggers refuse edits made through SQL.
        let queue = try DatabaseQueue(path: path)
        #expect(throws: (any Error).self) {
            try queue.write { try $0.execute(sql: "DELETE FROM pmap_audit") }
        }
        try queue.close()

        try tamper("UPDATE pmap_audit SET reason = 'nothing happened' WHERE sequence = 5")
        guard
            case .broken(let sequence, _) = try await platform.verifyAudit(
                world.fixture.admin, expectedHead: nil)
        else {
            Issue.record("an edited entry is detected")
            return
        }
        #expect(sequence == 5)

        // A fresh chain, then the tail is cut: only the recorded head shows it.
        let other = try await World()
        let recorded = try await other.fixture.platform.auditHead(other.fixture.admin)
        let otherPath = other.fixture.folder.file("pmap.sqlite")
        let otherQueue = try DatabaseQueue(path: otherPath)
        try await otherQueue.write { db in
            try db.execute(sql: "DROP TRIGGER pmap_audit_no_delete")
            try db.execute(
                sql: "DELETE FROM pmap_audit WHERE sequence >= (SELECT max(sequence) - 1 FROM pmap_audit)")
        }
        try otherQueue.close()
        guard
            case .broken = try await other.fixture.platform.verifyAudit(
                other.fixture.admin, expectedHead: recorded)
        else {
            Issue.record("a truncated tail is detected against the recorded head")
            return
        }
        _ = head
    }
}
