/// The JSON attributes Circe's model gives each criterion type, and what each one filters.
struct CriterionAttributes {
    /// Which age keys the type has.
    enum AgeKeys {
        /// `Age`: at the start date.
        case age
        /// `AgeAtStart` and `AgeAtEnd`.
        case atStartAndEnd
    }

    /// A concept attribute, `Key: [concepts]` and/or `KeyCS: {CodesetId, IsExclusion}`.
    struct Concepts {
        let key: String
        let column: ConceptColumn
        /// The flag that turns the concept list into an exclusion (`ConditionTypeExclude`).
        var excludeKey: String? = nil
        /// Whether the list form exists (newer types have only the `CS` form).
        var hasList = true
    }

    /// A numeric attribute `{Value, Op, Extent}` on a value of the row.
    struct Number {
        let key: String
        let value: NumericFilter.Value
        let integral: Bool
    }

    var hasCodeset = true
    var hasFirst = true
    var startDateKey: String? = "OccurrenceStartDate"
    var endDateKey: String? = "OccurrenceEndDate"
    var age = AgeKeys.age
    var lengthKey: String? = nil
    var concepts: [Concepts] = []
    /// Text attributes `{Text, Op}` and their columns.
    var texts: [(key: String, column: String)] = []
    /// Text-list attributes `["A", "B"]` and their columns.
    var textSets: [(key: String, column: String)] = []
    var numbers: [Number] = []
    /// Attributes holding a bare concept set id (`PayerConcept: 3`) and their columns.
    var codesetColumns: [(key: String, column: String)] = []
    var hasAbnormal = false
    var hasUserDefinedPeriod = false
    /// Attributes of Circe's model that read columns or tables CDM 5.4 does not have, with why.
    var unavailable: [(key: String, reason: String)] = []

    static let gender = Concepts(key: "Gender", column: .person("gender_concept_id"))
    static let providerSpecialty = Concepts(key: "ProviderSpecialty", column: .providerSpecialty)
    static let visitType = Concepts(key: "VisitType", column: .visitConcept)
    static let unit = Concepts(key: "Unit", column: .own("unit_concept_id"))

    static func type(_ key: String, _ column: String) -> Concepts {
        Concepts(key: key, column: .own(column), excludeKey: key + "Exclude")
    }

    static func decimal(_ key: String, _ column: String) -> Number {
        Number(key: key, value: .column(column), integral: false)
    }

    static func integer(_ key: String, _ column: String) -> Number {
        Number(key: key, value: .column(column), integral: true)
    }

    static let placeOfServiceLocation = (
        key: "PlaceOfServiceLocation",
        reason:
            "needs location_history and location.region_concept_id (OMOP CDM 6.1), which CDM 5.4 "
            + "does not have; filter on PlaceOfService instead"
    )

