/// One finding of ``CohortDefinition/checks()``: a design problem found before the cohort runs,
/// with the JSON path of the element at fault and what to do about it.
///
/// The severities follow ATLAS's checker: an ``Severity/error`` means the definition can never
/// match anything (or is malformed), a ``Severity/warning`` is a likely mistake, an
/// ``Severity/info`` a note worth reading.
public struct DefinitionCheck: Sendable, Equatable, CustomStringConvertible {
    /// How serious a finding is.
    public enum Severity: String, Sendable, Comparable, CaseIterable {
        /// The definition can never match anything, or one of its parts is malformed.
        case error
        /// Probably not what the author meant.
        case warning
        /// A note on a choice worth a second look.
        case info

        private var rank: Int {
            switch self {
            case .error: 0
            case .warning: 1
            case .info: 2
            }
        }

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs.rank < rhs.rank }
    }

    /// Which check found it (stable names, for tests and tooling).
    public enum Kind: String, Sendable, CaseIterable {
        case emptyConceptSet
        case unusedConceptSet
        case duplicateConceptSet
        case criterionWithoutConceptSet
        case invertedRange
        case impossibleRange
        case contradictoryAges
        case negativeObservationWindow
        case impossibleWindow
        case atLeastZero
        case distinctWithoutEffect
        case deathBeforeIndex
        case lookBeyondObservation
        case timePattern
        case drugEraDaysSupply
        case emptyInclusionRule
        case emptyGroup
        case unsatisfiableGroupCount
        case trivialGroupCount
        case duplicateCriterion
        case contradictoryOccurrences
        case firstEventContradiction
        case contradictoryDemographics
        case demographicWithoutAttributes
        case exitBeforeEntry
        case limitWithoutEffect
        case allEventsWithoutExit
        case drugExitStrategy
        case recordTypeUnspecified
    }

    public let kind: Kind
    public let severity: Severity
    /// The element's JSON path, e.g. `InclusionRules[0].expression.CriteriaList[1].StartWindow`.
    public let path: String
    /// What is wrong and what to do about it.
    public let message: String

    public init(kind: Kind, severity: Severity, path: String, message: String) {
        self.kind = kind
        self.severity = severity
        self.path = path
        self.message = message
    }

    public var description: String {
        "\(severity.rawValue) \(path.isEmpty ? "(definition)" : path): \(message)"
    }
}

extension CohortDefinition {
    /// Design checks, as ATLAS runs them before a cohort is generated: impossible windows and
    /// ranges, empty or unused concept sets, contradictory criteria, exits before entries and
    /// the like. Errors first, then warnings, then notes; each group in definition order.
    /// Reads no data.
    public func checks() -> [DefinitionCheck] {
        var checker = DefinitionChecker(self)
        checker.checkConceptSets()
        checker.checkRanges()
        checker.checkWindows()
        checker.checkGroups()
        checker.checkStrategies()
        return checker.findings.enumerated()
            .sorted { ($0.element.severity, $0.offset) < ($1.element.severity, $1.offset) }
            .map(\.element)
    }
}

/// Walks a definition once, listing its criteria, groups and demographic criteria with their
/// JSON paths; the checks (in `DefinitionChecks*.swift`) read these lists and add findings.
struct DefinitionChecker {
    /// A domain criterion and the path of the object wrapping it (`…CriteriaList[0]`,
    /// `…CriteriaList[1].Criteria`); its attributes are at `path.Domain.Key`.
    struct Located<Value> {
        let value: Value
        let path: String
    }

    /// A criteria group with its place: root groups are an inclusion rule's expression or
    /// `AdditionalCriteria`, whose index events are the primary events.
    struct LocatedGroup {
        let group: CriteriaGroup
        let path: String
        let isRoot: Bool
    }

    let definition: CohortDefinition
    private(set) var criteria: [Located<Criterion>] = []
    private(set) var groups: [LocatedGroup] = []
    var findings: [DefinitionCheck] = []

    init(_ definition: CohortDefinition) {
        self.definition = definition
        for (index, criterion) in definition.primaryCriteria.criteria.enumerated() {
            visit(criterion, path: "PrimaryCriteria.CriteriaList[\(index)]")
        }
        if let additional = definition.additionalCriteria {
            visit(additional, path: "AdditionalCriteria", isRoot: true)
        }
        for (index, rule) in definition.inclusionRules.enumerated() {
            visit(rule.group, path: "InclusionRules[\(index)].expression", isRoot: true)
        }
        for (index, criterion) in definition.censoringCriteria.enumerated() {
            visit(criterion, path: "CensoringCriteria[\(index)]")
        }
    }

