import Foundation
import PMAPCohort
import PMAPModel
import Testing

/// The criterion types added for Circe (VisitDetail, DeviceExposure, Specimen, DoseEra,
/// PayerPlanPeriod), their start and end dates, `DateAdjustment` and `UserDefinedPeriod`.
struct CirceDomainTests {
    typealias J = DefinitionJSON
    typealias Fixture = CirceAttributeFixture
    /// Ends each cohort period at its event's end, so the event's end date shows.
    static let endAtEventEnd = "{\"DateOffset\": {\"DateField\": \"EndDate\", \"Offset\": 0}}"

    /// Persons 1 and 2 observed through 2020, with one row each of `table` (person 2's with
    /// concept 200, outside concept set 0, unless `concept` is nil), overridden by `kept`.
    static func store(_ table: String, concept: String?, kept: [String: SQLValue] = [:]) async throws
        -> TestStore
    {
        let store = try TestStore()
        try await store.persons([(1, 8507, 1970), (2, 8507, 1970)])
        try await store.periods([(1, "2020-01-01", "2020-12-31"), (2, "2020-01-01", "2020-12-31")])
        for person: Int64 in [1, 2] {
            var row = Fixture.baseRow(table, person: person)
            if person == 1 { row.merge(kept) { _, new in new } }
            if person == 2, let concept { row[concept] = 200 }
            let columns = row.keys.sorted()
            try await store.insert(table, columns, [columns.map { row[$0]! }])
        }
        return store
    }

    static func definition(_ criterion: String, endStrategy: String? = endAtEventEnd) throws
        -> CohortDefinition
    {
        try J.parse(
            J.definition(conceptSets: Fixture.conceptSets, primary: [criterion], endStrategy: endStrategy))
    }

    /// Each new type selects its rows by concept set and ends where Circe ends it: visit details
    /// and dose eras at their end date, devices at their end or the day after the start,
    /// specimens the day after.
    @Test(
        arguments: [
            ("VisitDetail", "visit_detail_concept_id", [:], "2020-03-03"),
            ("DeviceExposure", "device_concept_id", [:], "2020-03-02"),
            ("DeviceExposure", "device_concept_id", ["device_exposure_end_date": "2020-03-09"], "2020-03-09"),
            ("Specimen", "specimen_concept_id", [:], "2020-03-02"),
            ("DoseEra", "drug_concept_id", [:], "2020-03-31"),
        ] as [(String, String, [String: SQLValue], String)])
    func newDomainSelectsByConceptSetAndEndsAsCirce(
        domain: String, conceptColumn: String, kept: [String: SQLValue], end: String
    ) async throws {
        let store = try await Self.store(Fixture.table(of: domain), concept: conceptColumn, kept: kept)
        let rows = try await store.run(Self.definition("{\"\(domain)\": {\"CodesetId\": 0}}")).rows
        #expect(rows == [CohortRow(1, "2020-03-01", end)])
    }

