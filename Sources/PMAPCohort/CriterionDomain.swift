/// The CDM domain a criterion reads (Circe's criterion types).
public enum CriterionDomain: String, Sendable, CaseIterable {
    case drugEra = "DrugEra"
    case conditionOccurrence = "ConditionOccurrence"
    case drugExposure = "DrugExposure"
    case conditionEra = "ConditionEra"
    case procedureOccurrence = "ProcedureOccurrence"
    case measurement = "Measurement"
    case observation = "Observation"
    case visitOccurrence = "VisitOccurrence"
    case death = "Death"
    case observationPeriod = "ObservationPeriod"
    case visitDetail = "VisitDetail"
    case deviceExposure = "DeviceExposure"
    case specimen = "Specimen"
    case doseEra = "DoseEra"
    case payerPlanPeriod = "PayerPlanPeriod"
    /// A PMAP extension, not Circe: variants found in a person's specimens (PMAP's
    /// `pmap_genomic_variant` table), by gene, HGVS, clinical significance, allele fraction.
    /// OHDSI tools do not know this criterion type.
    case genomicVariant = "PMAP_GenomicVariant"

    /// Whether the criterion type is PMAP's own, not Circe's.
    public var isPMAPExtension: Bool { self == .genomicVariant }

    /// The CDM table.
    public var table: String { layout.table }

    /// Where the criterion's columns live in its table.
    var layout: DomainLayout {
        switch self {
        case .drugEra:
            return DomainLayout(
                table: "drug_era", alias: "de", id: "drug_era_id", concept: "drug_concept_id",
                start: "drug_era_start_date", end: .column("drug_era_end_date"))
        case .conditionEra:
            return DomainLayout(
                table: "condition_era", alias: "ce", id: "condition_era_id", concept: "condition_concept_id",
                start: "condition_era_start_date", end: .column("condition_era_end_date"))
        case .doseEra:
            return DomainLayout(
                table: "dose_era", alias: "de", id: "dose_era_id", concept: "drug_concept_id",
                start: "dose_era_start_date", end: .column("dose_era_end_date"))
        case .conditionOccurrence:
            return DomainLayout(
                table: "condition_occurrence", alias: "co", id: "condition_occurrence_id",
                concept: "condition_concept_id", source: "condition_source_concept_id",
                start: "condition_start_date", end: .columnOrNextDay("condition_end_date"),
                visit: "visit_occurrence_id", visitDetail: "visit_detail_id")
        case .drugExposure:
            return DomainLayout(
                table: "drug_exposure", alias: "de", id: "drug_exposure_id", concept: "drug_concept_id",
                source: "drug_source_concept_id", start: "drug_exposure_start_date", end: .drugExposure,
                visit: "visit_occurrence_id", visitDetail: "visit_detail_id")
        case .deviceExposure:
            return DomainLayout(
                table: "device_exposure", alias: "dx", id: "device_exposure_id", concept: "device_concept_id",
                source: "device_source_concept_id", start: "device_exposure_start_date",
                end: .columnOrNextDay("device_exposure_end_date"), visit: "visit_occurrence_id",
                visitDetail: "visit_detail_id")
        case .procedureOccurrence:
            return DomainLayout(
                table: "procedure_occurrence", alias: "po", id: "procedure_occurrence_id",
                concept: "procedure_concept_id", source: "procedure_source_concept_id",
                start: "procedure_date",
                end: .nextDay, visit: "visit_occurrence_id", visitDetail: "visit_detail_id")
        case .measurement:
            return DomainLayout(
                table: "measurement", alias: "m", id: "measurement_id", concept: "measurement_concept_id",
                source: "measurement_source_concept_id", start: "measurement_date", end: .nextDay,
                visit: "visit_occurrence_id", visitDetail: "visit_detail_id")
        case .observation:
            return DomainLayout(
                table: "observation", alias: "o", id: "observation_id", concept: "observation_concept_id",
                source: "observation_source_concept_id", start: "observation_date", end: .nextDay,
                visit: "visit_occurrence_id", visitDetail: "visit_detail_id")
        case .specimen:
            return DomainLayout(
                table: "specimen", alias: "s", id: "specimen_id", concept: "specimen_concept_id",
                source: nil, start: "specimen_date", end: .nextDay)
        case .visitOccurrence:
            return DomainLayout(
                table: "visit_occurrence", alias: "vo", id: "visit_occurrence_id",
                concept: "visit_concept_id",
                source: "visit_source_concept_id", start: "visit_start_date", end: .column("visit_end_date"),
                visit: "visit_occurrence_id")
        case .visitDetail:
            return DomainLayout(
                table: "visit_detail", alias: "vd", id: "visit_detail_id", concept: "visit_detail_concept_id",
                source: "visit_detail_source_concept_id", start: "visit_detail_start_date",
                end: .column("visit_detail_end_date"), visit: "visit_occurrence_id",
                visitDetail: "visit_detail_id")
        case .death:
            // Death has no id: the person is the event; a death without cause counts as concept 0.
            return DomainLayout(
                table: "death", alias: "d", id: "person_id", concept: "cause_concept_id",
                source: "cause_source_concept_id", start: "death_date", end: .nextDay)
        case .observationPeriod:
            return DomainLayout(
                table: "observation_period", alias: "op", id: "observation_period_id",
                concept: "period_type_concept_id", start: "observation_period_start_date",
                end: .column("observation_period_end_date"))
        case .genomicVariant:
            // A variant is an event on the day its specimen was collected; no date, no event.
            return DomainLayout(
                table: "pmap_genomic_variant", alias: "gv", id: "genomic_variant_id",
                concept: "gene_concept_id",
                start: "variant_date", end: .nextDay)
        case .payerPlanPeriod:
            return DomainLayout(
                table: "payer_plan_period", alias: "ppp", id: "payer_plan_period_id",
                concept: "payer_concept_id", source: "payer_source_concept_id",
                start: "payer_plan_period_start_date", end: .column("payer_plan_period_end_date"))
        }
    }

