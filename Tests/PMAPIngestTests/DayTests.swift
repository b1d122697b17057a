import PMAPModel
import Testing

struct DayTests {
    @Test func isoDaysParseOnlyRealDates() {
        #expect(Day(iso: "2024-02-29")?.iso == "2024-02-29")
        #expect(Day(iso: "2024-02-29T10:00:00Z").map { ($0 + 1).iso } == "2024-03-01")
        #expect(Day(iso: "2023-02-29") == nil)
        #expect(Day(iso: "2023-13-01") == nil)
        #expect(Day(iso: "20230101") == nil)
    }
}
