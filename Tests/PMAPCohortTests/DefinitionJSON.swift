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
             "StartWindow": {"Start": {"Days": \(days(before)), "Coeff": -1}, "End": {"Days": \(days(after)), "Coeff": 1}},
             "Occurrence": {"Type": \(type), "Count": \(count)}\(extra)}
            """
    }

    static func group(_ type: String, count: Int? = nil, criteria: [String] = [], demographics: [String] = [])
        -> String
    {
        """
        {"Type": "\(type)"\(count.map { ", \"Count\": \($0)" } ?? ""), "CriteriaList": [\(criteria.joined(separator: ","))],
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

    static func parse(_ json: String) throws -> CohortDefinition {
        try CohortDefinition.parse(Data(json.utf8))
    }
}
