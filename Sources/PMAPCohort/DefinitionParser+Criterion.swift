import PMAPModel

/// Domain criteria and their attributes.
extension DefinitionParser {
    static let locationRegionReason =
        "needs location_history and location.region_concept_id (OMOP CDM 6.1), which CDM 5.4 does not "
        + "have; select persons by location through a concept set on another criterion instead"

    static func criterion(_ value: JSONValue, path: String) throws(Failure) -> Criterion {
        let wrapper = try ObjectReader(value, path: path)
        let present = wrapper.keys.filter { wrapper.isPresent($0) }
        guard present.count == 1, let key = present.first else {
            throw Failure(path: path, message: "expected exactly one criterion type")
        }
        if key == "LocationRegion" {
            throw Failure(path: wrapper.child(key), message: locationRegionReason)
        }
        guard let domain = CriterionDomain(rawValue: key) else {
            let known = CriterionDomain.allCases.map(\.rawValue).sorted().joined(separator: ", ")
            throw Failure(
                path: wrapper.child(key), message: "unknown criterion type; expected one of \(known)")
        }
        guard case .object(let fields) = value, let body = fields[key] else {
            throw Failure(path: path, message: "expected an object")
        }
        var reader = try ObjectReader(body, path: wrapper.child(key))
        let attributes = CriterionAttributes.of(domain)
        for unavailable in attributes.unavailable where reader.has(unavailable.key) {
            throw Failure(path: reader.child(unavailable.key), message: unavailable.reason)
        }
        var criterion = Criterion(domain: domain)
        if attributes.hasCodeset { criterion.codesetID = try reader.int64("CodesetId") }
        if attributes.hasFirst { criterion.first = try reader.bool("First") ?? false }
        if let key = CriterionAttributes.sourceConceptKey(domain) {
            criterion.sourceCodesetID = try reader.int64(key)
        }
        if case .object = reader.value("CorrelatedCriteria") {
            let nested = try group(try reader.object("CorrelatedCriteria"))
            if !nested.isEmpty { criterion.correlatedCriteria = nested }
        }
        if let key = attributes.startDateKey { criterion.startDate = try dateRange(&reader, key) }
        if let key = attributes.endDateKey { criterion.endDate = try dateRange(&reader, key) }
        switch attributes.age {
        case .age: criterion.ageAtStart = try numericRange(&reader, "Age", integral: true)
        case .atStartAndEnd:
            criterion.ageAtStart = try numericRange(&reader, "AgeAtStart", integral: true)
            criterion.ageAtEnd = try numericRange(&reader, "AgeAtEnd", integral: true)
        }
        if let key = attributes.lengthKey {
            criterion.length = try numericRange(&reader, key, integral: true)
        }
        for concept in attributes.concepts {
            criterion.conceptFilters += try conceptFilters(&reader, concept)
        }
        for (key, column) in attributes.codesetColumns {
            if let id = try reader.int64(key) {
                criterion.conceptFilters.append(
                    ConceptFilter(key: key, column: .own(column), selection: .conceptSet(id, excluded: false))
                )
            }
        }
        for (key, column) in attributes.texts {
            if let filter = try textFilter(&reader, key, column: column) {
                criterion.textFilters.append(filter)
            }
        }
        for (key, column) in attributes.textSets {
            let values = try reader.array(key).map { item throws(Failure) -> String in
                guard case .string(let text) = item.value, !text.isEmpty else {
                    throw Failure(path: item.path, message: "expected a non-empty text")
                }
                return text
            }
            if !values.isEmpty {
                criterion.textSetFilters.append(TextSetFilter(key: key, column: column, values: values))
            }
        }
        for number in attributes.numbers {
            if let range = try numericRange(&reader, number.key, integral: number.integral) {
                criterion.numericFilters.append(
                    NumericFilter(value: number.value, range: range, integral: number.integral))
            }
        }
        if attributes.hasAbnormal { criterion.abnormal = try reader.bool("Abnormal") ?? false }
        if attributes.hasUserDefinedPeriod, reader.has("UserDefinedPeriod") {
            var period = try reader.object("UserDefinedPeriod")
            criterion.userDefinedPeriod = UserDefinedPeriod(
                startDate: try date(period.string("StartDate"), path: period.child("StartDate")),
                endDate: try date(period.string("EndDate"), path: period.child("EndDate")))
            try period.finish()
        }
        if reader.has("DateAdjustment") {
            criterion.dateAdjustment = try dateAdjustment(try reader.object("DateAdjustment"))
        }
        try reader.finish()
        return criterion
    }

