/// Concept-set checks and checks of the definition as a whole (limits, exit strategy).
extension DefinitionChecker {
    /// The path of the first element using each concept set id.
    var conceptSetUses: [Int64: String] {
        var uses: [Int64: String] = [:]
        for located in criteria {
            let criterion = located.value
            let domainPath = "\(located.path).\(criterion.domain.rawValue)"
            if let id = criterion.codesetID, uses[id] == nil { uses[id] = "\(domainPath).CodesetId" }
            if let id = criterion.sourceCodesetID,
                let key = CriterionAttributes.sourceConceptKey(criterion.domain),
                uses[id] == nil
            {
                uses[id] = "\(domainPath).\(key)"
            }
        }
        if case .customEra(let era) = definition.endStrategy, uses[era.drugCodesetID] == nil {
            uses[era.drugCodesetID] = "EndStrategy.CustomEra.DrugCodesetId"
        }
        return uses
    }

    mutating func checkConceptSets() {
        let uses = conceptSetUses
        var earlier: [(items: Set<String>, index: Int, name: String)] = []
        for (index, set) in definition.conceptSets.enumerated() {
            let path = "ConceptSets[\(index)]"
            let label = "concept set \"\(set.name)\" (id \(set.id))"
            if let use = uses[set.id] {
                if set.items.isEmpty {
                    report(
                        .emptyConceptSet, .error, path,
                        "\(label) has no concepts, so \(use) matches nothing; add concepts to it or choose another set there"
                    )
                } else if set.items.allSatisfy(\.isExcluded) {
                    report(
                        .emptyConceptSet, .error, path,
                        "\(label) only excludes concepts, so it is empty and \(use) matches nothing; add the concepts to include"
                    )
                }
            } else {
                let empty = set.items.isEmpty ? " and has no concepts" : ""
                report(
                    .unusedConceptSet, .warning, path,
                    "\(label) is used by no criterion\(empty); use it in a criterion or delete it")
            }
            let items = Set(set.items.map(Self.fingerprint))
            if !items.isEmpty, let twin = earlier.first(where: { $0.items == items }) {
                report(
                    .duplicateConceptSet, .warning, path,
                    "\(label) has the same concepts as \"\(twin.name)\" (ConceptSets[\(twin.index)]); keep one set and point the criteria at it"
                )
            }
            earlier.append((items, index, set.name))
        }
        for located in criteria where CriterionAttributes.of(located.value.domain).hasCodeset {
            let criterion = located.value
            if criterion.codesetID == nil && criterion.sourceCodesetID == nil {
                report(
                    .criterionWithoutConceptSet, .warning, "\(located.path).\(criterion.domain.rawValue)",
                    "this \(criterion.domainName) criterion names no concept set, so it matches every \(criterion.domainName) record; choose a concept set (CodesetId) unless any record is meant"
                )
            }
        }
        let untyped = criteria.filter { located in
            guard let type = located.value.typeAttribute, located.value.domain != .observationPeriod else {
                return false
            }
            return !located.value.conceptFilters.contains { $0.column == type.column }
        }
        if let first = untyped.first, let typeKey = first.value.typeAttribute?.key {
            let others =
                untyped.count == 2
                ? " (and 1 other criterion)"
                : untyped.count > 2 ? " (and \(untyped.count - 1) other criteria)" : ""
            report(
                .recordTypeUnspecified, .info, "\(first.path).\(first.value.domain.rawValue)",
                "this criterion\(others) counts records of every type (EHR, claims, registry...); add a type filter (e.g. \(typeKey)) if only some sources should count"
            )
        }
    }

    // MARK: limits and exit

    mutating func checkStrategies() {
        checkLimits()
        checkExit()
        let window = definition.censorWindow
        if let start = window.startDate, let end = window.endDate, start > end {
            report(
                .invertedRange, .error, "CensorWindow",
                "the censor window starts (\(start)) after it ends (\(end)), so no period survives it; swap StartDate and EndDate"
            )
        }
    }

    private mutating func checkLimits() {
        var steps: [(limit: ResultLimit, path: String)] = [
            (definition.primaryCriteria.limit, "PrimaryCriteria.PrimaryCriteriaLimit")
        ]
        if definition.additionalCriteria != nil {
            steps.append((definition.qualifiedLimit, "QualifiedLimit"))
        }
        steps.append((definition.expressionLimit, "ExpressionLimit"))
        for (position, step) in steps.enumerated().dropFirst() {
            guard
                let narrowing = steps[..<position].first(where: { $0.limit != .all }),
                step.limit != narrowing.limit
            else { continue }
            report(
                .limitWithoutEffect, .warning, step.path,
                "\(step.limit.rawValue) has no effect: \(narrowing.path) (\(narrowing.limit.rawValue)) already keeps one event per person; set it to \(narrowing.limit.rawValue), or widen the earlier limit if more events were meant"
            )
        }
        let keepsAll =
            definition.primaryCriteria.limit == .all && definition.expressionLimit == .all
            && (definition.additionalCriteria == nil || definition.qualifiedLimit == .all)
        if keepsAll && definition.endStrategy == .observationPeriodEnd {
            report(
                .allEventsWithoutExit, .warning, "EndStrategy",
                "every event is kept but each period lasts to the end of observation, so a person's events merge into one period per observation period; choose an exit (DateOffset or CustomEra) or keep only the first event"
            )
        }
    }

    private mutating func checkExit() {
        switch definition.endStrategy {
        case .dateOffset(.startDate, let offset) where offset < 0:
            report(
                .exitBeforeEntry, .error, "EndStrategy.DateOffset.Offset",
                "the exit is \(-offset) days before the entry (start date \(offset) days), so no period can exist; use an offset of 0 or more"
            )
        case .dateOffset(.startDate, 0):
            report(
                .exitBeforeEntry, .warning, "EndStrategy.DateOffset.Offset",
                "the exit is the entry day itself (start date + 0 days), so every period lasts one day; use a positive offset unless one-day periods are meant"
            )
        case .dateOffset(.endDate, let offset) where offset < 0:
            report(
                .exitBeforeEntry, .warning, "EndStrategy.DateOffset.Offset",
                "the exit is \(-offset) days before the index event's end, which precedes the entry for events shorter than \(-offset) days; use an offset of 0 or more, or offset the start date"
            )
        case .customEra(let era):
            if let override = era.daysSupplyOverride, override < 0 {
                report(
                    .exitBeforeEntry, .error, "EndStrategy.CustomEra.DaysSupplyOverride",
                    "a negative days supply (\(override)) ends every exposure before it starts; use a positive number of days"
                )
            }
            if era.offset < 0 {
                report(
                    .exitBeforeEntry, .warning, "EndStrategy.CustomEra.Offset",
                    "a negative offset (\(era.offset)) can end a period before its entry for short exposures; use an offset of 0 or more"
                )
            }
        default: break
        }
        let primaryDomains = Set(definition.primaryCriteria.criteria.map(\.domain))
        if primaryDomains.isSubset(of: [.drugExposure, .drugEra]) {
            if case .customEra = definition.endStrategy { return }
            report(
                .drugExitStrategy, .info, "EndStrategy",
                "the entry events are drug records but the exit is not the end of continuous exposure; consider a CustomEra exit on the same drug concept set if the cohort is about time on the drug"
            )
        }
    }
}