    @Test func payerPlanPeriodIsAnEventFromItsStartToItsEnd() async throws {
        let store = try await Self.store("payer_plan_period", concept: nil)
        try await store.execute("DELETE FROM payer_plan_period WHERE person_id = 2")
        let rows = try await store.run(Self.definition("{\"PayerPlanPeriod\": {\"First\": true}}")).rows
        #expect(rows == [CohortRow(1, "2020-03-01", "2020-06-30")])
        #expect(
            try Self.definition("{\"PayerPlanPeriod\": {}}").tablesRead == [
                "payer_plan_period", "observation_period",
            ])
    }

    /// Dates move before every other filter; a row whose moved end precedes its moved start is dropped.
    @Test func dateAdjustmentMovesDatesBeforeFiltering() async throws {
        let store = try await Self.store(
            "condition_occurrence", concept: nil, kept: ["condition_end_date": "2020-03-10"])
        try await store.execute(
            "UPDATE condition_occurrence SET condition_end_date = '2020-03-04' WHERE person_id = 2")
        let adjusted = """
            {"ConditionOccurrence": {"CodesetId": 0, "OccurrenceStartDate": {"Op": "gt", "Value": "2020-03-05"},
             "DateAdjustment": {"StartWith": "START_DATE", "StartOffset": 5, "EndWith": "END_DATE", "EndOffset": -2}}}
            """
        #expect(
            try await store.run(Self.definition(adjusted)).rows == [CohortRow(1, "2020-03-06", "2020-03-08")])
        let unadjusted = "{\"ConditionOccurrence\": {\"CodesetId\": 0}}"
        #expect(
            try await store.run(Self.definition(unadjusted)).rows == [
                CohortRow(1, "2020-03-01", "2020-03-10"), CohortRow(2, "2020-03-01", "2020-03-04"),
            ])
        // Both dates from the end: a one-day event on the end date.
        let fromEnd = """
            {"ConditionOccurrence": {"CodesetId": 0,
             "DateAdjustment": {"StartWith": "END_DATE", "StartOffset": 0, "EndWith": "END_DATE", "EndOffset": 1}}}
            """
        #expect(
            try await store.run(Self.definition(fromEnd)).rows == [
                CohortRow(1, "2020-03-10", "2020-03-11"), CohortRow(2, "2020-03-04", "2020-03-05"),
            ])
    }

    /// The period must contain the user's dates, which become the event's start and end.
    @Test(arguments: ["ObservationPeriod", "PayerPlanPeriod"])
    func userDefinedPeriodReplacesTheDates(domain: String) async throws {
        let store = try TestStore()
        try await store.persons([(1, 8507, 1970), (2, 8507, 1970)])
        try await store.periods([(1, "2020-01-01", "2020-12-31"), (2, "2020-04-01", "2020-12-31")])
        try await store.insert(
            "payer_plan_period",
            [
                "payer_plan_period_id", "person_id", "payer_plan_period_start_date",
                "payer_plan_period_end_date",
            ],
            [[1, 1, "2020-01-01", "2020-12-31"], [2, 2, "2020-04-01", "2020-12-31"]])
        let criterion = """
            {"\(domain)": {"UserDefinedPeriod": {"StartDate": "2020-03-01", "EndDate": "2020-09-30"}}}
            """
        #expect(
            try await store.run(Self.definition(criterion)).rows == [CohortRow(1, "2020-03-01", "2020-09-30")]
        )
        let noPeriod = "{\"\(domain)\": {}}"
        #expect(
            try await store.run(Self.definition(noPeriod)).rows == [
                CohortRow(1, "2020-01-01", "2020-12-31"), CohortRow(2, "2020-04-01", "2020-12-31"),
            ])
    }

    @Test func observationPeriodTypeConceptSet() async throws {
        let store = try TestStore()
        try await store.persons([(1, 8507, 1970), (2, 8507, 1970)])
        try await store.periods([(1, "2020-01-01", "2020-12-31"), (2, "2020-01-01", "2020-12-31")])
        try await store.execute(
            "UPDATE observation_period SET period_type_concept_id = 7 WHERE person_id = 1")
        let typed = "{\"ObservationPeriod\": {\"PeriodTypeCS\": {\"CodesetId\": 1}}}"
        #expect(
            try await store.run(Self.definition(typed)).rows == [CohortRow(1, "2020-01-01", "2020-12-31")])
        let excluded =
            "{\"ObservationPeriod\": {\"PeriodTypeCS\": {\"CodesetId\": 1, \"IsExclusion\": true}}}"
        #expect(
            try await store.run(Self.definition(excluded)).rows == [CohortRow(2, "2020-01-01", "2020-12-31")])
    }

    /// Attributes that read other tables list them for the governance gate.
    @Test func tablesReadNamesJoinedTables() throws {
        let criterion = """
            {"ConditionOccurrence": {"CodesetId": 0, "ProviderSpecialty": [{"CONCEPT_ID": 1}],
             "VisitTypeCS": {"CodesetId": 1}, "GenderCS": {"CodesetId": 2}}}
            """
        #expect(
            try Self.definition(criterion).tablesRead == [
                "condition_occurrence", "provider", "visit_occurrence", "person", "observation_period",
            ])
        let visit = "{\"VisitDetail\": {\"CodesetId\": 0, \"PlaceOfServiceCS\": {\"CodesetId\": 1}}}"
        #expect(try Self.definition(visit).tablesRead == ["visit_detail", "care_site", "observation_period"])
        for domain in ["DeviceExposure", "Specimen", "DoseEra"] {
            let table = Fixture.table(of: domain)
            #expect(
                try Self.definition("{\"\(domain)\": {\"CodesetId\": 0}}").tablesRead == [
                    table, "observation_period",
                ])
        }
    }
}
