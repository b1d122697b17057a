import Foundation
import PMAPCohort
import PMAPTestSupport
import Testing

/// The design checks of correlated criteria, groups and demographics, each on a definition with
/// the problem and on a near-identical one without it.
struct CriteriaCheckTests {
    typealias C = CheckJSON
    typealias J = DefinitionJSON

    static let measurement = "{\"Measurement\": {\"CodesetId\": 0}}"
    static let firstRule = "InclusionRules[0].expression"

    static func withRule(
        _ criteria: [String] = [], demographics: [String] = [], type: String = "ALL", count: Int? = nil
    )
        -> String
    {
        C.definition(rules: [C.group(type, count: count, criteria: criteria, demographics: demographics)])
    }

    // MARK: windows and occurrences

    @Test func windowEndingBeforeItStartsIsAnError() throws {
        let found = try C.found(
            .impossibleWindow, Self.withRule([C.windowed(Self.measurement, start: 30, end: 10)]))
        #expect(found.map(\.severity) == [.error])
        #expect(found.first?.path == "\(Self.firstRule).CriteriaList[0].StartWindow")
        #expect(found.first?.message.contains("30 days after to 10 days after") == true)
        #expect(
            try C.found(.impossibleWindow, Self.withRule([C.windowed(Self.measurement, start: 10, end: 30)]))
                .isEmpty)
    }

    @Test func atLeastZeroIsAWarning() throws {
        let found = try C.found(
            .atLeastZero, Self.withRule([C.windowed(Self.measurement, start: -30, end: 0, count: 0)]))
        #expect(found.map(\.severity) == [.warning])
        #expect(found.first?.path == "\(Self.firstRule).CriteriaList[0].Occurrence")
        #expect(
            try C.found(.atLeastZero, Self.withRule([C.windowed(Self.measurement, start: -30, end: 0)]))
                .isEmpty)
    }

    @Test func distinctCountOfNoneIsANote() throws {
        func rule(type: Int, count: Int) -> String {
            Self.withRule([
                C.windowed(Self.measurement, start: -30, end: 0, type: type, count: count, distinct: true)
            ])
        }
        let found = try C.found(.distinctWithoutEffect, rule(type: 0, count: 0))
        #expect(found.map(\.severity) == [.info])
        #expect(found.first?.path == "\(Self.firstRule).CriteriaList[0].Occurrence.IsDistinct")
        #expect(try C.found(.distinctWithoutEffect, rule(type: 1, count: 0)).count == 1)
        #expect(try C.found(.distinctWithoutEffect, rule(type: 2, count: 2)).isEmpty)
    }

    @Test func deathBeforeTheIndexIsAWarning() throws {
        let death = "{\"Death\": {\"CodesetId\": 0}}"
        let found = try C.found(
            .deathBeforeIndex, Self.withRule([C.windowed(death, start: -365, end: -1, type: 0, count: 0)]))
        #expect(found.map(\.severity) == [.warning])
        #expect(found.first?.path == "\(Self.firstRule).CriteriaList[0].StartWindow")
        #expect(try C.found(.deathBeforeIndex, Self.withRule([C.windowed(death, start: 0, end: 30)])).isEmpty)
    }

    @Test func lookBackBeyondRequiredObservationIsANote() throws {
        func definition(prior: Int) -> String {
            C.definition(
                prior: prior, rules: [C.group(criteria: [C.windowed(Self.measurement, start: -365, end: 0)])])
        }
        let found = try C.found(.lookBeyondObservation, definition(prior: 0))
        #expect(found.map(\.severity) == [.info])
        #expect(found.first?.path == "\(Self.firstRule).CriteriaList[0].StartWindow.Start")
        #expect(try C.found(.lookBeyondObservation, definition(prior: 365)).isEmpty)
    }

    @Test func windowUnlikeTheOthersIsANote() throws {
        func rule(lastStart: Int) -> String {
            Self.withRule(
                [-365, -365, lastStart].map { C.windowed(Self.measurement, start: $0, end: 0) }, type: "ANY")
        }
        let found = try C.found(.timePattern, rule(lastStart: -30))
        #expect(found.map(\.severity) == [.info])
        #expect(found.first?.path == "\(Self.firstRule).CriteriaList[2].StartWindow.Start")
        #expect(try C.found(.timePattern, rule(lastStart: -365)).isEmpty)
    }

    @Test func drugEraInAnUnboundedWindowIsANote() throws {
        let found = try C.found(
            .drugEraDaysSupply, Self.withRule([C.windowed(C.drugEra, start: nil, end: nil)]))
        #expect(found.map(\.severity) == [.info])
        #expect(found.first?.path == "\(Self.firstRule).CriteriaList[0].Criteria.DrugEra")
        #expect(
            try C.found(.drugEraDaysSupply, Self.withRule([C.windowed(C.drugEra, start: -30, end: 0)]))
                .isEmpty)
    }

    // MARK: groups

    @Test func inclusionRuleWithoutCriteriaIsAnError() throws {
        let found = try C.found(.emptyInclusionRule, Self.withRule())
        #expect(found.map(\.severity) == [.error])
        #expect(found.first?.path == Self.firstRule)
        #expect(
            try C.found(
                .emptyInclusionRule, Self.withRule([C.windowed(Self.measurement, start: -30, end: 0)])
            ).isEmpty)
    }

    @Test func emptyNestedGroupIsAWarning() throws {
        func definition(_ nested: String) -> String {
            C.definition(rules: [
                C.group("ANY", criteria: [C.windowed(Self.measurement, start: -30, end: 0)], groups: [nested])
            ])
        }
        let found = try C.found(.emptyGroup, definition(C.group()))
        #expect(found.map(\.severity) == [.warning])
        #expect(found.first?.path == "\(Self.firstRule).Groups[0]")
        #expect(
            try C.found(
                .emptyGroup, definition(C.group(criteria: [C.windowed(C.drugEra, start: -9, end: 0)]))
            ).isEmpty)
    }

    @Test func groupCountsNoGroupCanMeetOrAlwaysMeets() throws {
        let two = [
            C.windowed(Self.measurement, start: -30, end: 0), C.windowed(C.drugEra, start: -30, end: 0),
        ]
        let found = try C.found(.unsatisfiableGroupCount, Self.withRule(two, type: "AT_LEAST", count: 3))
        #expect(found.map(\.severity) == [.error])
        #expect(found.first?.path == "\(Self.firstRule).Count")
        #expect(try C.found(.unsatisfiableGroupCount, Self.withRule(two, type: "AT_LEAST", count: 2)).isEmpty)
        #expect(
            try C.found(.trivialGroupCount, Self.withRule(two, type: "AT_MOST", count: 2)).map(\.severity)
                == [.warning])
        #expect(try C.found(.trivialGroupCount, Self.withRule(two, type: "AT_LEAST", count: 0)).count == 1)
        #expect(try C.found(.trivialGroupCount, Self.withRule(two, type: "AT_MOST", count: 1)).isEmpty)
    }

    @Test func theSameCriterionTwiceIsAWarning() throws {
        let once = C.windowed(Self.measurement, start: -30, end: 0)
        let found = try C.found(.duplicateCriterion, Self.withRule([once, once]))
        #expect(found.map(\.severity) == [.warning])
        #expect(found.first?.path == "\(Self.firstRule).CriteriaList[1]")
        #expect(
            try C.found(
                .duplicateCriterion, Self.withRule([once, C.windowed(Self.measurement, start: -60, end: 0)])
            )
            .isEmpty)
        #expect(
            try C.found(.duplicateCriterion, C.definition(primary: [C.condition, C.condition])).count == 1)
    }

    @Test func countsThatContradictInOneWindowAreAnError() throws {
        let none = C.windowed(Self.measurement, start: -365, end: 0, type: 0, count: 0)
        let found = try C.found(
            .contradictoryOccurrences,
            Self.withRule([none, C.windowed(Self.measurement, start: -30, end: 0)]))
        #expect(found.map(\.severity) == [.error])
        #expect(found.first?.path == "\(Self.firstRule).CriteriaList[1].Occurrence")
        // After the index is outside the "none" window: no contradiction; nor in an ANY group.
        let after = C.windowed(Self.measurement, start: -30, end: 30)
        #expect(try C.found(.contradictoryOccurrences, Self.withRule([none, after])).isEmpty)
        let inside = C.windowed(Self.measurement, start: -30, end: 0)
        #expect(try C.found(.contradictoryOccurrences, Self.withRule([none, inside], type: "ANY")).isEmpty)
    }

    @Test func earlierEventOfAFirstTimeIndexIsAnError() throws {
        func definition(first: Bool) -> String {
            C.definition(
                primary: ["{\"ConditionOccurrence\": {\"CodesetId\": 0, \"First\": \(first)}}"],
                rules: [C.group(criteria: [C.windowed(C.condition, start: -365, end: -1)])])
        }
        let found = try C.found(.firstEventContradiction, definition(first: true))
        #expect(found.map(\.severity) == [.error])
        #expect(found.first?.path == "\(Self.firstRule).CriteriaList[0]")
        #expect(try C.found(.firstEventContradiction, definition(first: false)).isEmpty)
    }

    @Test func demographicsNoOneMeetsAreAnError() throws {
        let young = "{\"Age\": {\"Value\": 18, \"Op\": \"lt\"}}"
        let old = "{\"Age\": {\"Value\": 65, \"Op\": \"gt\"}}"
        let found = try C.found(.contradictoryDemographics, Self.withRule(demographics: [young, old]))
        #expect(found.map(\.severity) == [.error])
        #expect(found.first?.path == "\(Self.firstRule).DemographicCriteriaList[1].Age")
        #expect(
            try C.found(.contradictoryDemographics, Self.withRule(demographics: [young, old], type: "ANY"))
                .isEmpty)
        let male = "{\"Gender\": [{\"CONCEPT_ID\": 8507}]}"
        let female = "{\"Gender\": [{\"CONCEPT_ID\": 8532}]}"
        #expect(
            try C.found(.contradictoryDemographics, Self.withRule(demographics: [male, female])).count == 1)
        #expect(try C.found(.contradictoryDemographics, Self.withRule(demographics: [male, young])).isEmpty)
    }

    @Test func demographicWithoutAttributesIsAWarning() throws {
        let found = try C.found(.demographicWithoutAttributes, Self.withRule(demographics: ["{}"]))
        #expect(found.map(\.severity) == [.warning])
        #expect(found.first?.path == "\(Self.firstRule).DemographicCriteriaList[0]")
        #expect(
            try C.found(
                .demographicWithoutAttributes,
                Self.withRule(demographics: ["{\"Age\": {\"Value\": 1, \"Op\": \"gt\"}}"])
            )
            .isEmpty)
    }

    // MARK: real definitions

    @Test(.enabled(if: SharedData.shouldRun, Comment(rawValue: SharedData.skipMessage)))
    func eunomiaDefinitionsHaveNoErrors() throws {
        for name in ["celecoxib", "celecoxibAge40", "celecoxibAge40Male", "celecoxibCensored"] {
            let json = try Data(contentsOf: try SharedData.file("eunomia-gibleed/cohorts/\(name).json"))
            let errors = try CohortDefinition.parse(json).checks().filter { $0.severity == .error }
            #expect(errors.isEmpty, "\(name): \(errors)")
        }
    }

    @Test func theEverythingDefinitionHasNoErrors() throws {
        let errors = try J.parse(J.everything).checks().filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors)")
    }
}
