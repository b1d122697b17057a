import PMAPModel

/// Builds a ``CohortDefinition`` from Circe JSON, refusing unknown or unsupported elements.
enum DefinitionParser {
    typealias Failure = CohortDefinitionError

    static func definition(_ root: JSONValue) throws(Failure) -> CohortDefinition {
        var reader = try ObjectReader(root, path: "")
        reader.ignore("cdmVersionRange", "Title", "Description", "title", "description")
        var conceptSets: [ConceptSet] = []
        for (value, path) in try reader.array("ConceptSets") {
            conceptSets.append(try conceptSet(value, path: path))
        }
        var seen: Set<Int64> = []
        for (index, set) in conceptSets.enumerated() where !seen.insert(set.id).inserted {
            throw Failure(path: "ConceptSets[\(index)].id", message: "concept set id \(set.id) is used twice")
        }
        guard reader.has("PrimaryCriteria") else {
            throw Failure(path: "PrimaryCriteria", message: "is required")
        }
        let primary = try primaryCriteria(try reader.object("PrimaryCriteria"))
        var additional: CriteriaGroup?
        // Present as an object, even empty, it switches the qualified limit on (as in Circe).
        if case .object = reader.value("AdditionalCriteria") {
            additional = try group(try reader.object("AdditionalCriteria"))
        } else {
            _ = reader.value("AdditionalCriteria")
        }
        let qualified = try limit(try reader.object("QualifiedLimit"))
        let expression = try limit(try reader.object("ExpressionLimit"))
        var rules: [InclusionRule] = []
        for (value, path) in try reader.array("InclusionRules") {
            var rule = try ObjectReader(value, path: path)
            rule.ignore("description")
            let name = try rule.string("name") ?? "rule \(rules.count)"
            let expression = try group(try rule.object("expression"))
            try rule.finish()
            rules.append(InclusionRule(name: name, group: expression))
        }
        guard rules.count <= 62 else {
            throw Failure(path: "InclusionRules", message: "more than 62 inclusion rules")
        }
        let end = try endStrategy(try reader.object("EndStrategy"))
        var censoring: [Criterion] = []
        for (value, path) in try reader.array("CensoringCriteria") {
            censoring.append(try criterion(value, path: path))
        }
        var window = try reader.object("CensorWindow")
        let censorWindow = CensorWindow(
            startDate: try date(window.string("StartDate"), path: window.child("StartDate")),
            endDate: try date(window.string("EndDate"), path: window.child("EndDate")))
        try window.finish()
        var collapse = try reader.object("CollapseSettings")
        if let type = try collapse.string("CollapseType"), type != "ERA" {
            throw Failure(path: collapse.child("CollapseType"), message: "\(type) is not supported yet")
        }
        let pad = try collapse.int("EraPad") ?? 0
        guard pad >= 0 else { throw Failure(path: collapse.child("EraPad"), message: "must not be negative") }
        try collapse.finish()
        try reader.finish()
        let definition = CohortDefinition(
            conceptSets: conceptSets, primaryCriteria: primary, additionalCriteria: additional,
            qualifiedLimit: qualified, expressionLimit: expression, inclusionRules: rules, endStrategy: end,
            censoringCriteria: censoring, censorWindow: censorWindow, collapseEraPad: pad)
        try checkCodesets(definition, known: seen)
        return definition
    }

    private static func conceptSet(_ value: JSONValue, path: String) throws(Failure) -> ConceptSet {
        var reader = try ObjectReader(value, path: path)
        guard let id = try reader.int64("id") else {
            throw Failure(path: reader.child("id"), message: "is required")
        }
        let name = try reader.string("name") ?? ""
        var expression = try reader.object("expression")
        var items: [ConceptSetItem] = []
        for (itemValue, itemPath) in try expression.array("items") {
            var item = try ObjectReader(itemValue, path: itemPath)
            var concept = try item.object("concept")
            let conceptID = try conceptIdentifier(&concept)
            items.append(
                ConceptSetItem(
                    conceptID: conceptID, isExcluded: try item.bool("isExcluded") ?? false,
                    includeDescendants: try item.bool("includeDescendants") ?? false,
                    includeMapped: try item.bool("includeMapped") ?? false))
            try item.finish()
        }
        try expression.finish()
        try reader.finish()
        return ConceptSet(id: id, name: name, items: items)
    }

