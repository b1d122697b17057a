import Foundation

extension CohortDefinition {
    /// The definition as OHDSI Circe cohort JSON, the form ATLAS imports (Cohort Definitions →
    /// Export → JSON, pasted back) and ``parse(_:)`` reads: parsing the result gives this
    /// definition again, and writing that gives the same bytes.
    ///
    /// Concept-set items carry only `CONCEPT_ID`: the model keeps no concept names, codes or
    /// vocabularies (ATLAS looks them up when it loads the set). `cdmVersionRange` is written
    /// as `>=5.0.0`.
    ///
    /// Throws only for a definition built in code with a value its criterion type has no Circe
    /// element for (e.g. an `AgeAtEnd` on a condition occurrence); the error names the element.
    public func circeJSON() throws(CohortDefinitionError) -> Data {
        Data(try DefinitionWriter.definition(self).text.utf8)
    }
}

/// Writes a ``CohortDefinition`` as Circe JSON: the inverse of ``DefinitionParser``, with the
/// same element names (criterion attribute keys come from ``CriterionAttributes``).
enum DefinitionWriter {
    typealias Failure = CohortDefinitionError

    /// The version range ATLAS writes for definitions that run on CDM 5.x.
    static let cdmVersionRange = ">=5.0.0"

    static func definition(_ definition: CohortDefinition) throws(Failure) -> OrderedJSON {
        var root = ObjectBuilder()
        root.add("Title", definition.title.map(OrderedJSON.string))
        root.add("ConceptSets", .array(definition.conceptSets.map(conceptSet)))
        root.add("PrimaryCriteria", try primaryCriteria(definition.primaryCriteria))
        if let additional = definition.additionalCriteria {
            root.add("AdditionalCriteria", try group(additional, path: "AdditionalCriteria"))
        }
        root.add("QualifiedLimit", limit(definition.qualifiedLimit))
        root.add("ExpressionLimit", limit(definition.expressionLimit))
        var rules: [OrderedJSON] = []
        for (index, rule) in definition.inclusionRules.enumerated() {
            rules.append(
                .object([
                    ("name", .string(rule.name)),
                    ("expression", try group(rule.group, path: "InclusionRules[\(index)].expression")),
                ]))
        }
        root.add("InclusionRules", .array(rules))
        // Circe's default end strategy (the observation period's end) is the absent element.
        root.add("EndStrategy", endStrategy(definition.endStrategy))
        var censoring: [OrderedJSON] = []
        for (index, criterion) in definition.censoringCriteria.enumerated() {
            censoring.append(try self.criterion(criterion, path: "CensoringCriteria[\(index)]"))
        }
        root.add("CensoringCriteria", .array(censoring))
        root.add(
            "CollapseSettings",
            .object([
                ("CollapseType", .string("ERA")), ("EraPad", .integer(Int64(definition.collapseEraPad))),
            ]))
        root.add("CensorWindow", period(definition.censorWindow.startDate, definition.censorWindow.endDate))
        root.add("cdmVersionRange", .string(cdmVersionRange))
        return root.json
    }

    static func conceptSet(_ set: ConceptSet) -> OrderedJSON {
        let items = set.items.map { item -> OrderedJSON in
            .object([
                ("concept", .object([("CONCEPT_ID", .integer(item.conceptID))])),
                ("isExcluded", .bool(item.isExcluded)),
                ("includeDescendants", .bool(item.includeDescendants)),
                ("includeMapped", .bool(item.includeMapped)),
            ])
        }
        return .object([
            ("id", .integer(set.id)), ("name", .string(set.name)),
            ("expression", .object([("items", .array(items))])),
        ])
    }

    static func primaryCriteria(_ primary: PrimaryCriteria) throws(Failure) -> OrderedJSON {
        var criteria: [OrderedJSON] = []
        for (index, criterion) in primary.criteria.enumerated() {
            criteria.append(try self.criterion(criterion, path: "PrimaryCriteria.CriteriaList[\(index)]"))
        }
        return .object([
            ("CriteriaList", .array(criteria)),
            (
                "ObservationWindow",
                .object([
                    ("PriorDays", .integer(Int64(primary.priorDays))),
                    ("PostDays", .integer(Int64(primary.postDays))),
                ])
            ),
            ("PrimaryCriteriaLimit", limit(primary.limit)),
        ])
    }

    static func limit(_ limit: ResultLimit) -> OrderedJSON {
        .object([("Type", .string(limit.rawValue))])
    }

    static func endStrategy(_ strategy: EndStrategy) -> OrderedJSON? {
        switch strategy {
        case .observationPeriodEnd:
            return nil
        case .dateOffset(let field, let offset):
            return .object([
                (
                    "DateOffset",
                    .object([("DateField", .string(field.rawValue)), ("Offset", .integer(Int64(offset)))])
                )
            ])
        case .customEra(let era):
            var members = ObjectBuilder()
            members.add("DrugCodesetId", .integer(era.drugCodesetID))
            members.add("GapDays", .integer(Int64(era.gapDays)))
            members.add("Offset", .integer(Int64(era.offset)))
            members.add("DaysSupplyOverride", era.daysSupplyOverride.map { .integer(Int64($0)) })
            return .object([("CustomEra", members.json)])
        }
    }