    /// The attributes of `domain`.
    static func of(_ domain: CriterionDomain) -> CriterionAttributes {
        var attributes = CriterionAttributes()
        switch domain {
        case .conditionEra, .drugEra, .doseEra:
            attributes.startDateKey = "EraStartDate"
            attributes.endDateKey = "EraEndDate"
            attributes.age = .atStartAndEnd
            attributes.lengthKey = "EraLength"
            attributes.concepts = [gender]
            switch domain {
            case .conditionEra:
                attributes.numbers = [integer("OccurrenceCount", "condition_occurrence_count")]
            case .drugEra:
                attributes.numbers = [
                    integer("OccurrenceCount", "drug_exposure_count"), integer("GapDays", "gap_days"),
                ]
            default:
                attributes.concepts = [unit, gender]
                attributes.numbers = [decimal("DoseValue", "dose_value")]
            }
        case .conditionOccurrence:
            attributes.concepts = [
                type("ConditionType", "condition_type_concept_id"), gender, providerSpecialty, visitType,
                Concepts(key: "ConditionStatus", column: .own("condition_status_concept_id")),
            ]
            attributes.texts = [("StopReason", "stop_reason")]
        case .drugExposure:
            attributes.concepts = [
                type("DrugType", "drug_type_concept_id"),
                Concepts(key: "RouteConcept", column: .own("route_concept_id")), gender, providerSpecialty,
                visitType,
            ]
            attributes.texts = [("StopReason", "stop_reason"), ("LotNumber", "lot_number")]
            attributes.numbers = [
                integer("Refills", "refills"), decimal("Quantity", "quantity"),
                integer("DaysSupply", "days_supply"),
            ]
            func cdm6(_ column: String) -> String {
                "drug_exposure has no \(column) in OMOP CDM 5.4 (it came with CDM 6.0); remove the attribute"
            }
            attributes.unavailable = [
                ("EffectiveDrugDose", cdm6("effective_drug_dose")),
                ("DoseUnit", cdm6("dose_unit_concept_id")),
                ("DoseUnitCS", cdm6("dose_unit_concept_id")),
            ]
        case .deviceExposure:
            attributes.concepts = [
                type("DeviceType", "device_type_concept_id"), gender, providerSpecialty, visitType,
            ]
            attributes.texts = [("UniqueDeviceId", "unique_device_id")]
            attributes.numbers = [integer("Quantity", "quantity")]
        case .specimen:
            attributes.endDateKey = nil
            attributes.concepts = [
                type("SpecimenType", "specimen_type_concept_id"), unit,
                Concepts(key: "AnatomicSite", column: .own("anatomic_site_concept_id")),
                Concepts(key: "DiseaseStatus", column: .own("disease_status_concept_id")), gender,
            ]
            attributes.texts = [("SourceId", "specimen_source_id")]
            attributes.numbers = [decimal("Quantity", "quantity")]
            attributes.unavailable = [
                (
                    "SpecimenSourceConcept",
                    "specimen has no specimen_source_concept_id in OMOP CDM 5.4 (Circe ignores this "
                        + "attribute); filter on CodesetId or SourceId instead"
                )
            ]
        case .visitOccurrence:
            attributes.lengthKey = "VisitLength"
            attributes.concepts = [
                type("VisitType", "visit_type_concept_id"), gender, providerSpecialty,
                Concepts(key: "PlaceOfService", column: .placeOfService),
            ]
            attributes.unavailable = [placeOfServiceLocation]
        case .visitDetail:
            attributes.startDateKey = "VisitDetailStartDate"
            attributes.endDateKey = "VisitDetailEndDate"
            attributes.lengthKey = "VisitDetailLength"
            attributes.concepts = [
                Concepts(
                    key: "VisitDetailType", column: .own("visit_detail_type_concept_id"), hasList: false),
                Concepts(key: "Gender", column: .person("gender_concept_id"), hasList: false),
                Concepts(key: "ProviderSpecialty", column: .providerSpecialty, hasList: false),
                Concepts(key: "PlaceOfService", column: .placeOfService, hasList: false),
            ]
            attributes.unavailable = [placeOfServiceLocation]
        case .measurement:
            attributes.endDateKey = nil
            attributes.concepts = [
                type("MeasurementType", "measurement_type_concept_id"),
                Concepts(key: "Operator", column: .own("operator_concept_id")),
                Concepts(key: "ValueAsConcept", column: .own("value_as_concept_id")), unit, gender,
                providerSpecialty, visitType,
            ]
            attributes.numbers = [
                decimal("ValueAsNumber", "value_as_number"), decimal("RangeLow", "range_low"),
                decimal("RangeHigh", "range_high"),
                Number(
                    key: "RangeLowRatio", value: .ratio("value_as_number", denominator: "range_low"),
                    integral: false),
                Number(
                    key: "RangeHighRatio", value: .ratio("value_as_number", denominator: "range_high"),
                    integral: false),
            ]
            attributes.hasAbnormal = true
        case .observation:
            attributes.endDateKey = nil
            attributes.concepts = [
                type("ObservationType", "observation_type_concept_id"),
                Concepts(key: "ValueAsConcept", column: .own("value_as_concept_id")),
                Concepts(key: "Qualifier", column: .own("qualifier_concept_id")), unit, gender,
                providerSpecialty, visitType,
            ]
            attributes.texts = [("ValueAsString", "value_as_string")]
            attributes.numbers = [decimal("ValueAsNumber", "value_as_number")]
        case .procedureOccurrence:
            attributes.endDateKey = nil
            attributes.concepts = [
                type("ProcedureType", "procedure_type_concept_id"),
                Concepts(key: "Modifier", column: .own("modifier_concept_id")), gender, providerSpecialty,
                visitType,
            ]
            attributes.numbers = [integer("Quantity", "quantity")]
        case .death:
            attributes.hasFirst = false
            attributes.endDateKey = nil
            attributes.concepts = [type("DeathType", "death_type_concept_id"), gender]
        case .genomicVariant:
            attributes.hasCodeset = false
            attributes.endDateKey = nil
            attributes.concepts = [gender]
            attributes.textSets = [
                ("Gene", "gene_symbol"), ("ClinicalSignificance", "clinical_significance"),
                ("Zygosity", "zygosity"), ("SampleOrigin", "sample_origin"), ("GenomeBuild", "genome_build"),
            ]
            attributes.texts = [("HgvsC", "hgvs_c"), ("HgvsP", "hgvs_p")]
            attributes.numbers = [
                decimal("AlleleFraction", "allele_fraction"), integer("ReadDepth", "read_depth"),
            ]
        case .observationPeriod, .payerPlanPeriod:
            attributes.hasCodeset = false
            attributes.startDateKey = "PeriodStartDate"
            attributes.endDateKey = "PeriodEndDate"
            attributes.age = .atStartAndEnd
            attributes.lengthKey = "PeriodLength"
            attributes.hasUserDefinedPeriod = true
            if domain == .observationPeriod {
                attributes.concepts = [Concepts(key: "PeriodType", column: .own("period_type_concept_id"))]
            } else {
                attributes.concepts = [gender]
                attributes.codesetColumns = [
                    "Payer", "Plan", "Sponsor", "StopReason",
                ].flatMap { name -> [(key: String, column: String)] in
                    let column = name == "StopReason" ? "stop_reason" : name.lowercased()
                    return [
                        ("\(name)Concept", "\(column)_concept_id"),
                        ("\(name)SourceConcept", "\(column)_source_concept_id"),
                    ]
                }
            }
        }
        return attributes
    }

    /// The JSON key naming the source-concept codeset of `domain`.
    static func sourceConceptKey(_ domain: CriterionDomain) -> String? {
        switch domain {
        case .conditionOccurrence: return "ConditionSourceConcept"
        case .drugExposure: return "DrugSourceConcept"
        case .deviceExposure: return "DeviceSourceConcept"
        case .procedureOccurrence: return "ProcedureSourceConcept"
        case .measurement: return "MeasurementSourceConcept"
        case .observation: return "ObservationSourceConcept"
        case .visitOccurrence: return "VisitSourceConcept"
        case .visitDetail: return "VisitDetailSourceConcept"
        case .death: return "DeathSourceConcept"
        case .specimen, .observationPeriod, .payerPlanPeriod, .drugEra, .conditionEra, .doseEra,
            .genomicVariant:
            return nil
        }
    }
}