    /// The list form `Key: [{CONCEPT_ID}]` (with its `KeyExclude` flag) and the concept-set form
    /// `KeyCS: {CodesetId, IsExclusion}` of one concept attribute.
    static func conceptFilters(
        _ reader: inout ObjectReader, _ attribute: CriterionAttributes.Concepts
    ) throws(Failure) -> [ConceptFilter] {
        var filters: [ConceptFilter] = []
        if attribute.hasList {
            let ids = try concepts(&reader, attribute.key)
            var excluded = false
            if let key = attribute.excludeKey { excluded = try reader.bool(key) ?? false }
            if !ids.isEmpty {
                filters.append(
                    ConceptFilter(
                        key: attribute.key, column: attribute.column,
                        selection: .concepts(ids, excluded: excluded)))
            }
        }
        let setKey = attribute.key + "CS"
        if case .object = reader.value(setKey) {
            var selection = try reader.object(setKey)
            let id = try selection.int64("CodesetId")
            let excluded = try selection.bool("IsExclusion") ?? false
            try selection.finish()
            filters.append(
                ConceptFilter(
                    key: setKey, column: attribute.column, selection: .conceptSet(id, excluded: excluded)))
        }
        return filters
    }

    /// `{Text, Op}`: Op is `startsWith`, `endsWith`, `contains` or `eq`, `!` before it negates.
    static func textFilter(_ parent: inout ObjectReader, _ key: String, column: String) throws(Failure)
        -> TextFilter?
    {
        guard parent.has(key) else {
            _ = parent.value(key)
            return nil
        }
        var reader = try parent.object(key)
        guard let text = try reader.string("Text") else {
            throw Failure(path: reader.child("Text"), message: "is required")
        }
        let opText = try reader.string("Op") ?? "eq"
        let negated = opText.hasPrefix("!")
        guard let match = TextFilter.Match(rawValue: negated ? String(opText.dropFirst()) : opText) else {
            throw Failure(
                path: reader.child("Op"),
                message: "unknown text operator \(opText); expected startsWith, endsWith, contains or eq, "
                    + "optionally negated with !")
        }
        try reader.finish()
        return TextFilter(column: column, text: text, match: match, negated: negated)
    }

    static func dateAdjustment(_ reader: ObjectReader) throws(Failure) -> DateAdjustment {
        var reader = reader
        func anchor(_ key: String, _ fallback: DateAdjustment.Anchor) throws(Failure) -> DateAdjustment.Anchor
        {
            guard let text = try reader.string(key) else { return fallback }
            guard let anchor = DateAdjustment.Anchor(rawValue: text) else {
                throw Failure(path: reader.child(key), message: "\(text) is not START_DATE or END_DATE")
            }
            return anchor
        }
        let adjustment = DateAdjustment(
            startWith: try anchor("StartWith", .startDate), startOffset: try reader.int("StartOffset") ?? 0,
            endWith: try anchor("EndWith", .endDate), endOffset: try reader.int("EndOffset") ?? 0)
        try reader.finish()
        return adjustment
    }

    static func concepts(_ reader: inout ObjectReader, _ key: String) throws(Failure) -> [Int64] {
        var ids: [Int64] = []
        for (value, path) in try reader.array(key) {
            var concept = try ObjectReader(value, path: path)
            ids.append(try conceptIdentifier(&concept))
        }
        return ids
    }

    static func op(_ reader: inout ObjectReader) throws(Failure) -> RangeOperator {
        guard let text = try reader.string("Op") else {
            throw Failure(path: reader.child("Op"), message: "is required")
        }
        let normalised = text == "neq" ? "!eq" : text
        guard let op = RangeOperator(rawValue: normalised) else {
            throw Failure(path: reader.child("Op"), message: "unknown operator \(text)")
        }
        return op
    }

    static func numericRange(
        _ parent: inout ObjectReader, _ key: String, integral: Bool
    ) throws(Failure) -> NumericRange? {
        guard parent.has(key) else {
            _ = parent.value(key)
            return nil
        }
        var reader = try parent.object(key)
        let op = try op(&reader)
        func number(_ name: String, required: Bool) throws(Failure) -> Double? {
            guard let value = try reader.double(name) else {
                if required { throw Failure(path: reader.child(name), message: "is required") }
                return nil
            }
            if integral && value.rounded(.towardZero) != value {
                throw Failure(path: reader.child(name), message: "expected an integer, got \(value)")
            }
            return value
        }
        let value = try number("Value", required: true)!
        let extent = try number("Extent", required: op == .between || op == .notBetween)
        try reader.finish()
        return NumericRange(
            op: op, value: value, extent: (op == .between || op == .notBetween) ? extent : nil)
    }

    static func dateRange(_ parent: inout ObjectReader, _ key: String) throws(Failure) -> DateRange? {
        guard parent.has(key) else {
            _ = parent.value(key)
            return nil
        }
        var reader = try parent.object(key)
        let op = try op(&reader)
        guard let value = try date(try reader.string("Value"), path: reader.child("Value")) else {
            throw Failure(path: reader.child("Value"), message: "is required")
        }
        let ranged = op == .between || op == .notBetween
        let extent = try date(try reader.string("Extent"), path: reader.child("Extent"))
        if ranged && extent == nil { throw Failure(path: reader.child("Extent"), message: "is required") }
        try reader.finish()
        return DateRange(op: op, value: value, extent: ranged ? extent : nil)
    }

    /// An ISO date, normalised to `YYYY-MM-DD`.
    static func date(_ text: String?, path: String) throws(Failure) -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard text.count == 10 || text.count >= 19, let day = Day(iso: text) else {
            throw Failure(path: path, message: "\(text) is not a date (YYYY-MM-DD)")
        }
        return day.iso
    }
}
