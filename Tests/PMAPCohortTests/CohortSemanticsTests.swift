import Foundation
import PMAPCohort
import PMAPModel
import Testing

/// Circe semantics on tiny hand-made datasets with exact expected cohort rows.
struct CohortSemanticsTests {
    typealias J = DefinitionJSON
    static let drug: Int64 = 1001
    static let conditionA: Int64 = 2001
    static let conditionB: Int64 = 2002
    static let male: Int64 = 8507
    static let female: Int64 = 8532

    static let drugSet = J.conceptSet(0, concepts: [drug])
    static let conditionSets = [
        J.conceptSet(1, concepts: [conditionA]), J.conceptSet(2, concepts: [conditionB]),
    ]
    static let drugEra = "{\"DrugEra\": {\"CodesetId\": 0}}"
    static let conditionAEvent = "{\"ConditionOccurrence\": {\"CodesetId\": 1}}"
    static let conditionBEvent = "{\"ConditionOccurrence\": {\"CodesetId\": 2}}"
    static let offsetEnd = "{\"DateOffset\": {\"DateField\": \"StartDate\", \"Offset\": 10}}"

    /// A definition on drug eras of `drug` with the given options.
    static func drugCohort(
        primary: [String] = [drugEra], prior: Int = 0, post: Int = 0, primaryLimit: String = "All",
        additional: String? = nil, qualifiedLimit: String = "All", expressionLimit: String = "All",
        rules: [String] = [], endStrategy: String? = nil, censoring: [String] = [],
        censorWindow: String = "{}",
        eraPad: Int = 0
    ) throws -> CohortDefinition {
        try J.parse(
            J.definition(
                conceptSets: [drugSet] + conditionSets, primary: primary, prior: prior, post: post,
                primaryLimit: primaryLimit, additional: additional, qualifiedLimit: qualifiedLimit,
                expressionLimit: expressionLimit, rules: rules, endStrategy: endStrategy,
                censoring: censoring,
                censorWindow: censorWindow, eraPad: eraPad))
    }

    /// Persons 1...n (male, born 1970) observed through 2020.
    static func yearStore(persons: Int64) async throws -> TestStore {
        let store = try TestStore()
        try await store.persons((1...persons).map { ($0, male, 1970) })
        try await store.periods((1...persons).map { ($0, "2020-01-01", "2020-12-31") })
        return store
    }

    static func subjects(_ run: CohortRun) -> [Int64] { run.rows.map(\.subject) }

