import PMAPModel

/// Builds a ``CohortDefinition`` from Circe JSON, refusing unknown or unsupported elements.
enum DefinitionParser {
    typealias Failure = CohortDefinitionError

    static func definition(_ root: JSONValue) throws(Failure) -> CohortDefinition {
        var reader = try ObjectReader(root, path: "")
        reader.ignore("cdmVersionRange", "Description", "title", "description")
        let title = try reader.string("Title")
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
            throw Failure(
                path: collapse.child("CollapseType"),
                message: "\(type) is not ERA, the only collapse type of Circe")
        }
        let pad = try collapse.int("EraPad") ?? 0
        guard pad >= 0 else { throw Failure(path: collapse.child("EraPad"), message: "must not be negative") }
        try collapse.finish()
        try reader.finish()
        let definition = CohortDefinition(
            conceptSets: conceptSets, primaryCriteria: primary, additionalCriteria: additional,
            qualifiedLimit: qualified, expressionLimit: expression, inclusionRules: rules, endStrategy: end,
            censoringCriteria: censoring, censorWindow: censorWindow, collapseEraPad: pad, title: title)
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

    static func conceptIdentifier(_ concept: inout ObjectReader) throws(Failure) -> Int64 {
        for key in conceptMetadata { concept.ignore(key) }
        guard let id = try concept.int64("CONCEPT_ID") else {
            throw Failure(path: concept.child("CONCEPT_ID"), message: "is required")
        }
        try concept.finish()
        return id
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
        let restrictVisit = try reader.bool("RestrictVisit") ?? false
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
        var occurrence = Occurrence(kind: type, count: count, isDistinct: distinct)
        if let columnText = try occurrenceReader.string("CountColumn") {
            let columnPath = occurrenceReader.child("CountColumn")
            guard let column = CountColumn(rawValue: columnText) else {
                let known = CountColumn.allCases.map(\.rawValue).joined(separator: ", ")
                throw Failure(
                    path: columnPath, message: "unknown column \(columnText); expected one of \(known)")
            }
            guard criterion.domain.countedValue(column) != nil else {
                throw Failure(
                    path: columnPath,
                    message: "\(criterion.domain.rawValue) rows have no \(columnText); count another column")
            }
            occurrence.countColumn = column
        }
        try occurrenceReader.finish()
        try reader.finish()
        return CorrelatedCriterion(
            criterion: criterion, startWindow: start, endWindow: end,
            ignoreObservationPeriod: ignoreObservationPeriod, restrictVisit: restrictVisit,
            occurrence: occurrence)
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
        var filters: [ConceptFilter] = []
        for (key, column) in [
            ("Gender", "gender_concept_id"), ("Race", "race_concept_id"),
            ("Ethnicity", "ethnicity_concept_id"),
        ] {
            filters += try conceptFilters(
                &reader, CriterionAttributes.Concepts(key: key, column: .person(column)))
        }
        let result = DemographicCriterion(
            age: try numericRange(&reader, "Age", integral: true), conceptFilters: filters,
            startDate: try dateRange(&reader, "OccurrenceStartDate"),
            endDate: try dateRange(&reader, "OccurrenceEndDate"))
        try reader.finish()
        return result
    }
}
