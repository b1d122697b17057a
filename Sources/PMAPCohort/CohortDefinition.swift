import Foundation
import PMAPModel

/// A cohort definition refused at parse or compile time, naming the JSON element at fault.
public struct CohortDefinitionError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The element's JSON path, e.g. `PrimaryCriteria.CriteriaList[0].DrugEra.EraLength`.
    public let path: String
    /// What is wrong with it and what to do, e.g. `no concept set 7`.
    public let message: String

    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// An OHDSI Circe cohort definition (the JSON ATLAS exports); ``parse(_:)`` refuses unknown
/// elements, and the few that need tables CDM 5.4 lacks, by their JSON path.
public struct CohortDefinition: Sendable {
    /// The concept sets criteria refer to by id.
    public var conceptSets: [ConceptSet]
    /// The events that can start a cohort period.
    public var primaryCriteria: PrimaryCriteria
    /// Criteria every primary event must meet before the qualified limit (`AdditionalCriteria`).
    public var additionalCriteria: CriteriaGroup?
    /// Which qualifying events per person are kept (applied only with additional criteria).
    public var qualifiedLimit: ResultLimit
    /// Which events per person that pass all inclusion rules are kept.
    public var expressionLimit: ResultLimit
    /// The inclusion rules, in order (rule i is bit i of an inclusion mask).
    public var inclusionRules: [InclusionRule]
    /// How a cohort period ends.
    public var endStrategy: EndStrategy
    /// Events that end a cohort period early (on their start date).
    public var censoringCriteria: [Criterion]
    /// The calendar window periods are clamped to.
    public var censorWindow: CensorWindow
    /// Days between periods of a person that are still merged into one era.
    public var collapseEraPad: Int
    /// Circe's `Title`, when the JSON has one (ATLAS keeps the cohort's name outside the
    /// expression, so its exports usually have none).
    public var title: String? = nil

    /// Parses Circe JSON, refusing what PMAP does not support with the element's JSON path.
    public static func parse(_ json: Data) throws(CohortDefinitionError) -> CohortDefinition {
        let root: JSONValue
        do {
            root = try JSONDecoder().decode(JSONValue.self, from: json)
        } catch {
            throw CohortDefinitionError(path: "", message: "not valid JSON")
        }
        guard case .object = root else {
            throw CohortDefinitionError(path: "", message: "expected a JSON object")
        }
        return try DefinitionParser.definition(root)
    }

    /// The CDM tables the definition reads (e.g. `["drug_era", "person", "observation_period"]`),
    /// for the governance gate. Vocabulary tables (`concept`, `concept_ancestor`,
    /// `concept_relationship`) are listed when concept-set expansion reads them.
    public var tablesRead: Set<String> {
        var tables: Set<String> = ["observation_period"]
        func add(_ criterion: Criterion) {
            tables.formUnion(criterion.tablesRead)
            if let nested = criterion.correlatedCriteria { add(nested) }
        }
        func add(_ group: CriteriaGroup) {
            for correlated in group.criteria { add(correlated.criterion) }
            if !group.demographics.isEmpty { tables.insert("person") }
            for nested in group.groups { add(nested) }
        }
        primaryCriteria.criteria.forEach(add)
        censoringCriteria.forEach(add)
        if let additionalCriteria { add(additionalCriteria) }
        for rule in inclusionRules { add(rule.group) }
        let items = conceptSets.flatMap(\.items)
        if items.contains(where: \.includeDescendants) { tables.formUnion(["concept", "concept_ancestor"]) }
        if items.contains(where: \.includeMapped) { tables.insert("concept_relationship") }
        if case .customEra = endStrategy { tables.insert("drug_exposure") }
        return tables
    }
}

/// A named set of concepts, expanded against the vocabulary when the cohort is generated.
public struct ConceptSet: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var items: [ConceptSetItem]
}

/// One concept of a concept set and how it expands.
public struct ConceptSetItem: Sendable, Equatable {
    public var conceptID: Int64
    /// Removes the concept (and its expansion) from the set instead of adding it.
    public var isExcluded: Bool
    /// Adds the concept's valid descendants (concept_ancestor).
    public var includeDescendants: Bool
    /// Adds the source concepts that map ('Maps to') to the concept (and descendants).
    public var includeMapped: Bool
}

/// Which events per person a step keeps.
public enum ResultLimit: String, Sendable, Equatable {
    case first = "First"
    case last = "Last"
    case all = "All"
}

