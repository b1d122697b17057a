/// Checks of criteria groups: empty rules and groups, counts no group can meet, duplicates
/// and criteria that contradict each other.
extension DefinitionChecker {
    mutating func checkGroups() {
        checkDuplicates(
            definition.primaryCriteria.criteria.map(Self.fingerprint), path: "PrimaryCriteria.CriteriaList",
            what: "primary criterion")
        checkDuplicates(
            definition.censoringCriteria.map(Self.fingerprint), path: "CensoringCriteria",
            what: "censoring criterion"
        )
        for located in groups {
            let group = located.group
            checkShape(group, path: located.path, isRoot: located.isRoot)
            checkDuplicates(
                group.criteria.map(Self.fingerprint), path: "\(located.path).CriteriaList", what: "criterion")
            checkDuplicates(
                group.demographics.map(Self.fingerprint), path: "\(located.path).DemographicCriteriaList",
                what: "demographic criterion")
            guard group.requiresEveryMember else { continue }
            checkContradictions(group, path: located.path)
            checkDemographics(group, path: located.path)
            if located.isRoot { checkFirstEvents(group, path: located.path) }
        }
        for located in demographicCriteria {
            let demographic = located.value
            if demographic.age == nil && demographic.conceptFilters.isEmpty && demographic.startDate == nil
                && demographic.endDate == nil
            {
                report(
                    .demographicWithoutAttributes, .warning, located.path,
                    "this demographic criterion sets no attribute, so every event passes it; set an age, gender, race, ethnicity or date, or delete it"
                )
            }
        }
    }

    private mutating func checkShape(_ group: CriteriaGroup, path: String, isRoot: Bool) {
        if group.isEmpty {
            if let name = ruleName(path), isRoot {
                report(
                    .emptyInclusionRule, .error, path,
                    "inclusion rule \(name) has no criteria, so it excludes nothing; add criteria to it or delete the rule"
                )
            } else if !isRoot {
                report(
                    .emptyGroup, .warning, path,
                    "this group has no criteria and is always satisfied; add criteria to it or delete it")
            }
            return
        }
        let members = group.memberCount
        switch group.kind {
        case .atLeast(let count) where count > members:
            report(
                .unsatisfiableGroupCount, .error, "\(path).Count",
                "the group needs at least \(count) of its \(members) members, so it can never be satisfied; lower Count to \(members) or fewer, or add criteria"
            )
        case .atLeast(0):
            report(
                .trivialGroupCount, .warning, "\(path).Count",
                "'at least 0' of the members always holds, so the group filters nothing; use a Count of 1 or more"
            )
        case .atMost(let count) where count >= members:
            report(
                .trivialGroupCount, .warning, "\(path).Count",
                "'at most \(count)' of \(members) members always holds, so the group filters nothing; lower Count below \(members)"
            )
        default: break
        }
    }

    private mutating func checkDuplicates(_ fingerprints: [String], path: String, what: String) {
        for (index, fingerprint) in fingerprints.enumerated() {
            guard let first = fingerprints.firstIndex(of: fingerprint), first < index else { continue }
            report(
                .duplicateCriterion, .warning, "\(path)[\(index)]",
                "this \(what) repeats \(path)[\(first)] exactly; delete one of them")
        }
    }

    /// Two counts of the same events where one needs more events than the other allows in a
    /// window that holds the first's window.
    private mutating func checkContradictions(_ group: CriteriaGroup, path: String) {
        let members = group.criteria
        for (index, needing) in members.enumerated() {
            for (otherIndex, limiting) in members.enumerated() where otherIndex != index {
                guard let allowed = limiting.occurrence.maximum, needing.occurrence.minimum > allowed,
                    needing.countsSameEvents(as: limiting),
                    limiting.startWindow.contains(needing.startWindow)
                else { continue }
                report(
                    .contradictoryOccurrences, .error, "\(path).CriteriaList[\(index)].Occurrence",
                    "this needs at least \(needing.occurrence.minimum) events that CriteriaList[\(otherIndex)] allows at most \(allowed) of (in a window holding this one), so the group can never be satisfied; correct one of the counts or windows"
                )
            }
        }
    }

