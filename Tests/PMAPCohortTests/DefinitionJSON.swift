import Foundation
import PMAPCohort

/// Builds Circe JSON for the hand-made tests.
enum DefinitionJSON {
    /// A concept set item: (concept, excluded, descendants, mapped).
    typealias Item = (concept: Int64, excluded: Bool, descendants: Bool, mapped: Bool)

    static func conceptSet(_ id: Int, _ items: [Item]) -> String {
        let itemsJSON = items.map { item in
            """
            {"concept": {"CONCEPT_ID": \(item.concept), "CONCEPT_NAME": "c"}, "isExcluded": \(item.excluded),
             "includeDescendants": \(item.descendants), "includeMapped": \(item.mapped)}
            """
        }
        return """
            {"id": \(id), "name": "set \(id)", "expression": {"items": [\(itemsJSON.joined(separator: ","))]}}
            """
    }

    /// A concept set of plain concepts.
    static func conceptSet(_ id: Int, concepts: [Int64]) -> String {
        conceptSet(id, concepts.map { ($0, false, false, false) })
    }

    /// A correlated criterion: `criterion` counted `occurrence` ({Type, Count}) in a start window
    /// of `before` days before to `after` days after the index start (nil = unbounded).
    static func correlated(
        _ criterion: String, before: Int?, after: Int?, type: Int = 2, count: Int = 1, extra: String = ""
    ) -> String {
        func days(_ value: Int?) -> String { value.map(String.init) ?? "null" }
        return """
            {"Criteria": \(criterion),
             "StartWindow": {"Start": {"Days": \(days(before)), "Coeff": -1},
                             "End": {"Days": \(days(after)), "Coeff": 1}},
             "Occurrence": {"Type": \(type), "Count": \(count)}\(extra)}
            """
    }

    static func group(_ type: String, count: Int? = nil, criteria: [String] = [], demographics: [String] = [])
        -> String
    {
        """
        {"Type": "\(type)"\(count.map { ", \"Count\": \($0)" } ?? ""),
         "CriteriaList": [\(criteria.joined(separator: ","))],
         "DemographicCriteriaList": [\(demographics.joined(separator: ","))], "Groups": []}
        """
    }

    static func definition(
        conceptSets: [String], primary: [String], prior: Int = 0, post: Int = 0, primaryLimit: String = "All",
        additional: String? = nil, qualifiedLimit: String = "All", expressionLimit: String = "All",
        rules: [String] = [], endStrategy: String? = nil, censoring: [String] = [],
        censorWindow: String = "{}",
        eraPad: Int = 0
    ) -> String {
        let ruleJSON = rules.enumerated().map {
            "{\"name\": \"rule \($0.offset)\", \"expression\": \($0.element)}"
        }
        return """
            {
              "ConceptSets": [\(conceptSets.joined(separator: ","))],
              "PrimaryCriteria": {
                "CriteriaList": [\(primary.joined(separator: ","))],
                "ObservationWindow": {"PriorDays": \(prior), "PostDays": \(post)},
                "PrimaryCriteriaLimit": {"Type": "\(primaryLimit)"}
              },
              "AdditionalCriteria": \(additional ?? "null"),
              "QualifiedLimit": {"Type": "\(qualifiedLimit)"},
              "ExpressionLimit": {"Type": "\(expressionLimit)"},
              "InclusionRules": [\(ruleJSON.joined(separator: ","))],
              "EndStrategy": \(endStrategy ?? "null"),
              "CensoringCriteria": [\(censoring.joined(separator: ","))],
              "CollapseSettings": {"CollapseType": "ERA", "EraPad": \(eraPad)},
              "CensorWindow": \(censorWindow),
              "cdmVersionRange": ">=5.0.0"
            }
            """
    }

