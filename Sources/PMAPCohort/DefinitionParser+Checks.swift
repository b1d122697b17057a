/// Checks across the whole definition.
extension DefinitionParser {
    /// Every concept set a criterion, demographic or end strategy names must exist.
    static func checkCodesets(_ definition: CohortDefinition, known: Set<Int64>) throws(Failure) {
        func check(_ criterion: Criterion, _ path: String) throws(Failure) {
            if let id = criterion.codesetID, !known.contains(id) {
                throw Failure(
                    path: "\(path).\(criterion.domain.rawValue).CodesetId", message: "no concept set \(id)")
            }
            if let id = criterion.sourceCodesetID,
                let key = CriterionAttributes.sourceConceptKey(criterion.domain),
                !known.contains(id)
            {
                throw Failure(
                    path: "\(path).\(criterion.domain.rawValue).\(key)", message: "no concept set \(id)")
            }
            try check(criterion.conceptFilters, "\(path).\(criterion.domain.rawValue)")
            if let nested = criterion.correlatedCriteria {
                try check(nested, "\(path).\(criterion.domain.rawValue).CorrelatedCriteria")
            }
        }
        func check(_ filters: [ConceptFilter], _ path: String) throws(Failure) {
            for filter in filters {
                if case .conceptSet(let id?, _) = filter.selection, !known.contains(id) {
                    let suffix = filter.key.hasSuffix("CS") ? ".CodesetId" : ""
                    throw Failure(path: "\(path).\(filter.key)\(suffix)", message: "no concept set \(id)")
                }
            }
        }
        func check(_ group: CriteriaGroup, _ path: String) throws(Failure) {
            for (index, correlated) in group.criteria.enumerated() {
                try check(correlated.criterion, "\(path).CriteriaList[\(index)].Criteria")
            }
            for (index, demographic) in group.demographics.enumerated() {
                try check(demographic.conceptFilters, "\(path).DemographicCriteriaList[\(index)]")
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