    private mutating func visit(_ criterion: Criterion, path: String) {
        criteria.append(Located(value: criterion, path: path))
        if let nested = criterion.correlatedCriteria {
            visit(nested, path: "\(path).\(criterion.domain.rawValue).CorrelatedCriteria", isRoot: false)
        }
    }

    private mutating func visit(_ group: CriteriaGroup, path: String, isRoot: Bool) {
        groups.append(LocatedGroup(group: group, path: path, isRoot: isRoot))
        for (index, correlated) in group.criteria.enumerated() {
            visit(correlated.criterion, path: "\(path).CriteriaList[\(index)].Criteria")
        }
        for (index, nested) in group.groups.enumerated() {
            visit(nested, path: "\(path).Groups[\(index)]", isRoot: false)
        }
    }

    /// Every correlated criterion with its path (`…CriteriaList[i]`) and whether its index
    /// events are the primary events (it sits in a root group, directly or nested).
    var correlatedCriteria: [(correlated: CorrelatedCriterion, path: String, indexIsPrimary: Bool)] {
        groups.flatMap { located in
            located.group.criteria.enumerated().map { index, correlated in
                (
                    correlated: correlated, path: "\(located.path).CriteriaList[\(index)]",
                    indexIsPrimary: indexesPrimaryEvents(located.path)
                )
            }
        }
    }

    /// Every demographic criterion with its path.
    var demographicCriteria: [Located<DemographicCriterion>] {
        groups.flatMap { located in
            located.group.demographics.enumerated().map { index, demographic in
                Located(value: demographic, path: "\(located.path).DemographicCriteriaList[\(index)]")
            }
        }
    }

    /// Whether a group at `path` judges primary events (not a nested criterion's own events).
    private func indexesPrimaryEvents(_ path: String) -> Bool { !path.contains(".CorrelatedCriteria") }

    mutating func report(
        _ kind: DefinitionCheck.Kind, _ severity: DefinitionCheck.Severity, _ path: String, _ message: String
    ) {
        findings.append(DefinitionCheck(kind: kind, severity: severity, path: path, message: message))
    }

    /// The inclusion rule's name for a path under `InclusionRules[i]`, quoted, for messages.
    func ruleName(_ path: String) -> String? {
        guard path.hasPrefix("InclusionRules["), let close = path.firstIndex(of: "]"),
            let index = Int(path[path.index(path.startIndex, offsetBy: 15)..<close]),
            definition.inclusionRules.indices.contains(index)
        else { return nil }
        return "\"\(definition.inclusionRules[index].name)\""
    }

    /// A stable text of a value's full content, to compare model values that are not
    /// `Equatable` (and stay comparable as the model grows).
    static func fingerprint<Value>(_ value: Value) -> String { String(reflecting: value) }
}

extension Criterion {
    /// The JSON key of an attribute of this criterion's domain, e.g. `Age` or `AgeAtStart`.
    func key(_ attribute: CriterionAttribute) -> String {
        let attributes = CriterionAttributes.of(domain)
        switch attribute {
        case .ageAtStart: return attributes.age == .age ? "Age" : "AgeAtStart"
        case .ageAtEnd: return "AgeAtEnd"
        case .length: return attributes.lengthKey ?? "Length"
        case .startDate: return attributes.startDateKey ?? "StartDate"
        case .endDate: return attributes.endDateKey ?? "EndDate"
        case .numeric(let value): return attributes.numbers.first { $0.value == value }?.key ?? "Value"
        }
    }

    /// The JSON key of the domain's record-type attribute (e.g. `ConditionType`) and its column.
    var typeAttribute: (key: String, column: ConceptColumn)? {
        CriterionAttributes.of(domain).concepts.first {
            if case .own(let column) = $0.column { return column.hasSuffix("_type_concept_id") }
            return false
        }.map { ($0.key, $0.column) }
    }

    /// A readable name of the domain, e.g. `drug era`.
    var domainName: String {
        domain.rawValue.reduce(into: "") { name, character in
            if character.isUppercase && !name.isEmpty { name.append(" ") }
            name.append(character.lowercased())
        }
    }
}

/// The attributes of a criterion the checks look at.
enum CriterionAttribute {
    case ageAtStart, ageAtEnd, length, startDate, endDate
    /// A numeric attribute (`ValueAsNumber`, `Quantity`, `OccurrenceCount`, ...).
    case numeric(NumericFilter.Value)
}
