import Foundation
import PMAPPlatform
import PMAPTestSupport
import Testing

/// A stored cohort definition leaves the platform as ATLAS JSON only through the gate: project
/// members with a grant for its domains, audited as `cohort.export`.
struct CohortExportTests {
    static let definition = #"""
        {"ConceptSets":[{"id":0,"name":"prostate cancer","expression":{"items":[{"concept":{"CONCEPT_ID":200962,"CONCEPT_NAME":"x"},"includeDescendants":true}]}}],
         "PrimaryCriteria":{"CriteriaList":[{"ConditionOccurrence":{"CodesetId":0}}],
           "ObservationWindow":{"PriorDays":0,"PostDays":0},"PrimaryCriteriaLimit":{"Type":"First"}},
         "ExpressionLimit":{"Type":"First"},"InclusionRules":[],"CollapseSettings":{"CollapseType":"ERA","EraPad":0}}
        """#

    @Test func aStoredDefinitionIsExportedThroughTheGate() async throws {
        let world = try await GovernanceTests.World()
        try await GovernanceTests.loadPatients(world.fixture)
        let platform = world.fixture.platform
        _ = try await platform.submitRequest(
            world.researcher, project: world.project, domains: [.conditions], level: .aggregate,
            leavesPlatform: false, cohortID: nil, until: Day.today + 90)
        let cohort = try await platform.createCohort(
            world.researcher, project: world.project, definition: Data(Self.definition.utf8), name: "prostate"
        )

        let exported = try await platform.exportCohortDefinition(
            world.researcher, project: world.project, id: cohort.id)
        #expect(exported == (try Platform.exportCohortDefinition(Data(Self.definition.utf8))))
        let entry = try await world.lastAudit()
        #expect(
            entry.allowed && entry.action == "cohort.export" && entry.target == "cohort \(cohort.id)"
                && entry.projectID == world.project, "\(entry)")

        try await world.expectDenied("not a member of project") {
            _ = try await platform.exportCohortDefinition(
                world.outsider, project: world.project, id: cohort.id)
        }
        do {
            _ = try await platform.exportCohortDefinition(world.researcher, project: world.project, id: 999)
            Issue.record("expected not found")
        } catch let error as PMAPError {
            #expect(error.kind == .notFound && error.message.contains("pmap cohort list"))
        }
    }
}
