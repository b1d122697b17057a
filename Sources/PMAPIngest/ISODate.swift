/// Dates as FHIR sends them (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`, or a dateTime) checked and cut
/// to the CDM's `YYYY-MM-DD`.
public enum ISODate {
    /// The calendar day of a FHIR date or dateTime, or nil when it is not a real date
    /// (month 13, 30 February, ...). Partial dates (`YYYY`, `YYYY-MM`) are nil here.
    public static func day(_ text: String) -> String? {
        let utf8 = Array(text.utf8.prefix(10))
        guard utf8.count == 10, utf8[4] == UInt8(ascii: "-"), utf8[7] == UInt8(ascii: "-") else { return nil }
        guard let year = number(utf8[0..<4]), let month = number(utf8[5..<7]), let day = number(utf8[8..<10])
        else {
            return nil
        }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year), year >= 1800,
            year <= 2200
        else {
            return nil
        }
        return String(decoding: utf8, as: UTF8.self)
    }

    /// Year and month of a FHIR date of any precision.
    public static func yearMonth(_ text: String) -> (year: Int, month: Int?)? {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 4, let year = number(utf8[0..<4]), year >= 1800, year <= 2200 else { return nil }
        if utf8.count >= 7, utf8[4] == UInt8(ascii: "-"), let month = number(utf8[5..<7]),
            (1...12).contains(month)
        {
            if utf8.count >= 10 && day(text) == nil { return nil }
            return (year, month)
        }
        return utf8.count == 4 ? (year, nil) : nil
    }

    private static func number(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= 48 && byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
