import Foundation
import PMAPCohort
import PMAPModel
import Testing

/// Correlated criteria as circe-be's windowed-criteria SQL reads them: `RestrictVisit`,
/// `IgnoreObservationPeriod`, `Occurrence.CountColumn`, windows after the index, on its end and
/// on the event's end; and the concept-set forms of demographic criteria.
struct CirceCorrelatedTests {
    typealias J = DefinitionJSON
    /// Concept set 0: conditions (100); 1: drugs (300, 301); 2: concept 7.
    static let conceptSets = [
        J.conceptSet(0, concepts: [100]), J.conceptSet(1, concepts: [300, 301]),
        J.conceptSet(2, concepts: [7]),
    ]
    static let drugs = "{\"DrugExposure\": {\"CodesetId\": 1}}"

    /// Persons 1...n observed through 2020, each with condition 100 on `indexStart` to
    /// `indexEnd` in visit 10 + person (none for person 3).
    static func store(persons: Int64, indexStart: String = "2020-06-01", indexEnd: String = "2020-06-01")
        async throws -> TestStore
    {
        let store = try TestStore()
        try await store.persons((1...persons).map { ($0, 8507, 1970) })
        try await store.periods((1...persons).map { ($0, "2020-01-01", "2020-12-31") })
        try await store.insert(
            "condition_occurrence",
            [
                "condition_occurrence_id", "person_id", "condition_concept_id", "condition_start_date",
                "condition_end_date", "condition_type_concept_id", "visit_occurrence_id",
            ],
            (1...persons).map { person in
                [
                    .integer(person), .integer(person), 100, .text(indexStart), .text(indexEnd), 32817,
                    person == 3 ? .null : .integer(10 + person),
                ]
            })
        return store
    }

    /// Drug exposures as (person, concept, start, end, visit).
    static func drugs(_ store: TestStore, _ rows: [(Int64, Int64, String, String, Int64?)]) async throws {
        try await store.insert(
            "drug_exposure",
            [
                "drug_exposure_id", "person_id", "drug_concept_id", "drug_exposure_start_date",
                "drug_exposure_end_date", "drug_type_concept_id", "visit_occurrence_id",
            ],
            rows.enumerated().map { index, row in
                [
                    .integer(Int64(index) + 1), .integer(row.0), .integer(row.1), .text(row.2), .text(row.3),
                    32838,
                    row.4.map { .integer($0) } ?? .null,
                ]
            })
    }

    /// The persons whose condition-100 index event passes one inclusion rule holding `correlated`.
    static func subjects(_ store: TestStore, _ correlated: String) async throws -> [Int64] {
        let definition = try J.parse(
            J.definition(
                conceptSets: conceptSets, primary: ["{\"ConditionOccurrence\": {\"CodesetId\": 0}}"],
                rules: [J.group("ALL", criteria: [correlated])]))
        return try await store.run(definition).rows.map(\.subject)
    }

    /// Only drugs of the index event's own visit count; an index or drug without visit never matches.
    @Test func restrictVisitCountsOnlyEventsOfTheIndexVisit() async throws {
        let store = try await Self.store(persons: 3)
        try await Self.drugs(
            store,
            [
                (1, 300, "2020-06-01", "2020-06-02", 11), (2, 300, "2020-06-01", "2020-06-02", 99),
                (3, 300, "2020-06-01", "2020-06-02", nil),
            ])
        let anyTime = J.correlated(Self.drugs, before: nil, after: nil)
        #expect(try await Self.subjects(store, anyTime) == [1, 2, 3])
        let sameVisit = J.correlated(Self.drugs, before: nil, after: nil, extra: ", \"RestrictVisit\": true")
        #expect(try await Self.subjects(store, sameVisit) == [1])
    }