    /// Ages and genders that no person has at once.
    private mutating func checkDemographics(_ group: CriteriaGroup, path: String) {
        var lower: Double?
        var upper: Double?
        var genders: Set<Int64>?
        for (index, demographic) in group.demographics.enumerated() {
            let memberPath = "\(path).DemographicCriteriaList[\(index)]"
            if let interval = demographic.age?.interval {
                lower = [lower, interval.lower].compactMap { $0 }.max()
                upper = [upper, interval.upper].compactMap { $0 }.min()
                if let lower, let upper, lower > upper {
                    report(
                        .contradictoryDemographics, .error, "\(memberPath).Age",
                        "no age meets this range (\(demographic.age!.text)) and the other age ranges of the group at once, so the group can never be satisfied; correct the ranges"
                    )
                }
            }
            if let listed = demographic.includedConcepts(column: .person("gender_concept_id")) {
                let allowed = (genders ?? Set(listed)).intersection(listed)
                if allowed.isEmpty && genders?.isEmpty == false {
                    report(
                        .contradictoryDemographics, .error, "\(memberPath).Gender",
                        "this gender list shares no gender with an earlier one of the group, so the group can never be satisfied; keep one gender criterion"
                    )
                }
                genders = allowed
            }
        }
    }

    /// A primary event that is the person's first of its concept set cannot have an earlier
    /// event of the same set.
    private mutating func checkFirstEvents(_ group: CriteriaGroup, path: String) {
        let primary = definition.primaryCriteria.criteria
        guard let model = primary.first, primary.allSatisfy({ $0.first && $0.selectsSameRows(as: model) })
        else { return }
        for (index, correlated) in group.criteria.enumerated() {
            let window = correlated.startWindow
            guard correlated.criterion.selectsSameRows(as: model), correlated.occurrence.minimum > 0,
                !window.useIndexEnd, let end = window.endOffset, end < 0
            else { continue }
            report(
                .firstEventContradiction, .error, "\(path).CriteriaList[\(index)]",
                "this needs an earlier \(model.domainName) of the same concept set before the index event, but the index event is the person's first one (First), so there is none; drop First from the primary criterion or this requirement"
            )
        }
    }
}

extension CriteriaGroup {
    /// Whether every member must hold (`ALL`, or `AT_LEAST` as many as there are members).
    var requiresEveryMember: Bool {
        switch kind {
        case .all: true
        case .atLeast(let count): count >= memberCount
        default: false
        }
    }
}

extension Criterion {
    /// Same domain and concept sets: the rows `First` ranks.
    func selectsSameRows(as other: Criterion) -> Bool {
        domain == other.domain && codesetID == other.codesetID && sourceCodesetID == other.sourceCodesetID
    }
}

extension CorrelatedCriterion {
    /// Whether both count the same events the same way (only their windows' bounds and
    /// occurrences may differ).
    func countsSameEvents(as other: CorrelatedCriterion) -> Bool {
        DefinitionChecker.fingerprint(criterion) == DefinitionChecker.fingerprint(other.criterion)
            && ignoreObservationPeriod == other.ignoreObservationPeriod
            && occurrence.isDistinct == other.occurrence.isDistinct && endWindow == other.endWindow
            && startWindow.useIndexEnd == other.startWindow.useIndexEnd
            && startWindow.useEventEnd == other.startWindow.useEventEnd
    }
}

extension DemographicCriterion {
    /// The concepts of a plain inclusion list on `column` (`Gender: [...]`), nil when there is
    /// none (concept-set and exclusion forms are not compared).
    func includedConcepts(column: ConceptColumn) -> [Int64]? {
        for filter in conceptFilters where filter.column == column {
            if case .concepts(let ids, excluded: false) = filter.selection, !ids.isEmpty { return ids }
        }
        return nil
    }
}