    /// Descriptive fields of a concept object; only `CONCEPT_ID` counts.
    private static let conceptMetadata = [
        "CONCEPT_NAME", "CONCEPT_CODE", "DOMAIN_ID", "VOCABULARY_ID", "CONCEPT_CLASS_ID", "STANDARD_CONCEPT",
        "STANDARD_CONCEPT_CAPTION", "INVALID_REASON", "INVALID_REASON_CAPTION", "VALID_START_DATE",
        "VALID_END_DATE",
    ]

    private static func conceptIdentifier(_ concept: inout ObjectReader) throws(Failure) -> Int64 {
        for key in conceptMetadata { concept.ignore(key) }
        guard let id = try concept.int64("CONCEPT_ID") else {
            throw Failure(path: concept.child("CONCEPT_ID"), message: "is required")
        }
        try concept.finish()
        return id
    }

    private static func concepts(_ reader: inout ObjectReader, _ key: String) throws(Failure) -> [Int64] {
        var ids: [Int64] = []
        for (value, path) in try reader.array(key) {
            var concept = try ObjectReader(value, path: path)
            ids.append(try conceptIdentifier(&concept))
        }
        return ids
    }

    private static func primaryCriteria(_ reader: ObjectReader) throws(Failure) -> PrimaryCriteria {
        var reader = reader
        var criteria: [Criterion] = []
        for (value, path) in try reader.array("CriteriaList") {
            criteria.append(try criterion(value, path: path))
        }
        guard !criteria.isEmpty else {
            throw Failure(path: reader.child("CriteriaList"), message: "needs at least one criterion")
        }
        var window = try reader.object("ObservationWindow")
        let prior = try window.int("PriorDays") ?? 0
        let post = try window.int("PostDays") ?? 0
        try window.finish()
        let primaryLimit = try limit(try reader.object("PrimaryCriteriaLimit"))
        try reader.finish()
        return PrimaryCriteria(criteria: criteria, priorDays: prior, postDays: post, limit: primaryLimit)
    }

    private static func limit(_ reader: ObjectReader) throws(Failure) -> ResultLimit {
        var reader = reader
        let text = try reader.string("Type") ?? "First"
        guard let value = ResultLimit(rawValue: text.prefix(1).uppercased() + text.dropFirst().lowercased())
        else {
            throw Failure(path: reader.child("Type"), message: "\(text) is not First, Last or All")
        }
        try reader.finish()
        return value
    }

    private static func endStrategy(_ reader: ObjectReader) throws(Failure) -> EndStrategy {
        var reader = reader
        if reader.has("DateOffset") {
            var offset = try reader.object("DateOffset")
            let fieldText = try offset.string("DateField") ?? "StartDate"
            guard let field = EndStrategy.DateField(rawValue: fieldText) else {
                throw Failure(
                    path: offset.child("DateField"), message: "\(fieldText) is not StartDate or EndDate")
            }
            let days = try offset.int("Offset") ?? 0
            try offset.finish()
            try reader.finish()
            return .dateOffset(field, days)
        }
        if reader.has("CustomEra") {
            var era = try reader.object("CustomEra")
            guard let codeset = try era.int64("DrugCodesetId") else {
                throw Failure(path: era.child("DrugCodesetId"), message: "is required")
            }
            let gap = try era.int("GapDays") ?? 0
            guard gap >= 0 else { throw Failure(path: era.child("GapDays"), message: "must not be negative") }
            let strategy = EndStrategy.CustomEra(
                drugCodesetID: codeset, gapDays: gap, offset: try era.int("Offset") ?? 0,
                daysSupplyOverride: try era.int("DaysSupplyOverride"))
            try era.finish()
            try reader.finish()
            return .customEra(strategy)
        }
        try reader.finish()
        return .observationPeriodEnd
    }

    // MARK: criteria groups

