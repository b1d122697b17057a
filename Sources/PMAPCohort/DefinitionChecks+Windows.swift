/// Checks of correlated criteria: their windows and occurrence counts.
extension DefinitionChecker {
    mutating func checkWindows() {
        let located = correlatedCriteria
        for (correlated, path, indexIsPrimary) in located {
            let windows: [(Window?, String)] = [
                (correlated.startWindow, "StartWindow"), (correlated.endWindow, "EndWindow"),
            ]
            for (window, key) in windows {
                guard let window, let start = window.startOffset, let end = window.endOffset, start > end
                else { continue }
                report(
                    .impossibleWindow, .error, "\(path).\(key)",
                    "the window runs from \(Self.describe(start)) to \(Self.describe(end)) the index \(window.useIndexEnd ? "end" : "start"), so it ends before it starts and no event falls in it; make Start the earlier bound"
                )
            }
            checkOccurrence(correlated.occurrence, path: "\(path).Occurrence")
            checkTiming(correlated, path: path, indexIsPrimary: indexIsPrimary)
        }
        checkTimePattern(located.filter { $0.indexIsPrimary }.map { ($0.correlated, $0.path) })
    }

    private mutating func checkOccurrence(_ occurrence: Occurrence, path: String) {
        if occurrence.kind == .atLeast && occurrence.count == 0 {
            report(
                .atLeastZero, .warning, path,
                "'at least 0' always holds, so this criterion filters nothing; use 'exactly 0' to require none, or 'at least 1'"
            )
        }
        let countsNothing = occurrence.count == 0 && occurrence.kind != .atLeast
        let countsOne = occurrence.count == 1 && occurrence.kind == .atLeast
        if occurrence.isDistinct && (countsNothing || countsOne) {
            report(
                .distinctWithoutEffect, .info, "\(path).IsDistinct",
                "counting distinct concepts changes nothing when the count is \(occurrence.count) (\(occurrence.count) events means \(occurrence.count) distinct concepts); remove IsDistinct or raise the count"
            )
        }
    }

    private mutating func checkTiming(_ correlated: CorrelatedCriterion, path: String, indexIsPrimary: Bool) {
        let window = correlated.startWindow
        let criterion = correlated.criterion
        if criterion.domain == .death, !window.useIndexEnd, (window.startOffset ?? -1) < 0,
            let end = window.endOffset, end <= 0
        {
            report(
                .deathBeforeIndex, .warning, "\(path).StartWindow",
                "this looks for a death before the index event, but records stop at death so an index event after it is rare; look for the death after the index, or drop the criterion"
            )
        }
        if criterion.domain == .drugEra, window.start.days == nil, window.end.days == nil,
            correlated.endWindow == nil
        {
            report(
                .drugEraDaysSupply, .info, "\(path).Criteria.DrugEra",
                "drug eras come from days supply, which claims often lack (e.g. for biologics); with an unbounded window this matches any era, so check that eras are reliable in the data or use drug exposures"
            )
        }
        guard indexIsPrimary, !correlated.ignoreObservationPeriod, !window.useIndexEnd else { return }
        let observation = definition.primaryCriteria
        if let start = window.startOffset, -start > observation.priorDays {
            report(
                .lookBeyondObservation, .info, "\(path).StartWindow.Start",
                "the window looks back \(-start) days but PriorDays requires only \(observation.priorDays) days of observation before the index, so persons observed for less are judged on part of the window; raise PriorDays to \(-start) if the full look-back matters"
            )
        }
        if let end = window.endOffset, end > observation.postDays {
            report(
                .lookBeyondObservation, .info, "\(path).StartWindow.End",
                "the window looks \(end) days ahead but PostDays requires only \(observation.postDays) days of observation after the index, so persons observed for less are judged on part of the window; raise PostDays to \(end) if the full follow-up matters"
            )
        }
    }

    /// Notes a correlated criterion whose window starts where few others do, when most of the
    /// definition's windows share one start.
    private mutating func checkTimePattern(_ located: [(correlated: CorrelatedCriterion, path: String)]) {
        let starts = located.map { $0.correlated.startWindow.startOffset }
        var frequency: [Int?: Int] = [:]
        for start in starts { frequency[start, default: 0] += 1 }
        guard let most = frequency.values.max(), most > 1,
            frequency.values.filter({ $0 == most }).count == 1,
            let commonEntry = frequency.first(where: { $0.value == most })
        else { return }
        let common = commonEntry.key
        for (start, entry) in zip(starts, located) where frequency[start]! < most {
            report(
                .timePattern, .info, "\(entry.path).StartWindow.Start",
                "this window starts \(start.map(Self.describe) ?? "at the start of observation") while most windows of the definition start \(common.map(Self.describe) ?? "at the start of observation"); check that the difference is intended"
            )
        }
    }

    /// `30 days before`, `the day of`, `10 days after` (relative to the index date).
    static func describe(_ offset: Int) -> String {
        offset == 0 ? "the day of" : offset < 0 ? "\(-offset) days before" : "\(offset) days after"
    }
}

extension Window {
    /// The window's first day relative to the index date (nil: unbounded).
    var startOffset: Int? { start.days.map { $0 * start.coeff } }
    /// The window's last day relative to the index date (nil: unbounded).
    var endOffset: Int? { end.days.map { $0 * end.coeff } }

    /// Whether every day of `other` is in this window (same reference dates assumed).
    func contains(_ other: Window) -> Bool {
        let startsEarlier = startOffset.map { mine in other.startOffset.map { mine <= $0 } ?? false } ?? true
        let endsLater = endOffset.map { mine in other.endOffset.map { mine >= $0 } ?? false } ?? true
        return startsEarlier && endsLater
    }
}

extension Occurrence {
    /// The fewest matching events this occurrence accepts.
    var minimum: Int { kind == .atMost ? 0 : count }
    /// The most matching events it accepts (nil: no limit).
    var maximum: Int? { kind == .atLeast ? nil : count }
}