    /// `{StartDate, EndDate}` (each only when set), as in `CensorWindow` and `UserDefinedPeriod`.
    static func period(_ start: String?, _ end: String?) -> OrderedJSON {
        var members = ObjectBuilder()
        members.add("StartDate", start.map(OrderedJSON.string))
        members.add("EndDate", end.map(OrderedJSON.string))
        return members.json
    }

    // MARK: criteria groups

    static func group(_ group: CriteriaGroup, path: String) throws(Failure) -> OrderedJSON {
        var members = ObjectBuilder()
        switch group.kind {
        case .all: members.add("Type", .string("ALL"))
        case .any: members.add("Type", .string("ANY"))
        case .atLeast(let count):
            members.add("Type", .string("AT_LEAST"))
            members.add("Count", .integer(Int64(count)))
        case .atMost(let count):
            members.add("Type", .string("AT_MOST"))
            members.add("Count", .integer(Int64(count)))
        }
        var criteria: [OrderedJSON] = []
        for (index, correlated) in group.criteria.enumerated() {
            criteria.append(try self.correlated(correlated, path: "\(path).CriteriaList[\(index)]"))
        }
        members.add("CriteriaList", .array(criteria))
        members.add("DemographicCriteriaList", .array(group.demographics.map(demographic)))
        var groups: [OrderedJSON] = []
        for (index, nested) in group.groups.enumerated() {
            groups.append(try self.group(nested, path: "\(path).Groups[\(index)]"))
        }
        members.add("Groups", .array(groups))
        return members.json
    }

    static func correlated(_ correlated: CorrelatedCriterion, path: String) throws(Failure) -> OrderedJSON {
        var members = ObjectBuilder()
        members.add("Criteria", try criterion(correlated.criterion, path: "\(path).Criteria"))
        members.add("StartWindow", window(correlated.startWindow))
        members.add("EndWindow", correlated.endWindow.map(window))
        members.add("RestrictVisit", .bool(correlated.restrictVisit))
        members.add("IgnoreObservationPeriod", .bool(correlated.ignoreObservationPeriod))
        let occurrence = correlated.occurrence
        var counted = ObjectBuilder()
        counted.add("Type", .integer(Int64(occurrence.kind.rawValue)))
        counted.add("Count", .integer(Int64(occurrence.count)))
        counted.add("IsDistinct", .bool(occurrence.isDistinct))
        if occurrence.isDistinct || occurrence.countColumn != .domainConcept {
            counted.add("CountColumn", .string(occurrence.countColumn.rawValue))
        }
        members.add("Occurrence", counted.json)
        return members.json
    }

    static func window(_ window: Window) -> OrderedJSON {
        func endpoint(_ point: Window.Endpoint) -> OrderedJSON {
            var members = ObjectBuilder()
            members.add("Days", point.days.map { .integer(Int64($0)) })
            members.add("Coeff", .integer(Int64(point.coeff)))
            return members.json
        }
        var members = ObjectBuilder()
        members.add("Start", endpoint(window.start))
        members.add("End", endpoint(window.end))
        members.add("UseIndexEnd", .bool(window.useIndexEnd))
        // Absent means "the start window compares the event's start, the end window its end".
        members.add("UseEventEnd", window.useEventEnd.map(OrderedJSON.bool))
        return members.json
    }

    static func demographic(_ demographic: DemographicCriterion) -> OrderedJSON {
        var members = ObjectBuilder()
        members.add("Age", demographic.age.map(range))
        for filter in demographic.conceptFilters {
            switch filter.selection {
            case .concepts(let ids, _): members.add(filter.key, concepts(ids))
            case .conceptSet(let id, let excluded): members.add(filter.key, conceptSetSelection(id, excluded))
            }
        }
        members.add("OccurrenceStartDate", demographic.startDate.map(range))
        members.add("OccurrenceEndDate", demographic.endDate.map(range))
        return members.json
    }

    // MARK: values

    /// `[{CONCEPT_ID}, ...]`.
    static func concepts(_ ids: [Int64]) -> OrderedJSON {
        .array(ids.map { .object([("CONCEPT_ID", .integer($0))]) })
    }

    /// `{CodesetId, IsExclusion}`; no set id selects any concept.
    static func conceptSetSelection(_ id: Int64?, _ excluded: Bool) -> OrderedJSON {
        var members = ObjectBuilder()
        members.add("CodesetId", id.map(OrderedJSON.integer))
        members.add("IsExclusion", .bool(excluded))
        return members.json
    }

    /// `{Value, Op, Extent}` on numbers.
    static func range(_ range: NumericRange) -> OrderedJSON {
        var members = ObjectBuilder()
        members.add("Value", .decimal(range.value))
        members.add("Op", .string(range.op.rawValue))
        members.add("Extent", range.extent.map(OrderedJSON.decimal))
        return members.json
    }

    /// `{Value, Op, Extent}` on dates.
    static func range(_ range: DateRange) -> OrderedJSON {
        var members = ObjectBuilder()
        members.add("Value", .string(range.value))
        members.add("Op", .string(range.op.rawValue))
        members.add("Extent", range.extent.map(OrderedJSON.string))
        return members.json
    }
}
