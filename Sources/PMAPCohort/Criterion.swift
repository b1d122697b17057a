/// A domain criterion: the rows of one CDM table, filtered by its attributes.
public struct Criterion: Sendable {
    public var domain: CriterionDomain
    /// Only rows whose concept is in this concept set (nil: any concept).
    public var codesetID: Int64?
    /// Only rows whose source concept is in this concept set (`ConditionSourceConcept`, ...).
    public var sourceCodesetID: Int64?
    /// Only the person's first row of the criterion (by start date, among rows of the codeset).
    public var first: Bool = false
    /// `OccurrenceStartDate`, `EraStartDate`, `PeriodStartDate` or `VisitDetailStartDate`.
    public var startDate: DateRange?
    /// `OccurrenceEndDate`, `EraEndDate`, `PeriodEndDate` or `VisitDetailEndDate`.
    public var endDate: DateRange?
    /// `Age` or `AgeAtStart`: year of the start date minus year of birth.
    public var ageAtStart: NumericRange?
    /// `AgeAtEnd`: year of the end date minus year of birth.
    public var ageAtEnd: NumericRange?
    /// `EraLength`, `VisitLength`, `VisitDetailLength` or `PeriodLength`: days from start to end.
    public var length: NumericRange?
    /// Concept attributes: type, status, gender, unit, provider specialty, visit, ... as concept
    /// lists or concept-set selections (`...CS`).
    public var conceptFilters: [ConceptFilter] = []
    /// Text attributes: `StopReason`, `LotNumber`, `UniqueDeviceId`, `ValueAsString`, `SourceId`.
    public var textFilters: [TextFilter] = []
    /// Numeric attributes: `ValueAsNumber`, `Quantity`, `DaysSupply`, `RangeLowRatio`, ...
    public var numericFilters: [NumericFilter] = []
    /// Text-list attributes (PMAP's genomic criteria: `Gene`, `ClinicalSignificance`, ...).
    public var textSetFilters: [TextSetFilter] = []
    /// `Abnormal` measurements: below `range_low`, above `range_high`, or valued as abnormal.
    public var abnormal: Bool = false
    /// `DateAdjustment`: the row's start and end dates are moved before any other filter.
    public var dateAdjustment: DateAdjustment?
    /// `UserDefinedPeriod` of observation and payer plan periods.
    public var userDefinedPeriod: UserDefinedPeriod?
    /// `CorrelatedCriteria`: a group each row must satisfy as an index event of its own.
    public var correlatedCriteria: CriteriaGroup?

    /// The CDM tables this criterion reads itself (not its correlated criteria).
    var tablesRead: Set<String> {
        var tables: Set<String> = [domain.table]
        if ageAtStart != nil || ageAtEnd != nil { tables.insert("person") }
        for filter in conceptFilters {
            if let table = filter.column.joinedTable { tables.insert(table) }
        }
        return tables
    }
}

/// Where a concept attribute's concept id is read.
public enum ConceptColumn: Sendable, Equatable {
    /// A column of the criterion's own table, e.g. `condition_type_concept_id`.
    case own(String)
    /// A column of the person, e.g. `gender_concept_id`.
    case person(String)
    /// The specialty of the row's provider (`provider.specialty_concept_id`; no provider, no match).
    case providerSpecialty
    /// Circe's `VisitType` on event tables: the concept of the row's visit
    /// (`visit_occurrence.visit_concept_id`, not its type).
    case visitConcept
    /// The place of service of the row's care site (`care_site.place_of_service_concept_id`).
    case placeOfService

    /// The table joined to read the column (nil: the criterion's own table).
    var joinedTable: String? {
        switch self {
        case .own: return nil
        case .person: return "person"
        case .providerSpecialty: return "provider"
        case .visitConcept: return "visit_occurrence"
        case .placeOfService: return "care_site"
        }
    }
}

/// A concept attribute: a list of concepts or a concept set, either kept or excluded.
public struct ConceptFilter: Sendable, Equatable {
    public enum Selection: Sendable, Equatable {
        /// The concept ids (`ConditionType: [...]`); `excluded` by a `...TypeExclude` flag.
        case concepts([Int64], excluded: Bool)
        /// A concept set (`ConditionTypeCS`); without a set id, any concept (excluded: none).
        case conceptSet(Int64?, excluded: Bool)
    }

