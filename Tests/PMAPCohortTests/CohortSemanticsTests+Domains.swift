import Foundation
import PMAPCohort
import PMAPModel
import Testing

/// Every criterion type on one person with one row of each table.
extension CohortSemanticsTests {
    /// Person 1 (male, born 1970, observed through 2020) with one row of concept 4000 in every
    /// domain on 2020-06-01.
    static func domainStore() async throws -> TestStore {
        let store = try await Self.yearStore(persons: 1)
        let concept: SQLValue = 4000
        let day: SQLValue = "2020-06-01"
        try await store.insert(
            "drug_exposure",
            [
                "drug_exposure_id", "person_id", "drug_concept_id", "drug_exposure_start_date",
                "drug_exposure_end_date",
                "days_supply", "drug_type_concept_id",
            ],
            [[1, 1, concept, day, "2020-07-01", 30, 0]])
        try await store.insert(
            "condition_era",
            [
                "condition_era_id", "person_id", "condition_concept_id", "condition_era_start_date",
                "condition_era_end_date",
            ],
            [[1, 1, concept, day, "2020-06-20"]])
        try await store.insert(
            "procedure_occurrence",
            [
                "procedure_occurrence_id", "person_id", "procedure_concept_id", "procedure_date",
                "procedure_type_concept_id",
            ],
            [[1, 1, concept, day, 0]])
        try await store.insert(
            "observation",
            [
                "observation_id", "person_id", "observation_concept_id", "observation_date",
                "observation_type_concept_id", "value_as_number",
            ],
            [[1, 1, concept, day, 0, .real(3.5)]])
        try await store.insert(
            "visit_occurrence",
            [
                "visit_occurrence_id", "person_id", "visit_concept_id", "visit_start_date", "visit_end_date",
                "visit_type_concept_id",
            ],
            [[1, 1, concept, day, "2020-06-03", 0]])
        try await store.insert(
            "death", ["person_id", "death_date", "death_type_concept_id", "cause_concept_id"],
            [[1, day, 0, concept]])
        try await store.insert(
            "visit_detail",
            [
                "visit_detail_id", "person_id", "visit_detail_concept_id", "visit_detail_start_date",
                "visit_detail_end_date", "visit_detail_type_concept_id", "visit_occurrence_id",
            ],
            [[1, 1, concept, day, "2020-06-03", 0, 1]])
        try await store.insert(
            "device_exposure",
            [
                "device_exposure_id", "person_id", "device_concept_id", "device_exposure_start_date",
                "device_type_concept_id", "unique_device_id", "quantity",
            ],
            [[1, 1, concept, day, 0, "UDI-1", 1]])
        try await store.insert(
            "specimen",
            [
                "specimen_id", "person_id", "specimen_concept_id", "specimen_type_concept_id",
                "specimen_date",
                "unit_concept_id", "specimen_source_id",
            ],
            [[1, 1, concept, 0, day, 8587, "S1"]])
        try await store.insert(
            "dose_era",
            [
                "dose_era_id", "person_id", "drug_concept_id", "unit_concept_id", "dose_value",
                "dose_era_start_date", "dose_era_end_date",
            ],
            [[1, 1, concept, 8576, .real(5), day, "2020-06-30"]])
        try await store.insert(
            "payer_plan_period",
            [
                "payer_plan_period_id", "person_id", "payer_plan_period_start_date",
                "payer_plan_period_end_date",
            ],
            [[1, 1, day, "2020-06-30"]])
        try await store.conditions([(1, 4000, "2020-06-01", nil)])
        try await store.measurements([(1, 4000, "2020-06-01", 1, nil)])
        try await store.drugEras([(1, 4000, "2020-06-01", "2020-06-05")])
        return store
    }

    /// Every supported domain compiles to SQL that SQLite runs, and finds its one row.
    @Test func everyDomainRuns() async throws {
        let store = try await Self.domainStore()
        let criteria = J.domainCriteria(
            measurement: """
                {"Measurement": {"CodesetId": 0, "ValueAsNumber": {"Value": 0,
                 "Extent": 2, "Op": "bt"}}}
                """)
        for criterion in criteria {
            let json = J.definition(conceptSets: [J.conceptSet(0, concepts: [4000])], primary: [criterion])
            let expectedStart = criterion.contains("ObservationPeriod") ? "2020-01-01" : "2020-06-01"
            #expect(
                try await store.run(J.parse(json)).rows == [CohortRow(1, expectedStart, "2020-12-31")],
                "\(criterion)")
        }
    }

    /// A definition using every supported element at once runs; the index event (last primary
    /// event, the 2020-06-01 rows) ends 30 days after its end, censored at once by itself.
    @Test func everythingTogetherRuns() async throws {
        let store = try await Self.domainStore()
        let run = try await store.run(J.parse(J.everything))
        #expect(run.leftoverTables.isEmpty)
        #expect(run.rows.allSatisfy { $0.subject == 1 && $0.start <= $0.end })
    }
}