    /// The value a distinct `CountColumn` counts in this domain, nil when the domain has none.
    func countedValue(_ column: CountColumn) -> CountedValue? {
        func own(_ name: String, in domains: [CriterionDomain]) -> CountedValue? {
            domains.contains(self) ? .column(name) : nil
        }
        switch column {
        case .domainConcept: return .conceptID
        case .domainSourceConcept: return layout.source.map { .column($0) }
        case .startDate: return .startDate
        case .endDate: return .endDate
        case .duration: return .duration
        case .visitID: return .visitOccurrenceID
        case .visitDetailID: return layout.visitDetail.map { .column($0) }
        case .daysSupply: return own("days_supply", in: [.drugExposure])
        case .refills: return own("refills", in: [.drugExposure])
        case .quantity:
            return own("quantity", in: [.drugExposure, .procedureOccurrence, .deviceExposure, .specimen])
        case .eraOccurrences:
            switch self {
            case .drugEra: return .column("drug_exposure_count")
            case .conditionEra: return .column("condition_occurrence_count")
            default: return nil
            }
        case .gapDays: return own("gap_days", in: [.drugEra])
        case .rangeLow: return own("range_low", in: [.measurement])
        case .rangeHigh: return own("range_high", in: [.measurement])
        case .unit:
            return own(
                "unit_concept_id", in: [.measurement, .observation, .specimen, .doseEra, .deviceExposure])
        case .valueAsNumber:
            if self == .doseEra { return .column("dose_value") }
            return own("value_as_number", in: [.measurement, .observation])
        }
    }
}

/// The columns of a domain's table that a criterion query reads.
struct DomainLayout {
    /// How the row's end date is found.
    enum End {
        /// A non-null end column.
        case column(String)
        /// The end column, or the day after the start when it is NULL.
        case columnOrNextDay(String)
        /// The day after the start (single-day events).
        case nextDay
        /// `drug_exposure_end_date`, else start + `days_supply`, else the day after the start.
        case drugExposure
    }

    let table: String
    let alias: String
    let id: String
    let concept: String
    var source: String? = nil
    let start: String
    let end: End
    /// The visit_occurrence_id column (nil: the domain has no visit).
    var visit: String? = nil
    /// The visit_detail_id column (nil: none).
    var visitDetail: String? = nil
}

/// Where a counted value is found in a criterion's rows.
enum CountedValue: Equatable {
    case conceptID
    case startDate
    case endDate
    case duration
    case visitOccurrenceID
    /// A column of the domain's table.
    case column(String)
}
