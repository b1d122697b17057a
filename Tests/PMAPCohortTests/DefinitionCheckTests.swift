import Foundation
import PMAPCohort
import Testing

/// Each design check fires on a small definition that has the problem, with its severity and
/// path, and stays quiet on a near-identical one that does not.
struct DefinitionCheckTests {
    typealias C = CheckJSON
    typealias J = DefinitionJSON

    static func rule(_ criterion: String) -> String { C.group(criteria: [criterion]) }

    // MARK: concept sets

    @Test func emptyConceptSetUsedByACriterionIsAnError() throws {
        func definition(_ set1: String) -> String {
            C.definition(
                conceptSets: [J.conceptSet(0, concepts: [1]), set1],
                rules: [Self.rule(C.windowed("{\"Measurement\": {\"CodesetId\": 1}}", start: -30, end: 0))])
        }
        let found = try C.found(.emptyConceptSet, definition(J.conceptSet(1, concepts: [])))
        #expect(found.map(\.severity) == [.error])
        #expect(found.first?.path == "ConceptSets[1]")
        #expect(
            found.first?.message.contains("InclusionRules[0].expression.CriteriaList[0].Criteria") == true)
        #expect(
            try C.found(.emptyConceptSet, definition(J.conceptSet(1, [(5, true, false, false)]))).count == 1)
        #expect(try C.found(.emptyConceptSet, definition(J.conceptSet(1, concepts: [5]))).isEmpty)
    }

    @Test func conceptSetUsedNowhereIsAWarning() throws {
        let sets = [J.conceptSet(0, concepts: [1]), J.conceptSet(1, concepts: [2])]
        let found = try C.found(.unusedConceptSet, C.definition(conceptSets: sets))
        #expect(found.map(\.severity) == [.warning])
        #expect(found.first?.path == "ConceptSets[1]")
        let used = C.definition(
            conceptSets: sets, endStrategy: "{\"CustomEra\": {\"DrugCodesetId\": 1, \"GapDays\": 30}}")
        #expect(try C.found(.unusedConceptSet, used).isEmpty)
        // An empty set used nowhere is only unused, not an error.
        let emptyUnused = C.definition(conceptSets: [
            J.conceptSet(0, concepts: [1]), J.conceptSet(1, concepts: []),
        ])
        #expect(try C.found(.emptyConceptSet, emptyUnused).isEmpty)
        #expect(try C.found(.unusedConceptSet, emptyUnused).count == 1)
    }

    @Test func conceptSetsWithTheSameItemsAreAWarning() throws {
        func definition(_ second: [Int64]) -> String {
            C.definition(
                conceptSets: [J.conceptSet(0, concepts: [1, 2]), J.conceptSet(1, concepts: second)],
                primary: [C.condition, "{\"ConditionOccurrence\": {\"CodesetId\": 1}}"])
        }
        let found = try C.found(.duplicateConceptSet, definition([2, 1]))
        #expect(found.map(\.severity) == [.warning])
        #expect(found.first?.path == "ConceptSets[1]")
        #expect(try C.found(.duplicateConceptSet, definition([2, 3])).isEmpty)
    }

    @Test func criterionWithoutConceptSetIsAWarning() throws {
        let found = try C.found(
            .criterionWithoutConceptSet,
            C.definition(primary: ["{\"ConditionOccurrence\": {\"First\": true}}"]))
        #expect(found.map(\.severity) == [.warning])
        #expect(found.first?.path == "PrimaryCriteria.CriteriaList[0].ConditionOccurrence")
        #expect(try C.found(.criterionWithoutConceptSet, C.definition()).isEmpty)
        #expect(
            try C.found(
                .criterionWithoutConceptSet,
                C.definition(primary: ["{\"ObservationPeriod\": {\"First\": true}}"])
            ).isEmpty)
    }

    @Test func criteriaWithoutTypeFilterGetOneNote() throws {
        let found = try C.found(.recordTypeUnspecified, C.definition(primary: [C.condition, C.condition]))
        #expect(found.map(\.severity) == [.info])
        #expect(found.first?.message.contains("1 other") == true)
        let typed =
            "{\"ConditionOccurrence\": {\"CodesetId\": 0, \"ConditionType\": [{\"CONCEPT_ID\": 32020}]}}"
        #expect(try C.found(.recordTypeUnspecified, C.definition(primary: [typed])).isEmpty)
    }

    // MARK: ranges

    @Test func invertedRangesAreErrors() throws {
        func age(_ value: Int, _ extent: Int) -> String {
            "{\"ConditionOccurrence\": {\"CodesetId\": 0, \"Age\": {\"Value\": \(value), \"Extent\": \(extent), \"Op\": \"bt\"}}}"
        }
        let found = try C.found(.invertedRange, C.definition(primary: [age(65, 18)]))
        #expect(found.map(\.severity) == [.error])
        #expect(found.first?.path == "PrimaryCriteria.CriteriaList[0].ConditionOccurrence.Age")
        #expect(try C.found(.invertedRange, C.definition(primary: [age(18, 65)])).isEmpty)

        let dates = "{\"DrugEra\": {\"CodesetId\": 0, \"EraStartDate\": "
        let late = dates + "{\"Value\": \"2020-01-01\", \"Extent\": \"2019-01-01\", \"Op\": \"bt\"}}}"
        let early = dates + "{\"Value\": \"2019-01-01\", \"Extent\": \"2020-01-01\", \"Op\": \"bt\"}}}"
        #expect(
            try C.found(.invertedRange, C.definition(primary: [late])).map(\.path)
                == ["PrimaryCriteria.CriteriaList[0].DrugEra.EraStartDate"])
        #expect(try C.found(.invertedRange, C.definition(primary: [early])).isEmpty)

        let window = "{\"StartDate\": \"2020-01-01\", \"EndDate\": \"2010-01-01\"}"
        #expect(
            try C.found(.invertedRange, C.definition(censorWindow: window)).map(\.path) == ["CensorWindow"])
        let ordered = "{\"StartDate\": \"2010-01-01\", \"EndDate\": \"2020-01-01\"}"
        #expect(try C.found(.invertedRange, C.definition(censorWindow: ordered)).isEmpty)
    }

    @Test func rangesNoRecordCanMeetAreErrors() throws {
        func primary(_ attribute: String) -> String {
            C.definition(primary: ["{\"DrugEra\": {\"CodesetId\": 0, \(attribute)}}"])
        }
        let found = try C.found(.impossibleRange, primary("\"AgeAtStart\": {\"Value\": 0, \"Op\": \"lt\"}"))
        #expect(found.map(\.severity) == [.error])
        #expect(found.first?.path == "PrimaryCriteria.CriteriaList[0].DrugEra.AgeAtStart")
        #expect(
            try C.found(.impossibleRange, primary("\"AgeAtStart\": {\"Value\": 1, \"Op\": \"lt\"}")).isEmpty)
        #expect(
            try C.found(.impossibleRange, primary("\"EraLength\": {\"Value\": -1, \"Op\": \"lte\"}")).count
                == 1)
        #expect(
            try C.found(.impossibleRange, primary("\"EraLength\": {\"Value\": 0, \"Op\": \"lte\"}")).isEmpty)
        #expect(
            try C.found(.impossibleRange, primary("\"OccurrenceCount\": {\"Value\": 1, \"Op\": \"lt\"}"))
                .count == 1)
        #expect(
            try C.found(.impossibleRange, primary("\"OccurrenceCount\": {\"Value\": 2, \"Op\": \"lt\"}"))
                .isEmpty)
        // Measurement values may be negative.
        let value =
            "{\"Measurement\": {\"CodesetId\": 0, \"ValueAsNumber\": {\"Value\": -3, \"Op\": \"lt\"}}}"
        #expect(try C.found(.impossibleRange, C.definition(primary: [value])).isEmpty)
    }

    @Test func ageAtEndBelowAgeAtStartIsAnError() throws {
        func era(_ end: Int) -> String {
            C.definition(primary: [
                "{\"ConditionEra\": {\"CodesetId\": 0, \"AgeAtStart\": {\"Value\": 65, \"Op\": \"gte\"}, "
                    + "\"AgeAtEnd\": {\"Value\": \(end), \"Op\": \"lt\"}}}"
            ])
        }
        let found = try C.found(.contradictoryAges, era(60))
        #expect(found.map(\.severity) == [.error])
        #expect(found.first?.path == "PrimaryCriteria.CriteriaList[0].ConditionEra.AgeAtEnd")
        #expect(try C.found(.contradictoryAges, era(70)).isEmpty)
    }

    @Test func negativeObservationWindowIsAnError() throws {
        let found = try C.found(.negativeObservationWindow, C.definition(prior: -1))
        #expect(found.map(\.severity) == [.error])
        #expect(found.first?.path == "PrimaryCriteria.ObservationWindow.PriorDays")
        #expect(try C.found(.negativeObservationWindow, C.definition(prior: 0, post: 3)).isEmpty)
    }

    // MARK: the exit, limits and errors first

    @Test func exitBeforeEntry() throws {
        func offset(_ field: String, _ days: Int) throws -> [DefinitionCheck] {
            try C.found(
                .exitBeforeEntry,
                C.definition(
                    endStrategy: "{\"DateOffset\": {\"DateField\": \"\(field)\", \"Offset\": \(days)}}"))
        }
        #expect(try offset("StartDate", -5).map(\.severity) == [.error])
        #expect(try offset("StartDate", -5).first?.path == "EndStrategy.DateOffset.Offset")
        #expect(try offset("StartDate", 0).map(\.severity) == [.warning])
        #expect(try offset("StartDate", 5).isEmpty)
        #expect(try offset("EndDate", -3).map(\.severity) == [.warning])
        #expect(try offset("EndDate", 0).isEmpty)
        let era = "{\"CustomEra\": {\"DrugCodesetId\": 0, \"GapDays\": 30, \"DaysSupplyOverride\": "
        #expect(
            try C.found(.exitBeforeEntry, C.definition(endStrategy: era + "-1}}")).map(\.path)
                == ["EndStrategy.CustomEra.DaysSupplyOverride"])
        #expect(try C.found(.exitBeforeEntry, C.definition(endStrategy: era + "7}}")).isEmpty)
    }

    @Test func limitAfterAOneEventLimitIsAWarning() throws {
        let found = try C.found(
            .limitWithoutEffect, C.definition(primaryLimit: "First", expressionLimit: "All"))
        #expect(found.map(\.severity) == [.warning])
        #expect(found.first?.path == "ExpressionLimit")
        #expect(
            try C.found(.limitWithoutEffect, C.definition(primaryLimit: "All", expressionLimit: "First"))
                .isEmpty)
        #expect(
            try C.found(.limitWithoutEffect, C.definition(primaryLimit: "First", expressionLimit: "First"))
                .isEmpty)
    }

    @Test func allEventsToTheEndOfObservationIsAWarning() throws {
        let found = try C.found(
            .allEventsWithoutExit, C.definition(primaryLimit: "All", expressionLimit: "All"))
        #expect(found.map(\.severity) == [.warning])
        #expect(found.first?.path == "EndStrategy")
        let exit = "{\"DateOffset\": {\"DateField\": \"StartDate\", \"Offset\": 30}}"
        #expect(
            try C.found(
                .allEventsWithoutExit,
                C.definition(primaryLimit: "All", expressionLimit: "All", endStrategy: exit)
            ).isEmpty)
    }

    @Test func drugEntryWithoutDrugExitIsANote() throws {
        let found = try C.found(.drugExitStrategy, C.definition(primary: [C.drugEra]))
        #expect(found.map(\.severity) == [.info])
        let exit = "{\"CustomEra\": {\"DrugCodesetId\": 0, \"GapDays\": 30}}"
        #expect(try C.found(.drugExitStrategy, C.definition(primary: [C.drugEra], endStrategy: exit)).isEmpty)
        #expect(try C.found(.drugExitStrategy, C.definition()).isEmpty)
    }

    @Test func findingsComeErrorsFirst() throws {
        let json = C.definition(
            conceptSets: [J.conceptSet(0, concepts: [1]), J.conceptSet(1, concepts: [2])], prior: -1)
        let severities = try J.parse(json).checks().map(\.severity)
        #expect(severities.contains(.error) && severities.contains(.warning))
        #expect(severities == severities.sorted())
    }
}
