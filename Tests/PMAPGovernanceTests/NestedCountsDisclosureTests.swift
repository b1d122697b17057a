import Testing

@testable import PMAPGovernance

/// Nested counts (attrition, number at risk): no group of 1 to threshold people follows from
/// the counts shown, by subtraction of any two.
struct NestedCountsDisclosureTests {
    static func displays(_ counts: [DisclosedCount]) -> [String] { counts.map(\.display) }

    @Test func smallStepsBetweenCountsAreHidden() {
        // 1000 → 998 removes 2 people; 998 → 990 removes 8 more (10 since the last shown count).
        let shown = NestedCountsDisclosure.disclose([1000, 998, 990, 975, 5, 0], threshold: 10)
        #expect(Self.displays(shown) == ["1000", "*", "*", "975", "<11", "0"])
    }

    @Test func ownCountsCloseToAShownCountAreHidden() {
        // Rule 2 alone keeps 497 of 500: 3 people fail it, which 500 − 497 would reveal.
        let (remaining, own) = NestedCountsDisclosure.discloseAttrition(
            remaining: [500, 400, 380, 380], own: [400, 497, 8], threshold: 10)
        #expect(Self.displays(remaining) == ["500", "400", "380", "380"])
        #expect(Self.displays(own) == ["400", "*", "<11"])
    }

    /// Random nested chains: every shown count and every difference of two shown counts is 0
    /// or above the threshold, and a count above the threshold first in line is always shown.
    @Test func noSmallGroupFollowsFromAnyTwoShownCounts() {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let threshold = Int.random(in: 1...12, using: &random)
            var counts = [Int.random(in: 0...300, using: &random)]
            for _ in 0..<Int.random(in: 0...10, using: &random) {
                counts.append(max(0, counts.last! - Int.random(in: 0...25, using: &random)))
            }
            let shown = NestedCountsDisclosure.disclose(counts, threshold: threshold)
            let values = shown.compactMap(\.count)
            for value in values { #expect(!(1...threshold).contains(value)) }
            for a in values {
                for b in values { #expect(!(1...threshold).contains(abs(a - b)), "\(counts) → \(values)") }
            }
            for (index, count) in counts.enumerated() where shown[index].count != nil {
                #expect(shown[index].count == count)
            }
            if counts[0] > threshold { #expect(shown[0].count == counts[0]) }
        }
    }
}
