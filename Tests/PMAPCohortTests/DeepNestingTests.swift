import Foundation
import PMAPCohort
import PMAPModel
import Testing

/// Criteria nested several levels deep (a group inside a correlated criterion inside a rule,
/// as OHDSI phenotypes have them) run: inlined as subqueries they overflowed SQLite's parser
/// stack ("parser stack overflow"); each level's rows now go to a temporary table.
struct DeepNestingTests {
    typealias J = DefinitionJSON
    typealias S = CohortSemanticsTests

    @Test func aGroupInsideACorrelatedCriterionInsideARuleRuns() async throws {
        let store = try await S.yearStore(persons: 4)
        try await store.drugEras((1...4).map { ($0, S.drug, "2020-06-01", "2020-06-10") })
        try await store.conditions((1...3).map { ($0, S.conditionA, "2020-02-01", nil) })
        // Person 1: a drug exposure after the diagnosis; 2: a high value after it (itself after
        // a diagnosis); 3: only a normal value; 4: no diagnosis at all.
        try await store.drugExposures([(1, S.drug, "2020-03-01", "2020-03-05")])
        try await store.measurements([
            (2, S.conditionB, "2020-02-15", 8, nil), (3, S.conditionB, "2020-02-15", 5, nil),
        ])
        let diagnosisBefore = J.correlated(
            "{\"ConditionOccurrence\": {\"CodesetId\": 1}}", before: nil, after: 0)
        let highValue =
            "{\"Measurement\": {\"CodesetId\": 2, \"ValueAsNumber\": {\"Value\": 7, \"Op\": \"gt\"}, "
            + "\"CorrelatedCriteria\": \(J.group("ALL", criteria: [diagnosisBefore]))}}"
        let treatedOrHigh = """
            {"Type": "ANY",
             "CriteriaList": [\(J.correlated("{\"DrugExposure\": {\"CodesetId\": 0}}", before: 0, after: 365).replacingOccurrences(of: "\"Days\": 0, \"Coeff\": -1", with: "\"Days\": 0, \"Coeff\": 1"))],
             "DemographicCriteriaList": [],
             "Groups": [\(J.group("ALL", criteria: [J.correlated(highValue, before: 365, after: 365)]))]}
            """
        let diagnosed =
            "{\"ConditionOccurrence\": {\"CodesetId\": 1, \"CorrelatedCriteria\": \(treatedOrHigh)}}"
        let definition = try S.drugCohort(rules: [
            J.group("ALL", criteria: [J.correlated(diagnosed, before: nil, after: 0)])
        ])
        let run = try await store.run(definition)
        #expect(S.subjects(run) == [1, 2])
        #expect(run.leftoverTables.isEmpty)
    }
}