    /// One criterion of every supported domain, with `measurement` as the Measurement one
    /// (its values must suit the data it runs on).
    static func domainCriteria(measurement: String) -> [String] {
        let age = "\"Age\": {\"Value\": 18, \"Op\": \"gte\"}, \"Gender\": [{\"CONCEPT_ID\": 8507}]"
        let start = "{\"Value\": \"2020-01-01\", \"Op\": \"gt\"}"
        return [
            """
            {"DrugEra": {"CodesetId": 0, "First": true, "EraStartDate": \(start),
             "OccurrenceCount": {"Value": 1, "Op": "eq"}}}
            """,
            """
            {"ConditionOccurrence": {"CodesetId": 0, "First": true,
             "OccurrenceStartDate": \(start), "OccurrenceEndDate": \(start), \(age)}}
            """,
            """
            {"DrugExposure": {"CodesetId": 0, "First": true,
             "OccurrenceEndDate": {"Value": "2020-07-01", "Op": "eq"}, \(age)}}
            """,
            """
            {"ConditionEra": {"CodesetId": 0, "EraLength": {"Value": 19,
             "Op": "eq"}, "AgeAtEnd": {"Value": 50, "Op": "eq"}}}
            """,
            """
            {"ProcedureOccurrence": {"CodesetId": 0, "First": true, \(age)}}
            """,
            measurement,
            """
            {"Observation": {"CodesetId": 0, "ValueAsNumber": {"Value": 3.25, "Op": "gte"}}}
            """,
            """
            {"VisitOccurrence": {"CodesetId": 0, "VisitLength": {"Value": 2,
             "Op": "eq"}, "OccurrenceEndDate": {"Value": "2020-06-03", "Op": "eq"}}}
            """,
            """
            {"Death": {"CodesetId": 0, \(age)}}
            """,
            """
            {"ObservationPeriod": {"First": true, "PeriodLength": {"Value": 365,
             "Op": "eq"}, "AgeAtStart": {"Value": 50, "Op": "eq"}}}
            """,
            """
            {"VisitDetail": {"CodesetId": 0, "First": true, "VisitDetailLength": {"Value": 2, "Op": "eq"},
             "GenderCS": {"CodesetId": 0, "IsExclusion": true}}}
            """,
            """
            {"DeviceExposure": {"CodesetId": 0, "First": true, "UniqueDeviceId": {"Text": "UDI",
             "Op": "startsWith"}, "Quantity": {"Value": 1, "Op": "eq"}, \(age)}}
            """,
            """
            {"Specimen": {"CodesetId": 0, "Unit": [{"CONCEPT_ID": 8587}], "SourceId": {"Text": "s",
             "Op": "contains"}}}
            """,
            """
            {"DoseEra": {"CodesetId": 0, "DoseValue": {"Value": 5, "Op": "gte"}, "EraLength": {"Value": 29,
             "Op": "eq"}, "DateAdjustment": {"StartWith": "START_DATE", "StartOffset": 0, "EndWith": "END_DATE",
             "EndOffset": 0}}}
            """,
            """
            {"PayerPlanPeriod": {"First": true, "PeriodLength": {"Value": 29, "Op": "eq"}}}
            """,
        ]
    }

    /// A definition using every supported element at once (every domain as primary, correlated
    /// and censoring criterion; both window kinds, visit restriction and distinct counts; every
    /// group type; both limits; date offset; censor window; era pad), to check that the SQL runs.
    static var everything: String {
        let start = "{\"Value\": \"2020-01-01\", \"Op\": \"gt\"}"
        let criteria = domainCriteria(
            measurement: """
                {"Measurement": {"CodesetId": 0, "ValueAsNumber": {"Value": 0, "Extent": 2.5,
                 "Op": "bt"}, "Unit": [{"CONCEPT_ID": 1}], "RangeLow": {"Value": 1, "Op": "lt"}}}
                """)
        // Alternately restricted to the index visit and counting distinct start dates.
        let windowed = criteria.enumerated().map { index, criterion in
            correlated(
                criterion, before: 30, after: nil, type: 1, count: 2,
                extra:
                    ", \"EndWindow\": {\"Start\": {\"Days\": 3, \"Coeff\": -1}, "
                    + "\"End\": {\"Days\": 4, \"Coeff\": 1}, \"UseIndexEnd\": true}"
                    + (index % 2 == 0 ? ", \"RestrictVisit\": true" : "")
            ).replacingOccurrences(
                of: "\"Count\": 2}",
                with: index % 2 == 1
                    ? "\"Count\": 2, \"IsDistinct\": true, \"CountColumn\": \"START_DATE\"}" : "\"Count\": 2}"
            )
        }
        return definition(
            conceptSets: [conceptSet(0, [(1_118_084, false, true, true), (1_118_085, true, true, true)])],
            primary: criteria, prior: 10, post: 5, primaryLimit: "Last",
            additional: group(
                "AT_LEAST", count: 1, criteria: windowed,
                demographics: [
                    "{\"Age\": {\"Value\": 1, \"Extent\": 99, \"Op\": \"!bt\"}, "
                        + "\"OccurrenceEndDate\": \(start)}"
                ]),
            qualifiedLimit: "Last", expressionLimit: "All",
            rules: [group("AT_MOST", count: 3, criteria: windowed), group("ANY", criteria: windowed)],
            endStrategy: "{\"DateOffset\": {\"DateField\": \"EndDate\", \"Offset\": 30}}",
            censoring: criteria,
            censorWindow: "{\"StartDate\": \"2000-01-01\", \"EndDate\": \"2030-01-01\"}", eraPad: 3)
    }

    static func parse(_ json: String) throws -> CohortDefinition {
        try CohortDefinition.parse(Data(json.utf8))
    }
}
