import Foundation
import PMAPPlatform
import PMAPTestSupport
import Testing

/// `createCohort` refuses a definition whose design checks find an error, before it is saved or
/// run, and keeps the warnings and notes of one it accepts.
struct CohortDesignCheckTests {
    static func definition(rule: String) -> String {
        """
        {"ConceptSets":[{"id":0,"name":"prostate","expression":{"items":[{"concept":{"CONCEPT_ID":4163261}}]}},
                        {"id":1,"name":"unused","expression":{"items":[{"concept":{"CONCEPT_ID":1}}]}}],
         "PrimaryCriteria":{"CriteriaList":[{"ConditionOccurrence":{"CodesetId":0}}],
           "ObservationWindow":{"PriorDays":0,"PostDays":0},"PrimaryCriteriaLimit":{"Type":"First"}},
         "ExpressionLimit":{"Type":"First"},
         "InclusionRules":[{"name":"adults","expression":\(rule)}],
         "CollapseSettings":{"CollapseType":"ERA","EraPad":0}}
        """
    }

    static let emptyRule = #"{"Type":"ALL","CriteriaList":[],"DemographicCriteriaList":[],"Groups":[]}"#
    static let adultRule =
        #"{"Type":"ALL","CriteriaList":[],"DemographicCriteriaList":[{"Age":{"Value":18,"Op":"gte"}}],"Groups":[]}"#

    @Test func aDefinitionThatCanNeverMatchIsRefusedWithItsFindings() async throws {
        let world = try await GovernanceTests.World()
        let platform = world.fixture.platform
        _ = try await platform.submitRequest(
            world.researcher, project: world.project, domains: [.conditions], level: .aggregate,
            leavesPlatform: false, cohortID: nil, until: Day.today + 30)
        do {
            _ = try await platform.createCohort(
                world.researcher, project: world.project,
                definition: Data(Self.definition(rule: Self.emptyRule).utf8),
                name: "broken")
            Issue.record("expected the definition to be refused")
        } catch let error as PMAPError {
            #expect(error.kind == .badInput)
            #expect(error.message.contains("error InclusionRules[0].expression: inclusion rule \"adults\""))
            #expect(error.message.contains("pmap cohort check"))
        }
        #expect(try await platform.cohorts(world.researcher, project: world.project).isEmpty)

        let check = try Platform.checkCohortDefinition(Data(Self.definition(rule: Self.adultRule).utf8))
        #expect(!check.hasErrors)
        #expect(check.findings.contains { $0.kind == .unusedConceptSet && $0.path == "ConceptSets[1]" })
    }
}