    static func group(_ reader: ObjectReader) throws(Failure) -> CriteriaGroup {
        var reader = reader
        let typeText = try reader.string("Type") ?? "ALL"
        let count = try reader.int("Count")
        let kind: CriteriaGroup.Kind
        switch typeText.uppercased() {
        case "ALL": kind = .all
        case "ANY": kind = .any
        case "AT_LEAST", "AT_MOST":
            guard let count, count >= 0 else {
                throw Failure(path: reader.child("Count"), message: "\(typeText) needs a non-negative Count")
            }
            kind = typeText.uppercased() == "AT_LEAST" ? .atLeast(count) : .atMost(count)
        default:
            throw Failure(
                path: reader.child("Type"), message: "\(typeText) is not ALL, ANY, AT_LEAST or AT_MOST")
        }
        var criteria: [CorrelatedCriterion] = []
        for (value, path) in try reader.array("CriteriaList") {
            criteria.append(try correlated(value, path: path))
        }
        var demographics: [DemographicCriterion] = []
        for (value, path) in try reader.array("DemographicCriteriaList") {
            demographics.append(try demographic(value, path: path))
        }
        var groups: [CriteriaGroup] = []
        for (value, path) in try reader.array("Groups") {
            groups.append(try group(try ObjectReader(value, path: path)))
        }
        try reader.finish()
        return CriteriaGroup(kind: kind, criteria: criteria, demographics: demographics, groups: groups)
    }

    private static func correlated(_ value: JSONValue, path: String) throws(Failure) -> CorrelatedCriterion {
        var reader = try ObjectReader(value, path: path)
        guard reader.has("Criteria") else {
            throw Failure(path: reader.child("Criteria"), message: "is required")
        }
        let criterion = try criterion(reader.value("Criteria")!, path: reader.child("Criteria"))
        guard reader.has("StartWindow") else {
            throw Failure(path: reader.child("StartWindow"), message: "is required")
        }
        let start = try window(try reader.object("StartWindow"))
        let end = reader.has("EndWindow") ? try window(try reader.object("EndWindow")) : nil
        _ = reader.value("EndWindow")
        if try reader.bool("RestrictVisit") == true {
            throw Failure(path: reader.child("RestrictVisit"), message: "not supported yet")
        }
        let ignoreObservationPeriod = try reader.bool("IgnoreObservationPeriod") ?? false
        var occurrenceReader = try reader.object("Occurrence")
        let typeNumber = try occurrenceReader.int("Type") ?? 2
        guard let type = Occurrence.Kind(rawValue: typeNumber) else {
            throw Failure(path: occurrenceReader.child("Type"), message: "\(typeNumber) is not 0, 1 or 2")
        }
        let count = try occurrenceReader.int("Count") ?? 1
        guard count >= 0 else {
            throw Failure(path: occurrenceReader.child("Count"), message: "must not be negative")
        }
        let distinct = try occurrenceReader.bool("IsDistinct") ?? false
        if let column = try occurrenceReader.string("CountColumn"), column != "DOMAIN_CONCEPT" {
            throw Failure(
                path: occurrenceReader.child("CountColumn"), message: "\(column) is not supported yet")
        }
        try occurrenceReader.finish()
        try reader.finish()
        return CorrelatedCriterion(
            criterion: criterion, startWindow: start, endWindow: end,
            ignoreObservationPeriod: ignoreObservationPeriod,
            occurrence: Occurrence(kind: type, count: count, isDistinct: distinct))
    }

    private static func window(_ reader: ObjectReader) throws(Failure) -> Window {
        var reader = reader
        func endpoint(_ key: String, _ reader: inout ObjectReader) throws(Failure) -> Window.Endpoint {
            var point = try reader.object(key)
            let days = try point.int("Days")
            let coeff = try point.int("Coeff") ?? (key == "Start" ? -1 : 1)
            guard coeff == 1 || coeff == -1 else {
                throw Failure(path: point.child("Coeff"), message: "must be -1 or 1")
            }
            if let days, days < 0 {
                throw Failure(path: point.child("Days"), message: "must not be negative")
            }
            try point.finish()
            return Window.Endpoint(days: days, coeff: coeff)
        }
        let start = try endpoint("Start", &reader)
        let end = try endpoint("End", &reader)
        let window = Window(
            start: start, end: end, useIndexEnd: try reader.bool("UseIndexEnd") ?? false,
            useEventEnd: try reader.bool("UseEventEnd"))
        try reader.finish()
        return window
    }

