/// A calendar day as a count of days since 1970-01-01 (proleptic Gregorian), with fast
/// conversion to and from year/month/day; no time zones, no Foundation calendar.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Days since 1970-01-01.
    public let value: Int

    public init(_ value: Int) { self.value = value }

    /// The day of a civil date (Howard Hinnant's days_from_civil).
    public init(year: Int, month: Int, day: Int) {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        value = era * 146_097 + doe - 719_468
    }

    /// The day of an ISO date (`YYYY-MM-DD`, or the date part of a dateTime); nil when it is
    /// not a real calendar day.
    public init?(iso text: String) {
        let parts = text.prefix(10).split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, let year = Int(parts[0]), let month = Int(parts[1]),
            let day = Int(parts[2]), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        self.init(year: year, month: month, day: day)
        guard civil == (year, month, day) else { return nil }
    }

    /// Year, month and day (civil_from_days).
    public var civil: (year: Int, month: Int, day: Int) {
        let z = value + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    public var year: Int { civil.year }

    /// `YYYY-MM-DD`.
    public var iso: String {
        let (y, m, d) = civil
        return "\(y)-\(Self.two(m))-\(Self.two(d))"
    }

    /// `YYYYMMDD` (HL7 v2 and VCF dates).
    public var compact: String {
        let (y, m, d) = civil
        return "\(y)\(Self.two(m))\(Self.two(d))"
    }

    public var description: String { iso }

    public static func + (day: Day, days: Int) -> Day { Day(day.value + days) }
    public static func - (day: Day, days: Int) -> Day { Day(day.value - days) }
    public static func - (lhs: Day, rhs: Day) -> Int { lhs.value - rhs.value }
    public static func < (lhs: Day, rhs: Day) -> Bool { lhs.value < rhs.value }

    /// Whole years from `birth` to this day.
    public func years(since birth: Day) -> Int {
        let (y, m, d) = civil
        let (by, bm, bd) = birth.civil
        return y - by - ((m, d) < (bm, bd) ? 1 : 0)
    }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