    @Test func observationWindowNeedsPriorAndPostObservation() async throws {
        let store = try await Self.yearStore(persons: 3)
        try await store.drugEras([
            (1, Self.drug, "2020-01-10", "2020-01-20"),  // 9 days after the period starts
            (2, Self.drug, "2020-03-01", "2020-03-10"),  // 60 days after
            (3, Self.drug, "2019-06-01", "2019-06-10"),  // outside any observation period
        ])
        #expect(
            try await store.run(Self.drugCohort(prior: 30)).rows == [CohortRow(2, "2020-03-01", "2020-12-31")]
        )
        #expect(
            try await store.run(Self.drugCohort(prior: 30, post: 305)).rows == [
                CohortRow(2, "2020-03-01", "2020-12-31")
            ])
        #expect(try await store.run(Self.drugCohort(prior: 30, post: 306)).rows == [])
        #expect(Self.subjects(try await store.run(Self.drugCohort())) == [1, 2])
    }

    @Test func firstIsTheFirstEverOccurrenceBeforeOtherFilters() async throws {
        let store = try await Self.yearStore(persons: 1)
        try await store.periods([(1, "2018-01-01", "2019-12-31")])
        try await store.drugEras([
            (1, Self.drug, "2019-01-01", "2019-01-10"), (1, Self.drug, "2020-06-01", "2020-06-10"),
        ])
        let later = "\"EraStartDate\": {\"Op\": \"gt\", \"Value\": \"2020-01-01\"}"
        let firstLater = try Self.drugCohort(primary: [
            "{\"DrugEra\": {\"CodesetId\": 0, \"First\": true, \(later)}}"
        ])
        #expect(try await store.run(firstLater).rows == [])
        let anyLater = try Self.drugCohort(primary: ["{\"DrugEra\": {\"CodesetId\": 0, \(later)}}"])
        #expect(try await store.run(anyLater).rows == [CohortRow(1, "2020-06-01", "2020-12-31")])
        let first = try Self.drugCohort(primary: ["{\"DrugEra\": {\"CodesetId\": 0, \"First\": true}}"])
        #expect(try await store.run(first).rows == [CohortRow(1, "2019-01-01", "2019-12-31")])
    }

    @Test func primaryQualifiedAndExpressionLimits() async throws {
        let store = try await Self.yearStore(persons: 1)
        try await store.drugEras([
            (1, Self.drug, "2020-02-01", "2020-02-05"), (1, Self.drug, "2020-05-01", "2020-05-05"),
            (1, Self.drug, "2020-08-01", "2020-08-05"),
        ])
        try await store.conditions([
            (1, Self.conditionA, "2020-04-15", nil), (1, Self.conditionA, "2020-07-20", nil),
        ])
        let all = [
            CohortRow(1, "2020-02-01", "2020-02-11"), CohortRow(1, "2020-05-01", "2020-05-11"),
            CohortRow(1, "2020-08-01", "2020-08-11"),
        ]
        #expect(try await store.run(Self.drugCohort(endStrategy: Self.offsetEnd)).rows == all)
        #expect(
            try await store.run(Self.drugCohort(primaryLimit: "First", endStrategy: Self.offsetEnd)).rows == [
                all[0]
            ])
        #expect(
            try await store.run(Self.drugCohort(primaryLimit: "Last", endStrategy: Self.offsetEnd)).rows == [
                all[2]
            ])
        #expect(
            try await store.run(Self.drugCohort(expressionLimit: "Last", endStrategy: Self.offsetEnd)).rows
                == [all[2]])
        let afterA = J.group("ALL", criteria: [J.correlated(Self.conditionAEvent, before: 30, after: 0)])
        #expect(
            try await store.run(Self.drugCohort(additional: afterA, endStrategy: Self.offsetEnd)).rows == [
                all[1], all[2],
            ])
        #expect(
            try await store.run(
                Self.drugCohort(additional: afterA, qualifiedLimit: "First", endStrategy: Self.offsetEnd)
            ).rows
                == [all[1]])
        // An empty AdditionalCriteria object still switches the qualified limit on (as in Circe).
        #expect(
            try await store.run(
                Self.drugCohort(additional: "{}", qualifiedLimit: "First", endStrategy: Self.offsetEnd)
            )
            .rows == [all[0]])
        // Without additional criteria the qualified limit does not apply (as in Circe).
        #expect(
            try await store.run(Self.drugCohort(qualifiedLimit: "First", endStrategy: Self.offsetEnd)).rows
                == all)
    }

    @Test func criteriaGroupTypes() async throws {
        let store = try await Self.yearStore(persons: 4)
        try await store.drugEras((1...4).map { ($0, Self.drug, "2020-06-01", "2020-06-10") })
        try await store.conditions([
            (1, Self.conditionA, "2020-05-20", nil), (2, Self.conditionA, "2020-05-20", nil),
            (2, Self.conditionB, "2020-05-25", nil), (4, Self.conditionB, "2020-03-01", nil),
        ])
        let members = [
            J.correlated(Self.conditionAEvent, before: 30, after: 0),
            J.correlated(Self.conditionBEvent, before: 30, after: 0),
        ]
        func subjects(_ type: String, _ count: Int? = nil) async throws -> [Int64] {
            Self.subjects(
                try await store.run(Self.drugCohort(rules: [J.group(type, count: count, criteria: members)])))
        }
        #expect(try await subjects("ALL") == [2])
        #expect(try await subjects("ANY") == [1, 2])
        #expect(try await subjects("AT_LEAST", 1) == [1, 2])
        #expect(try await subjects("AT_LEAST", 2) == [2])
        #expect(try await subjects("AT_MOST", 1) == [1, 3, 4])
        #expect(try await subjects("AT_MOST", 0) == [3, 4])
        let nested = """
            {"Type": "ALL", "CriteriaList": [], "DemographicCriteriaList": [],
             "Groups": [\(J.group("ANY", criteria: members))]}
            """
        #expect(Self.subjects(try await store.run(Self.drugCohort(rules: [nested]))) == [1, 2])
        // Masks of the best event per person: rule 0 = ALL, rule 1 = ANY.
        let run = try await store.run(
            Self.drugCohort(rules: [J.group("ALL", criteria: members), J.group("ANY", criteria: members)]))
        #expect(run.masks == [0: 2, 2: 1, 3: 1])
        #expect(Self.subjects(run) == [2])
    }

    @Test func correlatedWindowsAndOccurrenceCounts() async throws {
        let store = try await Self.yearStore(persons: 1)
        try await store.periods([(1, "2019-01-01", "2019-11-30")])
        try await store.drugEras([(1, Self.drug, "2020-06-01", "2020-06-10")])
        try await store.conditions([
            (1, Self.conditionA, "2019-12-01", nil),  // in no observation period
            (1, Self.conditionA, "2020-05-01", "2020-05-25"),  // 31 days before, ends 7 days before
            (1, Self.conditionA, "2020-05-15", nil),  // 17 days before
            (1, Self.conditionB, "2020-05-20", nil),  // 12 days before
            (1, Self.conditionA, "2020-06-05", nil),  // 4 days after
        ])
        let aOrB = J.conceptSet(3, concepts: [Self.conditionA, Self.conditionB])
        func entered(_ criterion: String) async throws -> Bool {
            let json = J.definition(
                conceptSets: [Self.drugSet, aOrB] + Self.conditionSets, primary: [Self.drugEra],
                rules: [J.group("ALL", criteria: [criterion])])
            return try await !store.run(J.parse(json)).rows.isEmpty
        }
        let a = Self.conditionAEvent
        #expect(try await entered(J.correlated(a, before: 45, after: 0, type: 2, count: 2)))
        #expect(try await !entered(J.correlated(a, before: 45, after: 0, type: 2, count: 3)))
        #expect(try await entered(J.correlated(a, before: 45, after: 0, type: 0, count: 2)))
        #expect(try await !entered(J.correlated(a, before: 45, after: 0, type: 1, count: 1)))
        #expect(try await entered(J.correlated(a, before: 30, after: 0, type: 0, count: 1)))
        #expect(try await entered(J.correlated(a, before: 0, after: 10, type: 0, count: 1)))
        #expect(try await entered(J.correlated(a, before: 10, after: 0, type: 0, count: 0)))
        // Unbounded before: limited to the observation period unless it is ignored.
        #expect(try await entered(J.correlated(a, before: nil, after: 0, type: 0, count: 2)))
        #expect(
            try await entered(
                J.correlated(
                    a, before: nil, after: 0, type: 0, count: 3, extra: ", \"IgnoreObservationPeriod\": true")
            ))
        // UseEventEnd compares the event's end (2020-05-25) instead of its start.
        let useEnd = """
            {"Criteria": \(a),
             "StartWindow": {"Start": {"Days": 10, "Coeff": -1}, "End": {"Days": 0, "Coeff": 1},
             "UseEventEnd": true}, "Occurrence": {"Type": 0, "Count": 1}}
            """
        #expect(try await entered(useEnd))
        #expect(try await entered(J.correlated(a, before: 10, after: 0, type: 0, count: 0)))
        // Distinct counts concepts: three events in 45 days, of two concepts.
        let anyCondition = "{\"ConditionOccurrence\": {\"CodesetId\": 3}}"
        #expect(try await entered(J.correlated(anyCondition, before: 45, after: 0, type: 2, count: 3)))
        let distinct = ", \"Occurrence\": {\"Type\": 2, \"Count\": 3, \"IsDistinct\": true}"
        let distinctThree = """
            {"Criteria": \(anyCondition),
             "StartWindow": {"Start": {"Days": 45, "Coeff": -1}, "End": {"Days": 0, "Coeff": 1}}\(distinct)}
            """
        #expect(try await !entered(distinctThree))
        #expect(
            try await entered(distinctThree.replacingOccurrences(of: "\"Count\": 3", with: "\"Count\": 2")))
        // An end window on the event's end date (default): the condition ending 2020-05-25 is 7 days before.
        let endWindow = """
            {"Criteria": \(a),
             "StartWindow": {"Start": {"Days": 45, "Coeff": -1}, "End": {"Days": 0, "Coeff": 1}},
             "EndWindow": {"Start": {"Days": 8, "Coeff": -1}, "End": {"Days": 6, "Coeff": -1}},
             "Occurrence": {"Type": 0, "Count": 1}}
            """
        #expect(try await entered(endWindow))
    }

    @Test func demographicAndCriterionAgeAndGender() async throws {
        let store = try TestStore()
        try await store.persons([(1, Self.male, 1970), (2, Self.female, 1970), (3, Self.male, 1990)])
        try await store.periods((1...3).map { ($0, "2020-01-01", "2020-12-31") })
        try await store.drugEras((1...3).map { ($0, Self.drug, "2020-06-01", "2020-06-10") })
        func subjects(_ demographic: String) async throws -> [Int64] {
            Self.subjects(
                try await store.run(Self.drugCohort(rules: [J.group("ALL", demographics: [demographic])])))
        }
        #expect(try await subjects("{\"Age\": {\"Value\": 40, \"Op\": \"gt\"}}") == [1, 2])
        #expect(try await subjects("{\"Age\": {\"Value\": 50, \"Op\": \"gt\"}}") == [])
        #expect(try await subjects("{\"Age\": {\"Value\": 25, \"Extent\": 35, \"Op\": \"bt\"}}") == [3])
        #expect(try await subjects("{\"Age\": {\"Value\": 25, \"Extent\": 35, \"Op\": \"!bt\"}}") == [1, 2])
        #expect(try await subjects("{\"Age\": {\"Value\": 30, \"Op\": \"eq\"}}") == [3])
        try await store.execute(
            "UPDATE person SET race_concept_id = 8527, ethnicity_concept_id = 38003564 WHERE person_id = 2")
        #expect(try await subjects("{\"Race\": [{\"CONCEPT_ID\": 8527}]}") == [2])
        #expect(try await subjects("{\"Ethnicity\": [{\"CONCEPT_ID\": 38003564}]}") == [2])
        #expect(try await subjects("{\"Race\": [{\"CONCEPT_ID\": 8516}]}") == [])
        #expect(
            try await subjects("{\"Gender\": [{\"CONCEPT_ID\": 8507, \"CONCEPT_NAME\": \"MALE\"}]}") == [
                1, 3,
            ])
        #expect(
            try await subjects("{\"OccurrenceStartDate\": {\"Value\": \"2020-06-01\", \"Op\": \"lte\"}}") == [
                1, 2, 3,
            ])
        let criterion = """
            {"DrugEra": {"CodesetId": 0, "AgeAtStart": {"Value": 40, "Op": "gte"},
             "Gender": [{"CONCEPT_ID": 8532}]}}
            """
        #expect(Self.subjects(try await store.run(Self.drugCohort(primary: [criterion]))) == [2])
        let length = "{\"DrugEra\": {\"CodesetId\": 0, \"EraLength\": {\"Value\": 9, \"Op\": \"eq\"}}}"
        #expect(Self.subjects(try await store.run(Self.drugCohort(primary: [length]))) == [1, 2, 3])
        let longer = "{\"DrugEra\": {\"CodesetId\": 0, \"EraLength\": {\"Value\": 9, \"Op\": \"gt\"}}}"
        #expect(Self.subjects(try await store.run(Self.drugCohort(primary: [longer]))) == [])
    }

    @Test func endStrategies() async throws {
        let store = try TestStore()
        try await store.persons([(1, Self.male, 1970)])
        try await store.periods([(1, "2020-01-01", "2020-06-30")])
        try await store.drugEras([(1, Self.drug, "2020-06-01", "2020-06-10")])
        func end(_ strategy: String?) async throws -> [CohortRow] {
            try await store.run(Self.drugCohort(endStrategy: strategy)).rows
        }
        #expect(try await end(nil) == [CohortRow(1, "2020-06-01", "2020-06-30")])
        #expect(
            try await end("{\"DateOffset\": {\"DateField\": \"StartDate\", \"Offset\": 7}}")
                == [CohortRow(1, "2020-06-01", "2020-06-08")])
        #expect(
            try await end("{\"DateOffset\": {\"DateField\": \"EndDate\", \"Offset\": 5}}")
                == [CohortRow(1, "2020-06-01", "2020-06-15")])
        #expect(
            try await end("{\"DateOffset\": {\"DateField\": \"StartDate\", \"Offset\": 100}}")
                == [CohortRow(1, "2020-06-01", "2020-06-30")])
    }

    /// CustomEra: exposures within GapDays form one era; the index event ends at its era's end
    /// plus Offset, capped at the observation period's end.
    @Test func customEraEndStrategy() async throws {
        let store = try TestStore()
        try await store.persons([(1, Self.male, 1970), (2, Self.male, 1970)])
        try await store.periods([(1, "2020-01-01", "2020-12-31"), (2, "2020-01-01", "2020-01-20")])
        try await store.drugExposures([
            (1, Self.drug, "2020-01-01", "2020-01-10"), (1, Self.drug, "2020-01-15", "2020-01-25"),
            (1, Self.drug, "2020-03-01", "2020-03-10"), (2, Self.drug, "2020-01-01", "2020-01-10"),
            (2, Self.drug, "2020-01-15", "2020-01-25"),
        ])
        let exposure = "{\"DrugExposure\": {\"CodesetId\": 0}}"
        func rows(_ era: String, limit: String = "First") async throws -> [CohortRow] {
            try await store.run(
                Self.drugCohort(
                    primary: [exposure], primaryLimit: limit, endStrategy: "{\"CustomEra\": {\(era)}}")
            ).rows
        }
        #expect(
            try await rows("\"DrugCodesetId\": 0, \"GapDays\": 5")
                == [CohortRow(1, "2020-01-01", "2020-01-25"), CohortRow(2, "2020-01-01", "2020-01-20")])
        #expect(
            try await rows("\"DrugCodesetId\": 0, \"GapDays\": 4")
                == [CohortRow(1, "2020-01-01", "2020-01-10"), CohortRow(2, "2020-01-01", "2020-01-10")])
        #expect(
            try await rows("\"DrugCodesetId\": 0, \"GapDays\": 4, \"Offset\": 3")
                == [CohortRow(1, "2020-01-01", "2020-01-28"), CohortRow(2, "2020-01-01", "2020-01-20")])
        #expect(
            try await rows("\"DrugCodesetId\": 0, \"GapDays\": 5, \"DaysSupplyOverride\": 3")
                == [CohortRow(1, "2020-01-01", "2020-01-04"), CohortRow(2, "2020-01-01", "2020-01-04")])
        #expect(
            try await rows("\"DrugCodesetId\": 0, \"GapDays\": 5", limit: "All") == [
                CohortRow(1, "2020-01-01", "2020-01-25"), CohortRow(1, "2020-03-01", "2020-03-10"),
                CohortRow(2, "2020-01-01", "2020-01-20"),
            ])
    }

    @Test func censoringCriteriaEndAtTheFirstCensoringEvent() async throws {
        let store = try await Self.yearStore(persons: 3)
        try await store.drugEras((1...3).map { ($0, Self.drug, "2020-06-01", "2020-06-10") })
        try await store.conditions([
            (1, Self.conditionA, "2020-05-01", nil), (1, Self.conditionA, "2020-09-01", nil),
            (1, Self.conditionA, "2020-07-15", nil), (3, Self.conditionA, "2020-06-01", nil),
        ])
        #expect(
            try await store.run(Self.drugCohort(censoring: [Self.conditionAEvent])).rows == [
                CohortRow(1, "2020-06-01", "2020-07-15"), CohortRow(2, "2020-06-01", "2020-12-31"),
                CohortRow(3, "2020-06-01", "2020-06-01"),
            ])
    }

    @Test func censorWindowClampsAndDropsEmptyPeriods() async throws {
        let store = try await Self.yearStore(persons: 3)
        try await store.periods([(3, "2019-01-01", "2019-12-31")])
        try await store.drugEras([
            (1, Self.drug, "2020-03-01", "2020-03-10"), (2, Self.drug, "2020-10-15", "2020-10-20"),
            (3, Self.drug, "2019-03-01", "2019-03-10"),
        ])
        let window = "{\"StartDate\": \"2020-06-01\", \"EndDate\": \"2020-09-30\"}"
        #expect(
            try await store.run(Self.drugCohort(censorWindow: window)).rows == [
                CohortRow(1, "2020-06-01", "2020-09-30")
            ])
        let startOnly = "{\"StartDate\": \"2020-06-01\"}"
        #expect(
            try await store.run(Self.drugCohort(censorWindow: startOnly)).rows == [
                CohortRow(1, "2020-06-01", "2020-12-31"), CohortRow(2, "2020-10-15", "2020-12-31"),
            ])
    }

    @Test func eraCollapseMergesOverlapsAndGapsWithinPad() async throws {
        let store = try await Self.yearStore(persons: 1)
        try await store.drugEras([
            (1, Self.drug, "2020-01-01", "2020-01-05"), (1, Self.drug, "2020-01-03", "2020-01-08"),
            (1, Self.drug, "2020-01-18", "2020-01-20"), (1, Self.drug, "2020-03-01", "2020-03-02"),
        ])
        let atEnd = "{\"DateOffset\": {\"DateField\": \"EndDate\", \"Offset\": 0}}"
        let separate = [
            CohortRow(1, "2020-01-01", "2020-01-08"), CohortRow(1, "2020-01-18", "2020-01-20"),
            CohortRow(1, "2020-03-01", "2020-03-02"),
        ]
        #expect(try await store.run(Self.drugCohort(endStrategy: atEnd, eraPad: 0)).rows == separate)
        #expect(try await store.run(Self.drugCohort(endStrategy: atEnd, eraPad: 9)).rows == separate)
        #expect(
            try await store.run(Self.drugCohort(endStrategy: atEnd, eraPad: 10)).rows == [
                CohortRow(1, "2020-01-01", "2020-01-20"), CohortRow(1, "2020-03-01", "2020-03-02"),
            ])
    }

    @Test func conceptSetsExpandDescendantsMappedAndExclusions() async throws {
        let store = try await Self.yearStore(persons: 5)
        try await store.vocabulary(
            concepts: [(100, true), (101, true), (102, false), (103, true), (104, true)],
            ancestors: [(100, 101), (100, 102)], mapsTo: [(103, 100), (104, 101)])
        try await store.conditions((1...5).map { ($0, 99 + $0, "2020-06-01", nil) })
        func subjects(_ items: [J.Item]) async throws -> [Int64] {
            let json = J.definition(
                conceptSets: [J.conceptSet(0, items)],
                primary: ["{\"ConditionOccurrence\": {\"CodesetId\": 0}}"])
            return Self.subjects(try await store.run(J.parse(json)))
        }
        #expect(try await subjects([(100, false, false, false)]) == [1])
        #expect(try await subjects([(100, false, true, false)]) == [1, 2])
        #expect(try await subjects([(100, false, true, false), (101, true, false, false)]) == [1])
        #expect(try await subjects([(100, false, false, true)]) == [1, 4])
        #expect(try await subjects([(100, false, true, true)]) == [1, 2, 4, 5])
        #expect(try await subjects([(100, false, true, true), (101, true, false, false)]) == [1, 4, 5])
        #expect(try await subjects([(100, false, true, true), (101, true, false, true)]) == [1, 4])
    }

    /// A criterion's own CorrelatedCriteria keep only its rows that satisfy them as index events.
    @Test func nestedCorrelatedCriteria() async throws {
        let store = try await Self.yearStore(persons: 2)
        try await store.conditions([
            (1, Self.conditionA, "2020-06-01", nil), (2, Self.conditionA, "2020-06-01", nil),
        ])
        try await store.drugEras([
            (1, Self.drug, "2020-05-25", "2020-05-30"), (2, Self.drug, "2020-04-01", "2020-04-05"),
        ])
        let drugBefore = J.group("ALL", criteria: [J.correlated(Self.drugEra, before: 10, after: 0)])
        let primary = "{\"ConditionOccurrence\": {\"CodesetId\": 1, \"CorrelatedCriteria\": \(drugBefore)}}"
        let definition = try Self.drugCohort(primary: [primary])
        #expect(definition.tablesRead == ["condition_occurrence", "drug_era", "observation_period"])
        #expect(try await store.run(definition).rows == [CohortRow(1, "2020-06-01", "2020-12-31")])
        let without = try Self.drugCohort(primary: ["{\"ConditionOccurrence\": {\"CodesetId\": 1}}"])
        #expect(Self.subjects(try await store.run(without)) == [1, 2])
    }

    /// DaysSupply, Quantity and Refills of drug exposures.
    @Test func drugExposureColumnRanges() async throws {
        let store = try await Self.yearStore(persons: 3)
        try await store.insert(
            "drug_exposure",
            [
                "drug_exposure_id", "person_id", "drug_concept_id", "drug_exposure_start_date",
                "drug_exposure_end_date", "drug_type_concept_id", "days_supply", "quantity", "refills",
            ],
            [
                [1, 1, .integer(Self.drug), "2020-06-01", "2020-06-30", 0, 30, .real(60), 0],
                [2, 2, .integer(Self.drug), "2020-06-01", "2020-06-10", 0, 10, .real(10.5), 2],
                [3, 3, .integer(Self.drug), "2020-06-01", "2020-06-10", 0, .null, .null, .null],
            ])
        func subjects(_ attributes: String) async throws -> [Int64] {
            Self.subjects(
                try await store.run(
                    Self.drugCohort(primary: ["{\"DrugExposure\": {\"CodesetId\": 0, \(attributes)}}"])))
        }
        #expect(try await subjects("\"DaysSupply\": {\"Value\": 30, \"Op\": \"gte\"}") == [1])
        #expect(try await subjects("\"Quantity\": {\"Value\": 10.25, \"Extent\": 20, \"Op\": \"bt\"}") == [2])
        #expect(try await subjects("\"Refills\": {\"Value\": 1, \"Op\": \"lt\"}") == [1])
    }

    /// Type concepts filter after `First`, source-concept sets before it, like the standard set.
    @Test func typeAndSourceConcepts() async throws {
        let store = try await Self.yearStore(persons: 2)
        try await store.insert(
            "condition_occurrence",
            [
                "condition_occurrence_id", "person_id", "condition_concept_id", "condition_start_date",
                "condition_type_concept_id", "condition_source_concept_id",
            ],
            [
                [1, 1, .integer(Self.conditionA), "2020-06-01", 32817, 900],
                [2, 2, .integer(Self.conditionA), "2020-06-01", 32020, 901],
                [3, 2, .integer(Self.conditionA), "2020-07-01", 32817, 902],
            ])
        func subjects(_ attributes: String, sets: [String] = []) async throws -> [Int64] {
            let json = J.definition(
                conceptSets: Self.conditionSets + sets,
                primary: ["{\"ConditionOccurrence\": {\(attributes)}}"])
            return Self.subjects(try await store.run(J.parse(json)))
        }
        let typed = "\"CodesetId\": 1, \"ConditionType\": [{\"CONCEPT_ID\": 32817}]"
        #expect(try await subjects(typed) == [1, 2])
        #expect(try await subjects(typed + ", \"ConditionTypeExclude\": true") == [2])
        #expect(try await subjects(typed + ", \"First\": true") == [1])
        let source = [J.conceptSet(5, concepts: [900, 902])]
        #expect(try await subjects("\"ConditionSourceConcept\": 5", sets: source) == [1, 2])
        #expect(try await subjects("\"ConditionSourceConcept\": 5, \"First\": true", sets: source) == [1, 2])
        #expect(try await subjects("\"CodesetId\": 2, \"ConditionSourceConcept\": 5", sets: source) == [])
    }

    @Test func optedOutPersonsNeverEnter() async throws {
        let store = try await Self.yearStore(persons: 2)
        try await store.drugEras((1...2).map { ($0, Self.drug, "2020-06-01", "2020-06-10") })
        try await store.optOut(2)
        #expect(Self.subjects(try await store.run(Self.drugCohort())) == [1])
        #expect(Self.subjects(try await store.run(Self.drugCohort(), excludeOptedOut: false)) == [1, 2])
    }

    @Test func measurementValueAndUnit() async throws {
        let store = try await Self.yearStore(persons: 3)
        try await store.measurements([
            (1, 3_004_410, "2020-06-01", 8.0, 8554), (2, 3_004_410, "2020-06-01", 7.0, 8554),
            (3, 3_004_410, "2020-06-01", 9.0, 8840),
        ])
        let json = J.definition(
            conceptSets: [J.conceptSet(0, concepts: [3_004_410])],
            primary: [
                """
                {"Measurement": {"CodesetId": 0, "ValueAsNumber": {"Value": 7.5, "Op": "gt"},
                 "Unit": [{"CONCEPT_ID": 8554, "CONCEPT_NAME": "percent"}]}}
                """
            ])
        #expect(try await store.run(J.parse(json)).rows == [CohortRow(1, "2020-06-01", "2020-12-31")])
    }
}
