/// Checks of numeric and date ranges: inverted bounds, values an attribute can never take,
/// contradictory ages, and the observation window.
extension DefinitionChecker {
    mutating func checkRanges() {
        let window = definition.primaryCriteria
        for (key, days) in [("PriorDays", window.priorDays), ("PostDays", window.postDays)] where days < 0 {
            report(
                .negativeObservationWindow, .error, "PrimaryCriteria.ObservationWindow.\(key)",
                "\(key) is \(days), but days of observation cannot be negative; use 0 or more")
        }
        for located in criteria { checkRanges(of: located.value, path: located.path) }
        for located in demographicCriteria {
            let demographic = located.value
            if let age = demographic.age {
                check(age, path: "\(located.path).Age", name: "an age", minimum: 0)
            }
            if let range = demographic.startDate { check(range, path: "\(located.path).OccurrenceStartDate") }
            if let range = demographic.endDate { check(range, path: "\(located.path).OccurrenceEndDate") }
        }
    }

    private mutating func checkRanges(of criterion: Criterion, path: String) {
        let base = "\(path).\(criterion.domain.rawValue)"
        func at(_ attribute: CriterionAttribute) -> String { "\(base).\(criterion.key(attribute))" }
        let numeric: [(NumericRange?, CriterionAttribute, String, Double?)] = [
            (criterion.ageAtStart, .ageAtStart, "an age", 0),
            (criterion.ageAtEnd, .ageAtEnd, "an age", 0),
            (criterion.length, .length, "a length in days", 0),
        ]
        for (range, attribute, name, minimum) in numeric {
            if let range { check(range, path: at(attribute), name: name, minimum: minimum) }
        }
        for filter in criterion.numericFilters {
            let (name, minimum) = Self.meaning(of: filter.value)
            check(filter.range, path: at(.numeric(filter.value)), name: name, minimum: minimum)
        }
        if let range = criterion.startDate { check(range, path: at(.startDate)) }
        if let range = criterion.endDate { check(range, path: at(.endDate)) }
        if let start = criterion.ageAtStart?.interval, let end = criterion.ageAtEnd?.interval,
            let youngestAtStart = start.lower, let oldestAtEnd = end.upper, youngestAtStart > oldestAtEnd
        {
            report(
                .contradictoryAges, .error, at(.ageAtEnd),
                "the age at the end (\(criterion.ageAtEnd!.text)) is below the age at the start (\(criterion.ageAtStart!.text)), which never happens; correct one of the two ranges"
            )
        }
    }

    /// Inverted bounds, and ranges admitting no value of at least `minimum` (ages, lengths,
    /// counts and amounts are never negative).
    /// How a numeric attribute is named in messages, and the least value it can have (values
    /// and range bounds can be negative; counts, amounts and days cannot; an era has at least
    /// one occurrence).
    static func meaning(of value: NumericFilter.Value) -> (name: String, minimum: Double?) {
        guard case .column(let column) = value else { return ("a ratio", nil) }
        switch column {
        case "value_as_number", "dose_value": return ("a value", nil)
        case "range_low", "range_high": return ("a range bound", nil)
        case "drug_exposure_count", "condition_occurrence_count": return ("an era's occurrence count", 1)
        default: return ("a \(column.replacingOccurrences(of: "_", with: " "))", 0)
        }
    }

    private mutating func check(_ range: NumericRange, path: String, name: String, minimum: Double?) {
        if let extent = range.extent, extent < range.value {
            let meaning =
                range.op == .between
                ? "no value is in it" : "every value is outside it, so the filter does nothing"
            report(
                .invertedRange, .error, path,
                "the range \(range.text) ends before it starts (Extent \(format(extent)) < Value \(format(range.value))): \(meaning); swap Value and Extent"
            )
            return
        }
        guard let minimum, !range.admitsValue(atLeast: minimum) else { return }
        report(
            .impossibleRange, .error, path,
            "\(range.text) only admits values below \(format(minimum)), which \(name) never takes; correct the value or the operator"
        )
    }

    private mutating func check(_ range: DateRange, path: String) {
        guard let extent = range.extent, extent < range.value else { return }
        let meaning =
            range.op == .between ? "no date is in it" : "every date is outside it, so the filter does nothing"
        report(
            .invertedRange, .error, path,
            "the dates \(range.value) to \(extent) end before they start: \(meaning); swap Value and Extent")
    }

    func format(_ number: Double) -> String {
        number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
    }
}

extension NumericRange {
    /// The range as a person reads it, e.g. `> 40` or `between 18 and 65`.
    var text: String {
        func number(_ value: Double) -> String {
            value.rounded() == value && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        }
        switch op {
        case .lessThan: return "< \(number(value))"
        case .lessOrEqual: return "<= \(number(value))"
        case .equal: return "= \(number(value))"
        case .notEqual: return "!= \(number(value))"
        case .greaterThan: return "> \(number(value))"
        case .greaterOrEqual: return ">= \(number(value))"
        case .between: return "between \(number(value)) and \(number(extent ?? value))"
        case .notBetween: return "not between \(number(value)) and \(number(extent ?? value))"
        }
    }

    /// Whether some value of at least `minimum` satisfies the range.
    func admitsValue(atLeast minimum: Double) -> Bool {
        switch op {
        case .lessThan: return value > minimum
        case .lessOrEqual, .equal: return value >= minimum
        case .between: return (extent ?? value) >= minimum
        default: return true
        }
    }

    /// The smallest and largest integer the range admits (nil: unbounded), or nil when the
    /// range is not one interval (`!=`, `not between`).
    var interval: (lower: Double?, upper: Double?)? {
        switch op {
        case .lessThan: return (nil, value.rounded(.up) - 1)
        case .lessOrEqual: return (nil, value.rounded(.down))
        case .equal: return (value, value)
        case .greaterThan: return (value.rounded(.down) + 1, nil)
        case .greaterOrEqual: return (value.rounded(.up), nil)
        case .between: return (value.rounded(.up), (extent ?? value).rounded(.down))
        default: return nil
        }
    }
}