    private static func demographic(_ value: JSONValue, path: String) throws(Failure) -> DemographicCriterion
    {
        var reader = try ObjectReader(value, path: path)
        let result = DemographicCriterion(
            age: try numericRange(&reader, "Age", integral: true),
            genderConceptIDs: try concepts(&reader, "Gender"),
            raceConceptIDs: try concepts(&reader, "Race"),
            ethnicityConceptIDs: try concepts(&reader, "Ethnicity"),
            startDate: try dateRange(&reader, "OccurrenceStartDate"),
            endDate: try dateRange(&reader, "OccurrenceEndDate"))
        try reader.finish()
        return result
    }

    // MARK: domain criteria

    static func criterion(_ value: JSONValue, path: String) throws(Failure) -> Criterion {
        let wrapper = try ObjectReader(value, path: path)
        let present = wrapper.keys.filter { wrapper.has($0) }
        guard present.count == 1, let key = present.first else {
            throw Failure(path: path, message: "expected exactly one criterion type")
        }
        guard let domain = CriterionDomain(rawValue: key) else {
            throw Failure(path: wrapper.child(key), message: "not supported yet")
        }
        var reader = try ObjectReader(
            { () -> JSONValue in
                guard case .object(let fields) = value else { return .null }
                return fields[key]!
            }(), path: wrapper.child(key))
        var criterion = Criterion(domain: domain)
        if domain != .observationPeriod { criterion.codesetID = try reader.int64("CodesetId") }
        if domain != .death { criterion.first = try reader.bool("First") ?? false }
        if let source = domain.sourceConcept { criterion.sourceCodesetID = try reader.int64(source.key) }
        if case .object = reader.value("CorrelatedCriteria") {
            let nested = try group(try reader.object("CorrelatedCriteria"))
            if !nested.isEmpty { criterion.correlatedCriteria = nested }
        }
        if let type = domain.typeConcept {
            criterion.typeConceptIDs = try concepts(&reader, type.key)
            if domain != .observationPeriod {
                criterion.excludeTypes = try reader.bool(type.key + "Exclude") ?? false
            }
        }
        switch domain {
        case .drugEra, .conditionEra:
            criterion.startDate = try dateRange(&reader, "EraStartDate")
            criterion.endDate = try dateRange(&reader, "EraEndDate")
            criterion.occurrenceCount = try numericRange(&reader, "OccurrenceCount", integral: true)
            criterion.length = try numericRange(&reader, "EraLength", integral: true)
            criterion.ageAtStart = try numericRange(&reader, "AgeAtStart", integral: true)
            criterion.ageAtEnd = try numericRange(&reader, "AgeAtEnd", integral: true)
        case .observationPeriod:
            criterion.startDate = try dateRange(&reader, "PeriodStartDate")
            criterion.endDate = try dateRange(&reader, "PeriodEndDate")
            criterion.length = try numericRange(&reader, "PeriodLength", integral: true)
            criterion.ageAtStart = try numericRange(&reader, "AgeAtStart", integral: true)
            criterion.ageAtEnd = try numericRange(&reader, "AgeAtEnd", integral: true)
        default:
            criterion.startDate = try dateRange(&reader, "OccurrenceStartDate")
            criterion.ageAtStart = try numericRange(&reader, "Age", integral: true)
        }
        if [.conditionOccurrence, .drugExposure, .visitOccurrence].contains(domain) {
            criterion.endDate = try dateRange(&reader, "OccurrenceEndDate")
        }
        if domain != .observationPeriod { criterion.genderConceptIDs = try concepts(&reader, "Gender") }
        if domain == .visitOccurrence {
            criterion.length = try numericRange(&reader, "VisitLength", integral: true)
        }
        if domain == .measurement || domain == .observation {
            criterion.valueAsNumber = try numericRange(&reader, "ValueAsNumber", integral: false)
            criterion.unitConceptIDs = try concepts(&reader, "Unit")
        }
        if domain == .drugExposure {
            for (key, column, integral) in [
                ("DaysSupply", "days_supply", true), ("Quantity", "quantity", false),
                ("Refills", "refills", true),
            ] {
                if let range = try numericRange(&reader, key, integral: integral) {
                    criterion.columnRanges.append(
                        ColumnRange(column: column, range: range, integral: integral))
                }
            }
        }
        if domain == .procedureOccurrence, let range = try numericRange(&reader, "Quantity", integral: true) {
            criterion.columnRanges.append(ColumnRange(column: "quantity", range: range, integral: true))
        }
        if domain == .measurement {
            criterion.rangeLow = try numericRange(&reader, "RangeLow", integral: false)
            criterion.rangeHigh = try numericRange(&reader, "RangeHigh", integral: false)
            if try reader.bool("Abnormal") == true {
                throw Failure(path: reader.child("Abnormal"), message: "not supported yet")
            }
        }
        try reader.finish()
        return criterion
    }

