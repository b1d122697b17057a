import PMAPCohort
import Testing

@testable import PMAPPlatform

/// The governance gate knows every CDM table a cohort definition can read.
struct CohortDomainMappingTests {
    @Test func everyTableACohortCanReadIsGovernedOrDeclaredUngoverned() {
        // Criterion tables, the tables attributes join, and what the pipeline itself reads.
        let joined = [
            "person", "provider", "visit_occurrence", "care_site", "observation_period", "drug_exposure",
            "concept", "concept_ancestor", "concept_relationship",
        ]
        for table in Set(CriterionDomain.allCases.map(\.table) + joined) {
            #expect(
                Platform.domainOfTable[table] != nil || Platform.ungovernedTables.contains(table), "\(table)")
        }
        #expect(Set(Platform.domainOfTable.keys).isDisjoint(with: Platform.ungovernedTables))
        #expect(Platform.domainOfTable["device_exposure"] == .device)
        #expect(Platform.domainOfTable["specimen"] == .measurements)
    }
}
