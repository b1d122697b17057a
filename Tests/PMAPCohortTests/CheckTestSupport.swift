import Foundation
import PMAPCohort

/// Builds small definitions for the design-check tests: one concept set (id 0) and a condition
/// as the primary event unless told otherwise.
enum CheckJSON {
    typealias J = DefinitionJSON

    static let condition = "{\"ConditionOccurrence\": {\"CodesetId\": 0}}"
    static let drugEra = "{\"DrugEra\": {\"CodesetId\": 0}}"

    static func definition(
        conceptSets: [String] = [J.conceptSet(0, concepts: [1])], primary: [String] = [condition],
        prior: Int = 0, post: Int = 0, primaryLimit: String = "First", additional: String? = nil,
        expressionLimit: String = "First", rules: [String] = [], endStrategy: String? = nil,
        censoring: [String] = [], censorWindow: String = "{}"
    ) -> String {
        J.definition(
            conceptSets: conceptSets, primary: primary, prior: prior, post: post, primaryLimit: primaryLimit,
            additional: additional, qualifiedLimit: "First", expressionLimit: expressionLimit, rules: rules,
            endStrategy: endStrategy, censoring: censoring, censorWindow: censorWindow)
    }

    /// A window endpoint from a signed day offset (nil: unbounded).
    static func endpoint(_ offset: Int?, unboundedCoeff: Int) -> String {
        guard let offset else { return "{\"Days\": null, \"Coeff\": \(unboundedCoeff)}" }
        return "{\"Days\": \(abs(offset)), \"Coeff\": \(offset < 0 ? -1 : 1)}"
    }

    /// A correlated criterion counted in a start window from `start` to `end` days around the
    /// index start (negative: before; nil: unbounded).
    static func windowed(
        _ criterion: String, start: Int?, end: Int?, type: Int = 2, count: Int = 1, distinct: Bool = false,
        extra: String = ""
    ) -> String {
        """
        {"Criteria": \(criterion),
         "StartWindow": {"Start": \(endpoint(start, unboundedCoeff: -1)), "End": \(endpoint(end, unboundedCoeff: 1))},
         "Occurrence": {"Type": \(type), "Count": \(count), "IsDistinct": \(distinct)}\(extra)}
        """
    }

    /// An `ALL` group of `criteria` (correlated) and `demographics`, with nested `groups`.
    static func group(
        _ type: String = "ALL", count: Int? = nil, criteria: [String] = [], demographics: [String] = [],
        groups: [String] = []
    ) -> String {
        """
        {"Type": "\(type)"\(count.map { ", \"Count\": \($0)" } ?? ""),
         "CriteriaList": [\(criteria.joined(separator: ","))],
         "DemographicCriteriaList": [\(demographics.joined(separator: ","))],
         "Groups": [\(groups.joined(separator: ","))]}
        """
    }

    /// The findings of one check kind.
    static func found(_ kind: DefinitionCheck.Kind, _ json: String) throws -> [DefinitionCheck] {
        try J.parse(json).checks().filter { $0.kind == kind }
    }
}
