import Foundation
import PMAPCohort
import PMAPModel
import Testing

/// Every criterion attribute of Circe's model, each on a row it must keep (person 1) and a row it
/// must drop (person 2): an attribute that were ignored would let person 2 in.
struct CirceAttributeTests {
    static func conceptList(_ key: String, _ id: Int64 = 7) -> String {
        "\"\(key)\": [{\"CONCEPT_ID\": \(id)}]"
    }

    static func conceptSet(_ key: String, _ id: String = "1", exclusion: Bool = false) -> String {
        "\"\(key)\": {\"CodesetId\": \(id), \"IsExclusion\": \(exclusion)}"
    }

    static func text(_ key: String, _ text: String, _ op: String) -> String {
        "\"\(key)\": {\"Text\": \"\(text)\", \"Op\": \"\(op)\"}"
    }

    static func range(_ key: String, _ op: String, _ value: String, _ extent: String? = nil) -> String {
        "\"\(key)\": {\"Op\": \"\(op)\", \"Value\": \(value)\(extent.map { ", \"Extent\": \($0)" } ?? "")}"
    }

    /// Concept attributes on a column of the criterion's own table: (domain, key, column, has the
    /// list form, has an `...Exclude` flag).
    static let ownConcepts: [(String, String, String, Bool, Bool)] = [
        ("ConditionOccurrence", "ConditionType", "condition_type_concept_id", true, true),
        ("ConditionOccurrence", "ConditionStatus", "condition_status_concept_id", true, false),
        ("DrugExposure", "DrugType", "drug_type_concept_id", true, true),
        ("DrugExposure", "RouteConcept", "route_concept_id", true, false),
        ("DeviceExposure", "DeviceType", "device_type_concept_id", true, true),
        ("Specimen", "SpecimenType", "specimen_type_concept_id", true, true),
        ("Specimen", "Unit", "unit_concept_id", true, false),
        ("Specimen", "AnatomicSite", "anatomic_site_concept_id", true, false),
        ("Specimen", "DiseaseStatus", "disease_status_concept_id", true, false),
        ("Measurement", "MeasurementType", "measurement_type_concept_id", true, true),
        ("Measurement", "Operator", "operator_concept_id", true, false),
        ("Measurement", "ValueAsConcept", "value_as_concept_id", true, false),
        ("Measurement", "Unit", "unit_concept_id", true, false),
        ("Observation", "ObservationType", "observation_type_concept_id", true, true),
        ("Observation", "ValueAsConcept", "value_as_concept_id", true, false),
        ("Observation", "Qualifier", "qualifier_concept_id", true, false),
        ("Observation", "Unit", "unit_concept_id", true, false),
        ("ProcedureOccurrence", "ProcedureType", "procedure_type_concept_id", true, true),
        ("ProcedureOccurrence", "Modifier", "modifier_concept_id", true, false),
        ("VisitOccurrence", "VisitType", "visit_type_concept_id", true, true),
        ("VisitDetail", "VisitDetailType", "visit_detail_type_concept_id", false, false),
        ("DoseEra", "Unit", "unit_concept_id", true, false),
        ("Death", "DeathType", "death_type_concept_id", true, true),
    ]

    /// Each own-column concept attribute as a list, a list with its exclusion flag, a concept
    /// set, an excluding concept set, and a concept set without id (any value / no value).
    static var ownConceptCases: [AttributeCase] {
        ownConcepts.flatMap { domain, key, column, hasList, hasExclude -> [AttributeCase] in
            let seven: [String: SQLValue] = [column: 7]
            let nine: [String: SQLValue] = [column: 9]
            var cases = [
                AttributeCase(
                    name: "\(domain).\(key)CS", domain: domain, attributes: conceptSet(key + "CS"),
                    kept: seven,
                    dropped: nine),
                AttributeCase(
                    name: "\(domain).\(key)CS excluding", domain: domain,
                    attributes: conceptSet(key + "CS", exclusion: true), kept: nine, dropped: seven),
            ]
            if hasList {
                cases.append(
                    AttributeCase(
                        name: "\(domain).\(key)", domain: domain, attributes: conceptList(key), kept: seven,
                        dropped: nine))
            }
            if hasExclude {
                cases.append(
                    AttributeCase(
                        name: "\(domain).\(key)Exclude", domain: domain,
                        attributes: "\(conceptList(key)), \"\(key)Exclude\": true", kept: nine, dropped: seven
                    ))
            }
            // Type columns and a dose era's unit are required: never NULL.
            if !column.hasSuffix("type_concept_id") && domain != "DoseEra" {
                cases.append(
                    AttributeCase(
                        name: "\(domain).\(key)CS without a set", domain: domain,
                        attributes: conceptSet(key + "CS", "null"), kept: seven, dropped: [column: .null]))
                cases.append(
                    AttributeCase(
                        name: "\(domain).\(key)CS without a set, excluding", domain: domain,
                        attributes: conceptSet(key + "CS", "null", exclusion: true), kept: [column: .null],
                        dropped: seven))
            }
            return cases
        }
    }

    static let genderSetup = [
        "UPDATE person SET gender_concept_id = 7 WHERE person_id = 1",
        "UPDATE person SET gender_concept_id = 9 WHERE person_id = 2",
    ]
    static let providerSetup = [
        """
        INSERT INTO provider (provider_id, specialty_concept_id) VALUES (1, 7), (2, 9)
        """
    ]
    static let visitSetup = [
        """
        INSERT INTO visit_occurrence (visit_occurrence_id, person_id, visit_concept_id, visit_start_date,
          visit_end_date, visit_type_concept_id)
        VALUES (11, 1, 7, '2020-03-01', '2020-03-01', 32817), (12, 2, 9, '2020-03-01', '2020-03-01', 32817)
        """
    ]
    static let careSiteSetup = [
        "INSERT INTO care_site (care_site_id, place_of_service_concept_id) VALUES (1, 7), (2, 9)"
    ]

    /// Concept attributes read through the person, provider, visit or care site.
    static var joinedConceptCases: [AttributeCase] {
        var cases: [AttributeCase] = []
        let genderDomains = [
            "ConditionOccurrence", "DrugExposure", "DeviceExposure", "Specimen", "Measurement", "Observation",
            "ProcedureOccurrence", "VisitOccurrence", "VisitDetail", "DoseEra", "DrugEra", "ConditionEra",
            "Death",
            "PayerPlanPeriod",
        ]
        for domain in genderDomains {
            cases.append(
                AttributeCase(
                    name: "\(domain).GenderCS", domain: domain, attributes: conceptSet("GenderCS"), kept: [:],
                    dropped: [:], setup: genderSetup))
        }
        for domain in ["DeviceExposure", "Specimen", "DoseEra", "PayerPlanPeriod"] {
            cases.append(
                AttributeCase(
                    name: "\(domain).Gender", domain: domain, attributes: conceptList("Gender"), kept: [:],
                    dropped: [:], setup: genderSetup))
        }
        let providerDomains = [
            "ConditionOccurrence", "DrugExposure", "DeviceExposure", "Measurement", "Observation",
            "ProcedureOccurrence", "VisitOccurrence", "VisitDetail",
        ]
        for domain in providerDomains {
            var forms = [conceptSet("ProviderSpecialtyCS")]
            if domain != "VisitDetail" { forms.append(conceptList("ProviderSpecialty")) }
            for form in forms {
                cases.append(
                    AttributeCase(
                        name: "\(domain) \(form)", domain: domain, attributes: form, kept: ["provider_id": 1],
                        dropped: ["provider_id": 2], setup: providerSetup))
            }
        }
        let visitDomains = [
            "ConditionOccurrence", "DrugExposure", "DeviceExposure", "Measurement", "Observation",
            "ProcedureOccurrence",
        ]
        for domain in visitDomains {
            for form in [conceptList("VisitType"), conceptSet("VisitTypeCS")] {
                cases.append(
                    AttributeCase(
                        name: "\(domain) \(form)", domain: domain, attributes: form,
                        kept: ["visit_occurrence_id": 11], dropped: ["visit_occurrence_id": 12],
                        setup: visitSetup))
            }
        }
        for (domain, forms) in [
            ("VisitOccurrence", [conceptList("PlaceOfService"), conceptSet("PlaceOfServiceCS")]),
            ("VisitDetail", [conceptSet("PlaceOfServiceCS")]),
        ] {
            for form in forms {
                cases.append(
                    AttributeCase(
                        name: "\(domain) \(form)", domain: domain, attributes: form,
                        kept: ["care_site_id": 1],
                        dropped: ["care_site_id": 2], setup: careSiteSetup))
            }
        }
        return cases
    }

    /// Text, numeric, date, length, age, source-concept and other single attributes.
    static var valueCases: [AttributeCase] {
        [
            AttributeCase(
                name: "ConditionOccurrence.StopReason contains", domain: "ConditionOccurrence",
                attributes: text("StopReason", "cure", "contains"), kept: ["stop_reason": "Patient CURED"],
                dropped: ["stop_reason": "moved away"]),
            AttributeCase(
                name: "ConditionOccurrence.StopReason !contains", domain: "ConditionOccurrence",
                attributes: text("StopReason", "cure", "!contains"), kept: ["stop_reason": "moved away"],
                dropped: ["stop_reason": "cured"]),
            AttributeCase(
                name: "DrugExposure.StopReason endsWith", domain: "DrugExposure",
                attributes: text("StopReason", "effect", "endsWith"), kept: ["stop_reason": "side effect"],
                dropped: ["stop_reason": "effective"]),
            AttributeCase(
                name: "DrugExposure.LotNumber eq (wildcards match themselves)", domain: "DrugExposure",
                attributes: text("LotNumber", "A1_B", "eq"), kept: ["lot_number": "a1_b"],
                dropped: ["lot_number": "A1xB"]),
            AttributeCase(
                name: "DeviceExposure.UniqueDeviceId startsWith", domain: "DeviceExposure",
                attributes: text("UniqueDeviceId", "(01)0", "startsWith"),
                kept: ["unique_device_id": "(01)0123"],
                dropped: ["unique_device_id": "(01)1230"]),
            AttributeCase(
                name: "DeviceExposure.UniqueDeviceId contains %", domain: "DeviceExposure",
                attributes: text("UniqueDeviceId", "50%", "contains"), kept: ["unique_device_id": "x50%y"],
                dropped: ["unique_device_id": "x50zy"]),
            AttributeCase(
                name: "Specimen.SourceId !startsWith", domain: "Specimen",
                attributes: text("SourceId", "LAB", "!startsWith"), kept: ["specimen_source_id": "S-1"],
                dropped: ["specimen_source_id": "lab-1"]),
            AttributeCase(
                name: "Observation.ValueAsString !endsWith", domain: "Observation",
                attributes: text("ValueAsString", "ive", "!endsWith"), kept: ["value_as_string": "unclear"],
                dropped: ["value_as_string": "Positive"]),
            AttributeCase(
                name: "DrugExposure.Refills", domain: "DrugExposure", attributes: range("Refills", "gt", "1"),
                kept: ["refills": 2], dropped: ["refills": 1]),
            AttributeCase(
                name: "DrugExposure.Quantity", domain: "DrugExposure",
                attributes: range("Quantity", "bt", "1.5", "2.5"), kept: ["quantity": .real(2)],
                dropped: ["quantity": .real(3)]),
            AttributeCase(
                name: "DrugExposure.DaysSupply", domain: "DrugExposure",
                attributes: range("DaysSupply", "eq", "30"),
                kept: ["days_supply": 30], dropped: ["days_supply": 10]),
            AttributeCase(
                name: "DeviceExposure.Quantity", domain: "DeviceExposure",
                attributes: range("Quantity", "gte", "2"),
                kept: ["quantity": 2], dropped: ["quantity": 1]),
            AttributeCase(
                name: "DeviceExposure.DeviceSourceConcept", domain: "DeviceExposure",
                attributes: "\"DeviceSourceConcept\": 1", kept: ["device_source_concept_id": 7],
                dropped: ["device_source_concept_id": 9]),
            AttributeCase(
                name: "DeviceExposure.OccurrenceEndDate", domain: "DeviceExposure",
                attributes: range("OccurrenceEndDate", "gt", "\"2020-03-05\""),
                kept: ["device_exposure_end_date": "2020-03-10"], dropped: ["device_exposure_end_date": .null]
            ),
            AttributeCase(
                name: "Specimen.Quantity", domain: "Specimen", attributes: range("Quantity", "lt", "1.5"),
                kept: ["quantity": .real(1)], dropped: ["quantity": .real(2)]),
            AttributeCase(
                name: "Specimen.OccurrenceStartDate", domain: "Specimen",
                attributes: range("OccurrenceStartDate", "gte", "\"2020-03-01\""), kept: [:],
                dropped: ["specimen_date": "2020-02-01"]),
            AttributeCase(
                name: "Measurement.RangeLowRatio", domain: "Measurement",
                attributes: range("RangeLowRatio", "gt", "1.5"),
                kept: ["value_as_number": .real(4), "range_low": .real(2)],
                dropped: ["value_as_number": .real(2), "range_low": .real(2)]),
            AttributeCase(
                name: "Measurement.RangeHighRatio (a zero range matches nothing)", domain: "Measurement",
                attributes: range("RangeHighRatio", "lt", "0.5"),
                kept: ["value_as_number": .real(1), "range_high": .real(4)],
                dropped: ["value_as_number": .real(1), "range_high": .real(0)]),
            AttributeCase(
                name: "Measurement.Abnormal above the range", domain: "Measurement",
                attributes: "\"Abnormal\": true",
                kept: ["value_as_number": .real(10), "range_low": .real(1), "range_high": .real(5)],
                dropped: ["value_as_number": .real(3), "range_low": .real(1), "range_high": .real(5)]),
            AttributeCase(
                name: "Measurement.Abnormal by value concept", domain: "Measurement",
                attributes: "\"Abnormal\": true",
                kept: ["value_as_concept_id": 4_155_143], dropped: ["value_as_concept_id": 45_878_583]),
            AttributeCase(
                name: "ProcedureOccurrence.Quantity", domain: "ProcedureOccurrence",
                attributes: range("Quantity", "eq", "2"), kept: ["quantity": 2], dropped: ["quantity": 3]),
            AttributeCase(
                name: "DoseEra.DoseValue", domain: "DoseEra", attributes: range("DoseValue", "gt", "10"),
                kept: ["dose_value": .real(20)], dropped: ["dose_value": .real(5)]),
            AttributeCase(
                name: "DoseEra.EraLength", domain: "DoseEra", attributes: range("EraLength", "gte", "30"),
                kept: ["dose_era_end_date": "2020-04-15"], dropped: ["dose_era_end_date": "2020-03-15"]),
            AttributeCase(
                name: "DoseEra.EraEndDate", domain: "DoseEra",
                attributes: range("EraEndDate", "gt", "\"2020-04-01\""),
                kept: ["dose_era_end_date": "2020-04-15"], dropped: [:]),
            AttributeCase(
                name: "DoseEra.AgeAtEnd", domain: "DoseEra", attributes: range("AgeAtEnd", "eq", "51"),
                kept: ["dose_era_end_date": "2021-01-15"], dropped: [:]),
            AttributeCase(
                name: "DrugEra.GapDays", domain: "DrugEra", attributes: range("GapDays", "gt", "0"),
                kept: ["gap_days": 5], dropped: ["gap_days": 0]),
            AttributeCase(
                name: "VisitDetail.VisitDetailLength", domain: "VisitDetail",
                attributes: range("VisitDetailLength", "eq", "2"), kept: [:],
                dropped: ["visit_detail_end_date": "2020-03-05"]),
            AttributeCase(
                name: "VisitDetail.VisitDetailEndDate", domain: "VisitDetail",
                attributes: range("VisitDetailEndDate", "lt", "\"2020-03-04\""), kept: [:],
                dropped: ["visit_detail_end_date": "2020-03-05"]),
            AttributeCase(
                name: "VisitDetail.VisitDetailStartDate", domain: "VisitDetail",
                attributes: range("VisitDetailStartDate", "gte", "\"2020-03-01\""), kept: [:],
                dropped: ["visit_detail_start_date": "2020-02-01"]),
            AttributeCase(
                name: "VisitDetail.VisitDetailSourceConcept", domain: "VisitDetail",
                attributes: "\"VisitDetailSourceConcept\": 1", kept: ["visit_detail_source_concept_id": 7],
                dropped: ["visit_detail_source_concept_id": 9]),
            AttributeCase(
                name: "VisitDetail.Age", domain: "VisitDetail", attributes: range("Age", "gte", "50"),
                kept: [:],
                dropped: [:], setup: ["UPDATE person SET year_of_birth = 1990 WHERE person_id = 2"]),
            AttributeCase(
                name: "PayerPlanPeriod.PeriodLength", domain: "PayerPlanPeriod",
                attributes: range("PeriodLength", "gt", "100"), kept: [:],
                dropped: ["payer_plan_period_end_date": "2020-04-30"]),
            AttributeCase(
                name: "PayerPlanPeriod.PeriodStartDate", domain: "PayerPlanPeriod",
                attributes: range("PeriodStartDate", "bt", "\"2020-02-01\"", "\"2020-03-31\""), kept: [:],
                dropped: ["payer_plan_period_start_date": "2020-04-01"]),
            AttributeCase(
                name: "PayerPlanPeriod.PeriodEndDate", domain: "PayerPlanPeriod",
                attributes: range("PeriodEndDate", "!bt", "\"2020-07-01\"", "\"2020-12-31\""), kept: [:],
                dropped: ["payer_plan_period_end_date": "2020-08-01"]),
            AttributeCase(
                name: "PayerPlanPeriod.AgeAtStart", domain: "PayerPlanPeriod",
                attributes: range("AgeAtStart", "lt", "40"),
                kept: [:], dropped: [:], setup: ["UPDATE person SET year_of_birth = 1990 WHERE person_id = 1"]
            ),
        ]
    }

    /// The payer plan period's eight concept-set attributes (`PayerConcept: 1`, ...).
    static var payerCases: [AttributeCase] {
        ["payer", "plan", "sponsor", "stop_reason"].flatMap { name -> [AttributeCase] in
            let key = name == "stop_reason" ? "StopReason" : name.prefix(1).uppercased() + name.dropFirst()
            return [("Concept", "concept_id"), ("SourceConcept", "source_concept_id")].map { suffix, column in
                AttributeCase(
                    name: "PayerPlanPeriod.\(key)\(suffix)", domain: "PayerPlanPeriod",
                    attributes: "\"\(key)\(suffix)\": 1", kept: ["\(name)_\(column)": 7],
                    dropped: ["\(name)_\(column)": 9])
            }
        }
    }

    static var allCases: [AttributeCase] { ownConceptCases + joinedConceptCases + valueCases + payerCases }

    @Test(arguments: allCases)
    func attributeKeepsOnlyMatchingRows(_ testCase: AttributeCase) async throws {
        #expect(try await CirceAttributeFixture.run(testCase) == [CohortRow(1, testCase.start, testCase.end)])
    }

    @Test func everyAttributeCaseIsDistinct() {
        #expect(Set(Self.allCases.map(\.name)).count == Self.allCases.count)
    }
}
