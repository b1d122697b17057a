import Foundation
import PMAPCohort
import Testing

/// Unsupported or malformed elements are refused with their full JSON path.
struct ParseTests {
    typealias J = DefinitionJSON

    static func error(_ json: String) -> CohortDefinitionError? {
        do {
            _ = try CohortDefinition.parse(Data(json.utf8))
            return nil
        } catch {
            return error
        }
    }

    static func definition(
        primary: String = "{\"DrugEra\": {\"CodesetId\": 0}}", rules: [String] = [],
        endStrategy: String? = nil, censorWindow: String = "{}"
    ) -> String {
        J.definition(
            conceptSets: [J.conceptSet(0, concepts: [1])], primary: [primary], rules: rules,
            endStrategy: endStrategy,
            censorWindow: censorWindow)
    }

    @Test func unsupportedCriterionAttributeNamesItsPath() {
        let error = Self.error(
            Self.definition(
                primary: "{\"DrugEra\": {\"CodesetId\": 0, \"GapDays\": {\"Value\": 3, \"Op\": \"gt\"}}}"))
        #expect(
            error
                == CohortDefinitionError(
                    path: "PrimaryCriteria.CriteriaList[0].DrugEra.GapDays", message: "not supported yet"))
        #expect(error?.description == "PrimaryCriteria.CriteriaList[0].DrugEra.GapDays: not supported yet")
    }

    @Test func unsupportedDomainsAndElements() {
        #expect(
            Self.error(Self.definition(primary: "{\"DeviceExposure\": {\"CodesetId\": 0}}"))?.path
                == "PrimaryCriteria.CriteriaList[0].DeviceExposure")
        #expect(
            Self.error(
                Self.definition(
                    primary:
                        "{\"ConditionOccurrence\": {\"CodesetId\": 0, "
                        + "\"ProviderSpecialty\": [{\"CONCEPT_ID\": 1}]}}"
                ))?.path
                == "PrimaryCriteria.CriteriaList[0].ConditionOccurrence.ProviderSpecialty")
        #expect(
            Self.error(Self.definition(endStrategy: "{\"OtherEra\": {\"GapDays\": 30}}"))
                == CohortDefinitionError(path: "EndStrategy.OtherEra", message: "not supported yet"))
        #expect(
            Self.error(Self.definition(endStrategy: "{\"CustomEra\": {\"GapDays\": 30}}"))
                == CohortDefinitionError(path: "EndStrategy.CustomEra.DrugCodesetId", message: "is required"))
        #expect(
            Self.error(Self.definition(endStrategy: "{\"CustomEra\": {\"DrugCodesetId\": 3}}"))
                == CohortDefinitionError(
                    path: "EndStrategy.CustomEra.DrugCodesetId", message: "no concept set 3"))
        let restrict = J.correlated(
            "{\"DrugEra\": {\"CodesetId\": 0}}", before: 30, after: 0, extra: ", \"RestrictVisit\": true")
        #expect(
            Self.error(Self.definition(rules: [J.group("ALL", criteria: [restrict])]))?.path
                == "InclusionRules[0].expression.CriteriaList[0].RestrictVisit")
        let adults = J.group("ALL", demographics: ["{\"Age\": {\"Value\": 18, \"Op\": \"gt\"}}"])
            .replacingOccurrences(of: "\"Groups\": []", with: "\"Groups\": [], \"Extra\": true")
        let nested = "{\"DrugEra\": {\"CodesetId\": 0, \"CorrelatedCriteria\": \(adults)}}"
        #expect(
            Self.error(
                Self.definition(rules: [J.group("ALL", criteria: [J.correlated(nested, before: 1, after: 1)])]
                ))?.path
                == "InclusionRules[0].expression.CriteriaList[0].Criteria.DrugEra.CorrelatedCriteria.Extra")
        #expect(
            Self.error(
                Self.definition(rules: [
                    J.group("ALL", demographics: ["{\"RaceCS\": {\"CodesetId\": 0}}"])
                ]))?.path
                == "InclusionRules[0].expression.DemographicCriteriaList[0].RaceCS")
        let unknownTop = Self.definition().replacingOccurrences(
            of: "\"cdmVersionRange\"", with: "\"Unknown\": 1, \"cdmVersionRange\"")
        #expect(
            Self.error(unknownTop) == CohortDefinitionError(path: "Unknown", message: "not supported yet"))
    }

    @Test func emptyAndNullValuesAreAccepted() throws {
        let json = Self.definition(
            primary:
                "{\"ConditionOccurrence\": {\"CodesetId\": 0, \"ConditionType\": null, "
                + "\"ConditionTypeExclude\": false, \"VisitType\": []}}"
        )
        let definition = try CohortDefinition.parse(Data(json.utf8))
        #expect(definition.primaryCriteria.criteria.first?.domain == .conditionOccurrence)
        #expect(definition.tablesRead == ["condition_occurrence", "observation_period"])
    }

    @Test func malformedValuesAreRefused() {
        #expect(
            Self.error(Self.definition(censorWindow: "{\"StartDate\": \"2020-02-30\"}"))?.path
                == "CensorWindow.StartDate")
        #expect(
            Self.error(Self.definition(primary: "{\"DrugEra\": {\"CodesetId\": 7}}"))
                == CohortDefinitionError(
                    path: "PrimaryCriteria.CriteriaList[0].DrugEra.CodesetId", message: "no concept set 7"))
        #expect(
            Self.error(
                Self.definition(
                    endStrategy: "{\"DateOffset\": {\"DateField\": \"StartDate\", \"Offset\": 1.5}}"))?.path
                == "EndStrategy.DateOffset.Offset")
        #expect(
            Self.error(
                Self.definition(rules: [
                    J.group("ALL", demographics: ["{\"Age\": {\"Value\": 40, \"Op\": \"about\"}}"])
                ]))?.path
                == "InclusionRules[0].expression.DemographicCriteriaList[0].Age.Op")
        #expect(Self.error("[1]")?.message == "expected a JSON object")
        #expect(Self.error("{")?.message == "not valid JSON")
    }
}
