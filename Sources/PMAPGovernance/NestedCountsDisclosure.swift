/// Counts of nested populations (an attrition table: everyone, then those left after each rule;
/// a number-at-risk row over time), as they may be shown.
///
/// The difference between two shown counts is itself a count of people (those a rule removed,
/// those who left between two times), so it must not be between 1 and the threshold either.
/// The counts are walked in order and one is shown only when it is not small and its distance
/// to the last shown count is 0 or above the threshold; every other is hidden. What can be
/// worked out from the shown counts is then exactly their pairwise differences, each a sum of
/// gaps that are 0 or above the threshold, so no small group can be recovered.
public enum NestedCountsDisclosure {
    /// `counts` (each at most the one before) as shown.
    public static func disclose(_ counts: [Int], threshold: Int = DisclosureControl.defaultThreshold)
        -> [DisclosedCount]
    {
        var lastShown: Int?
        return counts.map { count in
            let small = threshold >= 1 && (1...threshold).contains(count)
            let gapIsSmall =
                lastShown.map { threshold >= 1 && (1...threshold).contains(abs($0 - count)) } ?? false
            guard !small && !gapIsSmall else { return hidden(count, threshold: threshold) }
            lastShown = count
            return DisclosureControl.count(count, threshold: 0)
        }
    }

    /// An attrition table: `remaining` (the population before the rules, then after each rule,
    /// then the final cohort) through ``disclose(_:threshold:)``, and each rule's own count
    /// (persons meeting that rule alone) shown only when it is not small and differs from every
    /// count already shown by 0 or more than the threshold.
    ///
    /// Only differences of two shown counts are guarded for the own counts; combinations of
    /// three or more shown counts are not audited.
    public static func discloseAttrition(
        remaining: [Int], own: [Int], threshold: Int = DisclosureControl.defaultThreshold
    ) -> (remaining: [DisclosedCount], own: [DisclosedCount]) {
        let shownRemaining = disclose(remaining, threshold: threshold)
        var shownValues = shownRemaining.compactMap(\.count)
        let shownOwn = own.map { count -> DisclosedCount in
            let tooClose = ([0] + shownValues).contains {
                threshold >= 1 && (1...threshold).contains(abs($0 - count))
            }
            guard !tooClose else { return hidden(count, threshold: threshold) }
            shownValues.append(count)
            return DisclosureControl.count(count, threshold: 0)
        }
        return (shownRemaining, shownOwn)
    }

    /// `count` hidden: small counts read "<11"; counts hidden only to protect others read "*".
    public static func hidden(_ count: Int, threshold: Int) -> DisclosedCount {
        let small = threshold >= 1 && (1...threshold).contains(count)
        return DisclosedCount(count: nil, suppressed: true, display: small ? "<\(threshold + 1)" : "*")
    }
}