/// The primary (index) events.
public struct PrimaryCriteria: Sendable {
    public var criteria: [Criterion]
    /// Days of observation required before the event (`ObservationWindow.PriorDays`).
    public var priorDays: Int
    /// Days of observation required after the event (`ObservationWindow.PostDays`).
    public var postDays: Int
    /// `PrimaryCriteriaLimit`.
    public var limit: ResultLimit
}

/// A comparison operator of a numeric or date range.
public enum RangeOperator: String, Sendable {
    case lessThan = "lt"
    case lessOrEqual = "lte"
    case equal = "eq"
    case notEqual = "!eq"
    case greaterThan = "gt"
    case greaterOrEqual = "gte"
    case between = "bt"
    case notBetween = "!bt"
}

/// `{Value, Op, Extent}` on numbers.
public struct NumericRange: Sendable, Equatable {
    public var op: RangeOperator
    public var value: Double
    /// The upper bound of `bt` and `!bt`.
    public var extent: Double?
}

/// `{Value, Op, Extent}` on ISO dates (`YYYY-MM-DD`).
public struct DateRange: Sendable, Equatable {
    public var op: RangeOperator
    public var value: String
    public var extent: String?
}

/// A criteria group: `ALL`, `ANY`, `AT_LEAST` or `AT_MOST` of its members must hold.
public struct CriteriaGroup: Sendable {
    public enum Kind: Sendable, Equatable {
        case all
        case any
        case atLeast(Int)
        case atMost(Int)
    }

    public var kind: Kind
    public var criteria: [CorrelatedCriterion]
    public var demographics: [DemographicCriterion]
    public var groups: [CriteriaGroup]

    var isEmpty: Bool { criteria.isEmpty && demographics.isEmpty && groups.isEmpty }
    var memberCount: Int { criteria.count + demographics.count + groups.count }
}

/// A named inclusion rule.
public struct InclusionRule: Sendable {
    public var name: String
    public var group: CriteriaGroup
}

/// A criterion counted in a window around the index event.
public struct CorrelatedCriterion: Sendable {
    public var criterion: Criterion
    public var startWindow: Window
    public var endWindow: Window?
    /// Counts events outside the index event's observation period too.
    public var ignoreObservationPeriod: Bool
    /// Counts only events of the index event's visit (`visit_occurrence_id`; no visit, no match).
    public var restrictVisit: Bool
    public var occurrence: Occurrence
}

/// A window relative to the index event's start (or end) date.
public struct Window: Sendable, Equatable {
    /// `{Days, Coeff}`: `Days * Coeff` days from the index date; nil days = unbounded (within
    /// the observation period unless it is ignored).
    public struct Endpoint: Sendable, Equatable {
        public var days: Int?
        public var coeff: Int
    }

    public var start: Endpoint
    public var end: Endpoint
    public var useIndexEnd: Bool
    /// Compare the event's end date (nil: the start window uses the start, the end window the end).
    public var useEventEnd: Bool?
}

/// How many matching events a correlated criterion needs.
public struct Occurrence: Sendable, Equatable {
    public enum Kind: Int, Sendable {
        case exactly = 0
        case atMost = 1
        case atLeast = 2
    }

    public var kind: Kind
    public var count: Int
    /// Counts distinct values of `countColumn` instead of events.
    public var isDistinct: Bool
    /// What a distinct count counts (`CountColumn`; Circe's default is the domain concept).
    public var countColumn: CountColumn = .domainConcept
}

/// How cohort periods end (before censoring).
public enum EndStrategy: Sendable, Equatable {
    public enum DateField: String, Sendable {
        case startDate = "StartDate"
        case endDate = "EndDate"
    }

    /// The end of the observation period holding the index event.
    case observationPeriodEnd
    /// `Offset` days after the index event's start or end, capped at the observation period end.
    case dateOffset(DateField, Int)
    /// The end of the drug era (built from drug exposures) holding the index event's start.
    case customEra(CustomEra)

    /// `CustomEra`: exposures to a drug concept set merged into eras.
    public struct CustomEra: Sendable, Equatable {
        /// The concept set of the drug (matched on standard and source concepts).
        public var drugCodesetID: Int64
        /// Exposures this many days apart or less belong to one era.
        public var gapDays: Int
        /// Days added to the era's end (the last exposure's end).
        public var offset: Int
        /// When set, every exposure lasts this many days from its start.
        public var daysSupplyOverride: Int?
    }
}

/// Clamps cohort periods to a calendar window (either bound optional).
public struct CensorWindow: Sendable, Equatable {
    public var startDate: String?
    public var endDate: String?
}