    private static func op(_ reader: inout ObjectReader) throws(Failure) -> RangeOperator {
        guard let text = try reader.string("Op") else {
            throw Failure(path: reader.child("Op"), message: "is required")
        }
        let normalised = text == "neq" ? "!eq" : text
        guard let op = RangeOperator(rawValue: normalised) else {
            throw Failure(path: reader.child("Op"), message: "unknown operator \(text)")
        }
        return op
    }

    private static func numericRange(
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

    private static func dateRange(_ parent: inout ObjectReader, _ key: String) throws(Failure) -> DateRange? {
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
    private static func date(_ text: String?, path: String) throws(Failure) -> String? {
        guard let text, !text.isEmpty else { return nil }
        guard text.count == 10 || text.count >= 19, let day = Day(iso: text) else {
            throw Failure(path: path, message: "\(text) is not a date (YYYY-MM-DD)")
        }
        return day.iso
    }

    // MARK: checks

    /// Every CodesetId must name a concept set.
    private static func checkCodesets(_ definition: CohortDefinition, known: Set<Int64>) throws(Failure) {
        func check(_ criterion: Criterion, _ path: String) throws(Failure) {
            if let id = criterion.codesetID, !known.contains(id) {
                throw Failure(
                    path: "\(path).\(criterion.domain.rawValue).CodesetId", message: "no concept set \(id)")
            }
            if let id = criterion.sourceCodesetID, let key = criterion.domain.sourceConcept?.key,
                !known.contains(id)
            {
                throw Failure(
                    path: "\(path).\(criterion.domain.rawValue).\(key)", message: "no concept set \(id)")
            }
            if let nested = criterion.correlatedCriteria {
                try check(nested, "\(path).\(criterion.domain.rawValue).CorrelatedCriteria")
            }
        }
        func check(_ group: CriteriaGroup, _ path: String) throws(Failure) {
            for (index, correlated) in group.criteria.enumerated() {
                try check(correlated.criterion, "\(path).CriteriaList[\(index)].Criteria")
            }
            for (index, nested) in group.groups.enumerated() { try check(nested, "\(path).Groups[\(index)]") }
        }
        for (index, criterion) in definition.primaryCriteria.criteria.enumerated() {
            try check(criterion, "PrimaryCriteria.CriteriaList[\(index)]")
        }
        for (index, criterion) in definition.censoringCriteria.enumerated() {
            try check(criterion, "CensoringCriteria[\(index)]")
        }
        if let additional = definition.additionalCriteria { try check(additional, "AdditionalCriteria") }
        if case .customEra(let era) = definition.endStrategy, !known.contains(era.drugCodesetID) {
            throw Failure(
                path: "EndStrategy.CustomEra.DrugCodesetId", message: "no concept set \(era.drugCodesetID)")
        }
        for (index, rule) in definition.inclusionRules.enumerated() {
            try check(rule.group, "InclusionRules[\(index)].expression")
        }
    }
}
