import Foundation
import PMAPCohort
import PMAPTestSupport
import Testing

/// `circeJSON()` writes back what `parse` read: every fixture definition survives parse → write
/// → parse (same bytes when written again, same meaning as the original JSON, same SQL).
struct DefinitionWriterTests {
    typealias J = DefinitionJSON

    static let eunomiaNames = ["celecoxib", "celecoxibAge40", "celecoxibAge40Male", "celecoxibCensored"]

    @Test(
        .enabled(if: SharedData.shouldRun, Comment(rawValue: SharedData.skipMessage)), arguments: eunomiaNames
    )
    func eunomiaDefinitionsSurviveARoundTrip(_ name: String) throws {
        let url = try SharedData.file("eunomia-gibleed/cohorts/\(name).json")
        try RoundTrip.check(try Data(contentsOf: url), name)
    }

    @Test func theEverythingDefinitionSurvivesARoundTrip() throws {
        try RoundTrip.check(J.everything, "everything")
    }

    @Test func goldenDefinitionsSurviveARoundTrip() throws {
        try RoundTrip.check(GoldenSQLTests.definition, "golden")
        try RoundTrip.check(GoldenSQLTests.circeDefinition, "golden circe")
    }

    @Test(arguments: CirceAttributeTests.allCases)
    func everyAttributeCaseSurvivesARoundTrip(_ testCase: AttributeCase) throws {
        try RoundTrip.check(CirceAttributeFixture.json(testCase.domain, testCase.attributes), testCase.name)
    }

    @Test func everyDomainCriterionSurvivesARoundTrip() throws {
        let measurement =
            "{\"Measurement\": {\"CodesetId\": 0, \"ValueAsNumber\": {\"Value\": 1.5, \"Op\": \"lt\"}}}"
        for criterion in J.domainCriteria(measurement: measurement) {
            try RoundTrip.check(
                J.definition(conceptSets: [J.conceptSet(0, concepts: [1])], primary: [criterion]), criterion)
        }
    }

    /// Elements the other fixtures leave out: a title, a custom era, nested groups and
    /// correlated criteria, both `UseEventEnd` values, `IgnoreObservationPeriod`, demographic
    /// concept sets, source concepts, negated text, `neq`, date ranges with an extent, a user
    /// defined period, an empty `AdditionalCriteria` (it switches the qualified limit on).
    static let remainingElements: String = {
        let drug =
            "{\"DrugExposure\": {\"CodesetId\": 1, \"StopReason\": {\"Text\": \"x\", \"Op\": \"!contains\"}}}"
        let eventEnd = J.correlated(
            drug, before: 30, after: 0,
            extra: ", \"IgnoreObservationPeriod\": true, \"EndWindow\": {\"Start\": {\"Coeff\": -1}, "
                + "\"End\": {\"Days\": 0, \"Coeff\": 1}, \"UseEventEnd\": false}")
        let startAtEnd = J.correlated(
            drug, before: nil, after: 7, type: 0, count: 0
        )
        .replacingOccurrences(of: "\"Coeff\": 1}}", with: "\"Coeff\": 1}, \"UseEventEnd\": true}")
        let nested = J.group("AT_LEAST", count: 1, criteria: [startAtEnd])
        let demographics = """
            {"RaceCS": {"CodesetId": 2, "IsExclusion": true}, "Ethnicity": [{"CONCEPT_ID": 38003564}],
             "GenderCS": {"CodesetId": null, "IsExclusion": false},
             "OccurrenceStartDate": {"Value": "2010-01-01", "Extent": "2020-12-31", "Op": "!bt"}}
            """
        let outer = J.group("ANY", criteria: [eventEnd], demographics: [demographics])
            .replacingOccurrences(of: "\"Groups\": []", with: "\"Groups\": [\(nested)]")
        var json = J.definition(
            conceptSets: [
                J.conceptSet(0, [(100, false, true, false), (101, true, false, true)]),
                J.conceptSet(1, concepts: [300]), J.conceptSet(2, concepts: [8527]),
            ],
            primary: [
                """
                {"ConditionOccurrence": {"CodesetId": 0, "ConditionSourceConcept": 2,
                 "CorrelatedCriteria": \(nested), "Age": {"Value": 18, "Op": "neq"},
                 "ConditionType": [{"CONCEPT_ID": 32817}], "ConditionTypeExclude": true}}
                """,
                """
                {"ObservationPeriod": {"PeriodTypeCS": {"CodesetId": 2},
                 "UserDefinedPeriod": {"StartDate": "2020-01-01"}, "AgeAtEnd": {"Value": 90, "Op": "lte"}}}
                """,
                "{\"Measurement\": {\"CodesetId\": 0, \"Abnormal\": true, \"RangeHighRatio\": {\"Value\": 1.25, \"Op\": \"gt\"}}}",
            ],
            additional: "{}", qualifiedLimit: "Last", rules: [outer],
            endStrategy:
                "{\"CustomEra\": {\"DrugCodesetId\": 1, \"GapDays\": 30, \"Offset\": 7, \"DaysSupplyOverride\": 14}}",
            censoring: [drug], censorWindow: "{\"EndDate\": \"2030-06-30\"}")
        json = json.replacingOccurrences(
            of: "\"cdmVersionRange\"", with: "\"Title\": \"Rest\", \"cdmVersionRange\"")
        return json
    }()

    @Test func theRemainingElementsSurviveARoundTrip() throws {
        try RoundTrip.check(Self.remainingElements, "remaining elements")
        let definition = try J.parse(Self.remainingElements)
        #expect(definition.title == "Rest")
        #expect(definition.additionalCriteria != nil)
    }

    /// The shape ATLAS imports: Circe's element names, concept objects with only CONCEPT_ID, the
    /// default end strategy absent.
    @Test func writesCirceElementNames() throws {
        let definition = try J.parse(
            J.definition(
                conceptSets: [J.conceptSet(0, concepts: [5])],
                primary: [
                    "{\"DrugEra\": {\"CodesetId\": 0}}"
                ]))
        let text = String(decoding: try definition.circeJSON(), as: UTF8.self)
        for element in [
            "\"ConceptSets\"", "\"CONCEPT_ID\": 5", "\"isExcluded\": false", "\"includeDescendants\": false",
            "\"includeMapped\": false", "\"PrimaryCriteria\"", "\"ObservationWindow\"",
            "\"PrimaryCriteriaLimit\"",
            "\"QualifiedLimit\"", "\"ExpressionLimit\"", "\"InclusionRules\"", "\"CensoringCriteria\"",
            "\"CollapseType\": \"ERA\"", "\"CensorWindow\"", "\"cdmVersionRange\": \">=5.0.0\"",
        ] {
            #expect(text.contains(element), "missing \(element)")
        }
        #expect(!text.contains("EndStrategy"))
        #expect(!text.contains("CONCEPT_NAME"))
    }

    /// A definition built in code with an element its criterion type lacks is refused by path.
    @Test func refusesAnElementTheCriterionTypeLacks() throws {
        var definition = try J.parse(
            J.definition(
                conceptSets: [J.conceptSet(0, concepts: [5])],
                primary: [
                    "{\"ConditionEra\": {\"CodesetId\": 0, \"AgeAtEnd\": {\"Value\": 50, \"Op\": \"gt\"}}}"
                ]))
        definition.primaryCriteria.criteria[0].domain = .conditionOccurrence
        #expect(throws: CohortDefinitionError.self) { try definition.circeJSON() }
        do {
            _ = try definition.circeJSON()
        } catch {
            #expect(error.path == "PrimaryCriteria.CriteriaList[0].ConditionOccurrence")
        }
    }
}