    /// Events outside the index's observation period count only with `IgnoreObservationPeriod`,
    /// and then an open window end is unbounded.
    @Test func ignoreObservationPeriodCountsEventsOutsideIt() async throws {
        let store = try await Self.store(persons: 2)
        try await Self.drugs(store, [(1, 300, "2019-06-01", "2019-06-02", nil)])
        let before = J.correlated(Self.drugs, before: nil, after: 0)
        #expect(try await Self.subjects(store, before) == [])
        let ignoring = J.correlated(
            Self.drugs, before: nil, after: 0, extra: ", \"IgnoreObservationPeriod\": true")
        #expect(try await Self.subjects(store, ignoring) == [1])
        let bounded = J.correlated(
            Self.drugs, before: 400, after: 0, extra: ", \"IgnoreObservationPeriod\": true")
        #expect(try await Self.subjects(store, bounded) == [1])
        let tooShort = J.correlated(
            Self.drugs, before: 300, after: 0, extra: ", \"IgnoreObservationPeriod\": true")
        #expect(try await Self.subjects(store, tooShort) == [])
    }

    /// At least two drug exposures, counted as events or as distinct values of a column.
    @Test func countColumnCountsDistinctValuesOfItsColumn() async throws {
        let store = try await Self.store(persons: 3)
        try await Self.drugs(
            store,
            [
                // Person 1: one date, two visits, two ends. Person 2: two dates, one visit, one end.
                // Person 3: two drugs on one date in one visit.
                (1, 300, "2020-03-01", "2020-03-10", 11), (1, 300, "2020-03-01", "2020-03-20", 12),
                (2, 300, "2020-03-01", "2020-03-10", 13), (2, 300, "2020-03-05", "2020-03-10", 13),
                (3, 300, "2020-03-01", "2020-03-10", 14), (3, 301, "2020-03-01", "2020-03-10", 14),
            ])
        func atLeastTwo(_ occurrence: String) -> String {
            """
            {"Criteria": \(Self.drugs),
             "StartWindow": {"Start": {"Days": null, "Coeff": -1}, "End": {"Days": 0, "Coeff": 1}},
             "Occurrence": {"Type": 2, "Count": 2\(occurrence)}}
            """
        }
        #expect(try await Self.subjects(store, atLeastTwo("")) == [1, 2, 3])
        #expect(try await Self.subjects(store, atLeastTwo(", \"IsDistinct\": true")) == [3])
        let expected: [(String, [Int64])] = [
            ("DOMAIN_CONCEPT", [3]), ("START_DATE", [2]), ("END_DATE", [1]), ("VISIT_ID", [1]),
            ("DURATION", [1, 2]),
        ]
        for (column, subjects) in expected {
            let distinct = ", \"IsDistinct\": true, \"CountColumn\": \"\(column)\""
            #expect(try await Self.subjects(store, atLeastTwo(distinct)) == subjects, "\(column)")
            // As in Circe, the column matters only to a distinct count.
            let plain = ", \"IsDistinct\": false, \"CountColumn\": \"\(column)\""
            #expect(try await Self.subjects(store, atLeastTwo(plain)) == [1, 2, 3], "\(column)")
        }
    }

