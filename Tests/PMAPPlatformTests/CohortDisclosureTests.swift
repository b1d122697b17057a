import Testing

@testable import PMAPPlatform

/// A cohort's counts go out through the nested-counts disclosure control together: when the
/// subject count is hidden, the entry count (equal to it when each person has one entry) is too.
struct CohortDisclosureTests {
    @Test func entriesAreHiddenWithTheSubjects() {
        // 3 of the 50 persons left after the rule do not reach the final cohort: 47 is hidden.
        let hidden = Platform.discloseAttrition(
            before: 100, steps: [("rule", 50, 50)], subjects: 47, threshold: 10)
        #expect(hidden.subjects.suppressed && hidden.steps[0].remaining.count == 50)
        #expect(Platform.discloseEntries(47, subjects: hidden.subjects, threshold: 10).display == "*")
        let shown = Platform.discloseAttrition(
            before: 100, steps: [("rule", 50, 50)], subjects: 50, threshold: 10)
        #expect(shown.subjects.count == 50)
        #expect(Platform.discloseEntries(52, subjects: shown.subjects, threshold: 10).count == 52)
    }
}
