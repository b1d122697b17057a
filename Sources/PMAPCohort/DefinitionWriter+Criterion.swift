/// Domain criteria and their attributes, under the keys ``CriterionAttributes`` gives each type.
extension DefinitionWriter {
    /// `{"<Type>": {attributes}}`; `path` locates the criterion in errors.
    static func criterion(_ criterion: Criterion, path: String) throws(Failure) -> OrderedJSON {
        let body: OrderedJSON
        // One case per criterion type: a type with elements of its own (beyond Circe's shared
        // attribute table) gets its own writer here.
        switch criterion.domain {
        case .conditionEra, .conditionOccurrence, .death, .deviceExposure, .doseEra, .drugEra, .drugExposure,
            .measurement, .observation, .observationPeriod, .payerPlanPeriod, .procedureOccurrence, .specimen,
            .visitDetail, .visitOccurrence:
            body = try circeAttributes(criterion, path: "\(path).\(criterion.domain.rawValue)")
        case .genomicVariant:
            // PMAP's extension (ATLAS refuses it): Circe's shared attributes plus its text lists.
            body = try circeAttributes(criterion, path: "\(path).\(criterion.domain.rawValue)")
        }
        return .object([(criterion.domain.rawValue, body)])
    }

    /// The attributes of one of Circe's criterion types, in the order its model lists them.
    static func circeAttributes(_ criterion: Criterion, path: String) throws(Failure) -> OrderedJSON {
        let attributes = CriterionAttributes.of(criterion.domain)
        func refuse(_ what: String) -> Failure {
            Failure(
                path: path,
                message:
                    "\(criterion.domain.rawValue) has no Circe element for \(what); remove it from the definition"
            )
        }
        var members = ObjectBuilder()
        if let id = criterion.codesetID {
            guard attributes.hasCodeset else { throw refuse("a concept set (CodesetId)") }
            members.add("CodesetId", .integer(id))
        }
        if let nested = criterion.correlatedCriteria {
            members.add("CorrelatedCriteria", try group(nested, path: "\(path).CorrelatedCriteria"))
        }
        if criterion.first {
            guard attributes.hasFirst else { throw refuse("First") }
            members.add("First", .bool(true))
        }
        if let range = criterion.startDate {
            guard let key = attributes.startDateKey else { throw refuse("a start date range") }
            members.add(key, self.range(range))
        }
        if let range = criterion.endDate {
            guard let key = attributes.endDateKey else { throw refuse("an end date range") }
            members.add(key, self.range(range))
        }
        switch attributes.age {
        case .age:
            if criterion.ageAtEnd != nil { throw refuse("an age at the end date (AgeAtEnd)") }
            members.add("Age", criterion.ageAtStart.map(range))
        case .atStartAndEnd:
            members.add("AgeAtStart", criterion.ageAtStart.map(range))
            members.add("AgeAtEnd", criterion.ageAtEnd.map(range))
        }
        if let range = criterion.length {
            guard let key = attributes.lengthKey else { throw refuse("a length range") }
            members.add(key, self.range(range))
        }
        if let id = criterion.sourceCodesetID {
            guard let key = CriterionAttributes.sourceConceptKey(criterion.domain) else {
                throw refuse("a source concept set")
            }
            members.add(key, .integer(id))
        }
        for filter in criterion.conceptFilters {
            try conceptFilter(filter, attributes, into: &members, refuse: refuse)
        }
        for filter in criterion.textFilters {
            guard let key = attributes.texts.first(where: { $0.column == filter.column })?.key else {
                throw refuse("a text filter on \(filter.column)")
            }
            let op = (filter.negated ? "!" : "") + filter.match.rawValue
            members.add(key, .object([("Text", .string(filter.text)), ("Op", .string(op))]))
        }
        for filter in criterion.textSetFilters {
            guard attributes.textSets.contains(where: { $0.key == filter.key && $0.column == filter.column })
            else {
                throw refuse("a text list \(filter.key)")
            }
            members.add(filter.key, .array(filter.values.map(OrderedJSON.string)))
        }
        for filter in criterion.numericFilters {
            guard let key = attributes.numbers.first(where: { $0.value == filter.value })?.key else {
                throw refuse("a numeric filter on \(filter.value)")
            }
            members.add(key, range(filter.range))
        }
        if criterion.abnormal {
            guard attributes.hasAbnormal else { throw refuse("Abnormal") }
            members.add("Abnormal", .bool(true))
        }
        if let period = criterion.userDefinedPeriod {
            guard attributes.hasUserDefinedPeriod else { throw refuse("a UserDefinedPeriod") }
            members.add("UserDefinedPeriod", self.period(period.startDate, period.endDate))
        }
        if let adjustment = criterion.dateAdjustment {
            members.add(
                "DateAdjustment",
                .object([
                    ("StartWith", .string(adjustment.startWith.rawValue)),
                    ("StartOffset", .integer(Int64(adjustment.startOffset))),
                    ("EndWith", .string(adjustment.endWith.rawValue)),
                    ("EndOffset", .integer(Int64(adjustment.endOffset))),
                ]))
        }
        return members.json
    }

    /// A concept attribute under its own key: a concept list (with its `...Exclude` flag), a
    /// concept-set selection `{CodesetId, IsExclusion}`, or a bare concept-set id (`PayerConcept`).
    private static func conceptFilter(
        _ filter: ConceptFilter, _ attributes: CriterionAttributes, into members: inout ObjectBuilder,
        refuse: (String) -> Failure
    ) throws(Failure) {
        if let codesetColumn = attributes.codesetColumns.first(where: { $0.key == filter.key }) {
            guard case .conceptSet(let id?, excluded: false) = filter.selection,
                filter.column == .own(codesetColumn.column)
            else { throw refuse("\(filter.key) other than a concept set id") }
            members.add(filter.key, .integer(id))
            return
        }
        switch filter.selection {
        case .concepts(let ids, let excluded):
            guard let attribute = attributes.concepts.first(where: { $0.key == filter.key && $0.hasList }),
                attribute.column == filter.column
            else { throw refuse("a concept list \(filter.key)") }
            members.add(filter.key, concepts(ids))
            if excluded {
                guard let excludeKey = attribute.excludeKey else {
                    throw refuse("an excluded concept list \(filter.key)")
                }
                members.add(excludeKey, .bool(true))
            }
        case .conceptSet(let id, let excluded):
            guard
                let attribute = attributes.concepts.first(where: { $0.key + "CS" == filter.key }),
                attribute.column == filter.column
            else { throw refuse("a concept-set selection \(filter.key)") }
            members.add(filter.key, conceptSetSelection(id, excluded))
        }
    }
}