    /// Windows after the index (both coefficients positive), on the index end, on the event end,
    /// and an end window.
    @Test func windowsInEveryDirection() async throws {
        let store = try await Self.store(persons: 3, indexStart: "2020-03-01", indexEnd: "2020-03-10")
        try await Self.drugs(
            store,
            [
                (1, 300, "2020-03-08", "2020-03-30", nil), (2, 300, "2020-03-03", "2020-03-08", nil),
                (3, 300, "2020-03-20", "2020-03-25", nil),
            ])
        func correlated(_ startWindow: String, endWindow: String? = nil) -> String {
            """
            {"Criteria": \(Self.drugs), "StartWindow": \(startWindow)\(endWindow.map { ", \"EndWindow\": \($0)" } ?? ""),
             "Occurrence": {"Type": 2, "Count": 1}}
            """
        }
        let fiveToTenAfter = "{\"Start\": {\"Days\": 5, \"Coeff\": 1}, \"End\": {\"Days\": 10, \"Coeff\": 1}"
        #expect(try await Self.subjects(store, correlated(fiveToTenAfter + "}")) == [1])
        #expect(
            try await Self.subjects(store, correlated(fiveToTenAfter + ", \"UseIndexEnd\": true}")) == [3])
        #expect(
            try await Self.subjects(store, correlated(fiveToTenAfter + ", \"UseEventEnd\": true}")) == [2])
        // Before the index: 10 to 1 days before, both coefficients negative.
        let before = "{\"Start\": {\"Days\": 10, \"Coeff\": -1}, \"End\": {\"Days\": 1, \"Coeff\": -1}}"
        #expect(try await Self.subjects(store, correlated(before)) == [])
        let anyStart = "{\"Start\": {\"Days\": null, \"Coeff\": -1}, \"End\": {\"Days\": null, \"Coeff\": 1}}"
        let endWithinTen = "{\"Start\": {\"Days\": 0, \"Coeff\": 1}, \"End\": {\"Days\": 10, \"Coeff\": 1}"
        // The end window compares the event's end unless UseEventEnd is false.
        #expect(try await Self.subjects(store, correlated(anyStart, endWindow: endWithinTen + "}")) == [2])
        #expect(
            try await Self.subjects(
                store, correlated(anyStart, endWindow: endWithinTen + ", \"UseEventEnd\": false}"))
                == [1, 2])
    }

    @Test func demographicConceptSetSelections() async throws {
        let store = try await Self.store(persons: 3)
        try await store.execute(
            "UPDATE person SET gender_concept_id = 7, race_concept_id = 7 WHERE person_id = 1")
        try await store.execute("UPDATE person SET ethnicity_concept_id = 7 WHERE person_id = 2")
        func rule(_ demographic: String) throws -> CohortDefinition {
            try J.parse(
                J.definition(
                    conceptSets: Self.conceptSets, primary: ["{\"ConditionOccurrence\": {\"CodesetId\": 0}}"],
                    rules: [J.group("ALL", demographics: [demographic])]))
        }
        let subjects = { (definition: CohortDefinition) async throws -> [Int64] in
            try await store.run(definition).rows.map(\.subject)
        }
        #expect(try await subjects(rule("{\"GenderCS\": {\"CodesetId\": 2}}")) == [1])
        #expect(
            try await subjects(rule("{\"RaceCS\": {\"CodesetId\": 2, \"IsExclusion\": true}}")) == [2, 3])
        #expect(try await subjects(rule("{\"EthnicityCS\": {\"CodesetId\": 2}}")) == [2])
    }
}

extension CirceCorrelatedTests {
    /// A nested correlated criterion on visits: the visit is the index, so `RestrictVisit` keeps
    /// visits during which a drug was given (not merely drugs on the same days).
    @Test func restrictVisitInsideANestedCriterionUsesTheVisitItself() async throws {
        let store = try await Self.store(persons: 2)
        try await store.insert(
            "visit_occurrence",
            [
                "visit_occurrence_id", "person_id", "visit_concept_id", "visit_start_date", "visit_end_date",
                "visit_type_concept_id",
            ],
            [[11, 1, 7, "2020-06-01", "2020-06-03", 32817], [12, 2, 7, "2020-06-01", "2020-06-03", 32817]])
        try await Self.drugs(
            store, [(1, 300, "2020-06-02", "2020-06-02", 11), (2, 300, "2020-06-02", "2020-06-02", 99)])
        func visits(restricted: Bool) throws -> CohortDefinition {
            let correlated = J.correlated(
                Self.drugs, before: 0, after: 5, extra: restricted ? ", \"RestrictVisit\": true" : "")
            let visit = """
                {"VisitOccurrence": {"CodesetId": 2, "CorrelatedCriteria": \(J.group("ALL", criteria: [correlated]))}}
                """
            return try J.parse(J.definition(conceptSets: Self.conceptSets, primary: [visit]))
        }
        #expect(try await store.run(visits(restricted: false)).rows.map(\.subject) == [1, 2])
        #expect(
            try await store.run(visits(restricted: true)).rows == [CohortRow(1, "2020-06-01", "2020-12-31")])
    }
}