    /// The JSON key it came from (e.g. `GenderCS`), for error paths.
    public var key: String
    /// Where the concept id is read.
    public var column: ConceptColumn
    /// Which concept ids pass.
    public var selection: Selection
}

/// A `{Text, Op}` filter on a text column: matches the whole text, its start, end or any part;
/// `!` before the operator negates. Matching ignores case; `%` and `_` match themselves.
public struct TextFilter: Sendable, Equatable {
    /// Where in the column the text must be (Circe's `Op` without its `!`).
    public enum Match: String, Sendable {
        case exact = "eq"
        case startsWith
        case endsWith
        case contains
    }

    /// The text column of the criterion's table, e.g. `stop_reason`.
    public var column: String
    public var text: String
    public var match: Match
    /// Keeps the rows that do not match (`!contains`, ...); a NULL text matches neither way.
    public var negated: Bool
}

/// A list of texts a text column must equal one of (ignoring case), e.g. genes `["BRCA1", "BRCA2"]`.
public struct TextSetFilter: Sendable, Equatable {
    /// The JSON key it came from (e.g. `Gene`).
    public var key: String
    /// The text column of the criterion's table, e.g. `gene_symbol`.
    public var column: String
    public var values: [String]
}

/// A numeric range on a value of the criterion's row.
public struct NumericFilter: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        /// A column of the criterion's table.
        case column(String)
        /// `value / denominator` (NULL when the denominator is 0 or NULL).
        case ratio(String, denominator: String)
    }

    /// What is compared.
    public var value: Value
    public var range: NumericRange
    /// Integral ranges compare with integers.
    public var integral: Bool
}

/// Circe's `DateAdjustment`: start = (start or end) + `startOffset` days, end = (start or end) +
/// `endOffset` days; rows whose adjusted end precedes their adjusted start are dropped.
public struct DateAdjustment: Sendable, Equatable {
    /// Which of the row's dates an adjusted date starts from.
    public enum Anchor: String, Sendable {
        case startDate = "START_DATE"
        case endDate = "END_DATE"
    }

    /// The new start: `startWith` + `startOffset` days.
    public var startWith: Anchor
    public var startOffset: Int
    /// The new end: `endWith` + `endOffset` days.
    public var endWith: Anchor
    public var endOffset: Int
}

/// `UserDefinedPeriod`: the period must contain each given date, which replaces its start or end.
public struct UserDefinedPeriod: Sendable, Equatable {
    public var startDate: String?
    public var endDate: String?
}

/// What a distinct occurrence count counts (Circe's `CriteriaColumn`): the domain concept or
/// source concept, start or end date, duration in days, visit or visit detail id, or a value
/// column (days supply, quantity, refills, era occurrences, gap days, range low/high, unit,
/// value as number) of the types that have it.
public enum CountColumn: String, Sendable, CaseIterable {
    case domainConcept = "DOMAIN_CONCEPT"
    case domainSourceConcept = "DOMAIN_SOURCE_CONCEPT"
    case startDate = "START_DATE"
    case endDate = "END_DATE"
    case duration = "DURATION"
    case visitID = "VISIT_ID"
    case visitDetailID = "VISIT_DETAIL_ID"
    case daysSupply = "DAYS_SUPPLY"
    case quantity = "QUANTITY"
    case refills = "REFILLS"
    case eraOccurrences = "ERA_OCCURRENCES"
    case gapDays = "GAP_DAYS"
    case rangeLow = "RANGE_LOW"
    case rangeHigh = "RANGE_HIGH"
    case unit = "UNIT"
    case valueAsNumber = "VALUE_AS_NUMBER"
}

/// A condition on the person and index event itself.
public struct DemographicCriterion: Sendable {
    public var age: NumericRange?
    /// `Gender`, `Race`, `Ethnicity` and their `...CS` forms, on person columns.
    public var conceptFilters: [ConceptFilter]
    public var startDate: DateRange?
    public var endDate: DateRange?
}
