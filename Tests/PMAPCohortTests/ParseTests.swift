import Foundation
import PMAPCohort
import Testing

/// Unknown or malformed elements are refused with their full JSON path and what to do.
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
        endStrategy: String? = nil, censorWindow: String = "{}", collapse: String = "ERA"
    ) -> String {
        J.definition(
            conceptSets: [J.conceptSet(0, concepts: [1])], primary: [primary], rules: rules,
            endStrategy: endStrategy,
            censorWindow: censorWindow
        ).replacingOccurrences(of: "\"CollapseType\": \"ERA\"", with: "\"CollapseType\": \"\(collapse)\"")
    }

    static let unknown =
        "unknown element: Circe's cohort expression has no such key here; check its spelling or remove it"

    @Test func unknownCriterionAttributeNamesItsPath() {
        let error = Self.error(
            Self.definition(
                primary: "{\"DrugEra\": {\"CodesetId\": 0, \"GapDay\": {\"Value\": 3, \"Op\": \"gt\"}}}"))
        #expect(
            error
                == CohortDefinitionError(
                    path: "PrimaryCriteria.CriteriaList[0].DrugEra.GapDay", message: Self.unknown))
        #expect(error?.description == "PrimaryCriteria.CriteriaList[0].DrugEra.GapDay: \(Self.unknown)")
    }

    @Test func unknownElementsAreRefusedByPath() {
        #expect(
            Self.error(Self.definition(primary: "{\"DeviceExposures\": {\"CodesetId\": 0}}"))?.path
                == "PrimaryCriteria.CriteriaList[0].DeviceExposures")
        // An attribute of another criterion type is unknown here (ConditionStatus is a condition's).
        #expect(
            Self.error(
                Self.definition(
                    primary:
                        "{\"DrugExposure\": {\"CodesetId\": 0, \"ConditionStatus\": [{\"CONCEPT_ID\": 1}]}}"
                ))?.path == "PrimaryCriteria.CriteriaList[0].DrugExposure.ConditionStatus")
        // VisitDetail has only the concept-set forms.
        #expect(
            Self.error(
                Self.definition(
                    primary: "{\"VisitDetail\": {\"CodesetId\": 0, \"Gender\": [{\"CONCEPT_ID\": 1}]}}")
            )?.path == "PrimaryCriteria.CriteriaList[0].VisitDetail.Gender")
        #expect(
            Self.error(Self.definition(endStrategy: "{\"OtherEra\": {\"GapDays\": 30}}"))
                == CohortDefinitionError(path: "EndStrategy.OtherEra", message: Self.unknown))
        #expect(
            Self.error(Self.definition(endStrategy: "{\"CustomEra\": {\"GapDays\": 30}}"))
                == CohortDefinitionError(path: "EndStrategy.CustomEra.DrugCodesetId", message: "is required"))
        #expect(
            Self.error(Self.definition(endStrategy: "{\"CustomEra\": {\"DrugCodesetId\": 3}}"))
                == CohortDefinitionError(
                    path: "EndStrategy.CustomEra.DrugCodesetId", message: "no concept set 3"))
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
                    J.group("ALL", demographics: ["{\"RaceCS\": {\"CodesetId\": 0, \"Other\": 1}}"])
                ]))?.path
                == "InclusionRules[0].expression.DemographicCriteriaList[0].RaceCS.Other")
        let unknownTop = Self.definition().replacingOccurrences(
            of: "\"cdmVersionRange\"", with: "\"Unknown\": 1, \"cdmVersionRange\"")
        #expect(Self.error(unknownTop) == CohortDefinitionError(path: "Unknown", message: Self.unknown))
    }

    /// Elements refused before #9 parse now (their meaning is tested in the Circe*Tests).
    @Test func formerlyRefusedElementsParse() throws {
        let restrict = J.correlated(
            "{\"DrugEra\": {\"CodesetId\": 0}}", before: 30, after: 0,
            extra: ", \"RestrictVisit\": true, \"IgnoreObservationPeriod\": true"
        )
        .replacingOccurrences(
            of: "\"Count\": 1}", with: "\"Count\": 1, \"IsDistinct\": true, \"CountColumn\": \"START_DATE\"}")
        let definition = try J.parse(
            Self.definition(
                primary:
                    "{\"Measurement\": {\"CodesetId\": 0, \"Abnormal\": true, \"RangeLowRatio\": {\"Value\": 1, \"Op\": \"gt\"}}}",
                rules: [
                    J.group("ALL", criteria: [restrict], demographics: ["{\"RaceCS\": {\"CodesetId\": 0}}"])
                ]))
        let correlated = definition.inclusionRules[0].group.criteria[0]
        #expect(correlated.restrictVisit && correlated.ignoreObservationPeriod)
        #expect(correlated.occurrence.countColumn == .startDate)
        #expect(definition.primaryCriteria.criteria[0].abnormal)
        for domain in ["VisitDetail", "DeviceExposure", "Specimen", "DoseEra"] {
            let parsed = try J.parse(Self.definition(primary: "{\"\(domain)\": {\"CodesetId\": 0}}"))
            #expect(parsed.primaryCriteria.criteria[0].domain.rawValue == domain)
        }
        #expect(
            try J.parse(Self.definition(primary: "{\"PayerPlanPeriod\": {}}")).primaryCriteria.criteria[0]
                .domain == .payerPlanPeriod)
    }

    /// Elements whose columns or tables OMOP CDM 5.4 lacks are refused with the reason.
    @Test func elementsNeedingOtherCDMVersionsSayWhy() {
        let location = Self.error(Self.definition(primary: "{\"LocationRegion\": {\"CodesetId\": 0}}"))
        #expect(location?.path == "PrimaryCriteria.CriteriaList[0].LocationRegion")
        #expect(location?.message.contains("CDM 6.1") == true)
        let dose = Self.error(
            Self.definition(
                primary:
                    "{\"DrugExposure\": {\"CodesetId\": 0, \"EffectiveDrugDose\": {\"Value\": 1, \"Op\": \"gt\"}}}"
            ))
        #expect(dose?.path == "PrimaryCriteria.CriteriaList[0].DrugExposure.EffectiveDrugDose")
        #expect(dose?.message.contains("CDM 5.4") == true)
        let place = Self.error(
            Self.definition(
                primary: "{\"VisitOccurrence\": {\"CodesetId\": 0, \"PlaceOfServiceLocation\": 0}}"))
        #expect(place?.path == "PrimaryCriteria.CriteriaList[0].VisitOccurrence.PlaceOfServiceLocation")
    }

    @Test func countColumnMustExistInTheDomain() {
        let counted = J.correlated("{\"DrugEra\": {\"CodesetId\": 0}}", before: 30, after: 0)
            .replacingOccurrences(
                of: "\"Count\": 1}",
                with: "\"Count\": 1, \"IsDistinct\": true, \"CountColumn\": \"RANGE_LOW\"}")
        #expect(
            Self.error(Self.definition(rules: [J.group("ALL", criteria: [counted])]))?.path
                == "InclusionRules[0].expression.CriteriaList[0].Occurrence.CountColumn")
        let unknown = counted.replacingOccurrences(of: "RANGE_LOW", with: "COLOR")
        #expect(
            Self.error(Self.definition(rules: [J.group("ALL", criteria: [unknown])]))?.message.contains(
                "unknown column") == true)
    }

    @Test func conceptSetSelectionsMustNameAConceptSet() {
        #expect(
            Self.error(
                Self.definition(
                    primary: "{\"DrugEra\": {\"CodesetId\": 0, \"GenderCS\": {\"CodesetId\": 5}}}"))
                == CohortDefinitionError(
                    path: "PrimaryCriteria.CriteriaList[0].DrugEra.GenderCS.CodesetId",
                    message: "no concept set 5"))
        #expect(
            Self.error(Self.definition(primary: "{\"PayerPlanPeriod\": {\"PlanConcept\": 4}}"))
                == CohortDefinitionError(
                    path: "PrimaryCriteria.CriteriaList[0].PayerPlanPeriod.PlanConcept",
                    message: "no concept set 4"))
        #expect(
            Self.error(Self.definition(collapse: "LAST"))
                == CohortDefinitionError(
                    path: "CollapseSettings.CollapseType",
                    message: "LAST is not ERA, the only collapse type of Circe"))
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
