import PMAPModel

/// An HL7 v2 DTM / TS / DT value, `YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]`, checked: the month,
/// day, hour, minute and second exist (30 February does not), the year is 1800 to 2200, and a
/// time zone offset is four digits.
public struct HL7v2DateTime: Sendable, Hashable {
    /// 4 to 14 digits: the date and time to the precision sent.
    public let digits: String
    /// The fraction of a second's digits, if any.
    public let fraction: String?
    /// `+HHMM` or `-HHMM`, if sent.
    public let zone: String?

    /// Parses a DTM; nil when it is not a real date and time. Leading and trailing spaces are
    /// ignored.
    public init?(_ text: String) {
        var bytes = Array(text.utf8)
        while bytes.last == 0x20 { bytes.removeLast() }
        if let first = bytes.firstIndex(where: { $0 != 0x20 }), first > 0 { bytes.removeFirst(first) }
        var index = 0
        while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
        let digitCount = index
        guard digitCount >= 4, digitCount <= 14, digitCount % 2 == 0 else { return nil }
        var fraction: String?
        if index < bytes.count, bytes[index] == 0x2E {  // .
            guard digitCount == 14 else { return nil }
            let start = index + 1
            index = start
            while index < bytes.count, Self.isDigit(bytes[index]) { index += 1 }
            guard (1...9).contains(index - start) else { return nil }
            fraction = String(decoding: bytes[start..<index], as: UTF8.self)
        }
        var zone: String?
        if index < bytes.count {
            guard bytes[index] == 0x2B || bytes[index] == 0x2D, bytes.count - index == 5,
                bytes[(index + 1)...].allSatisfy(Self.isDigit)
            else { return nil }
            let hours = Self.number(bytes, index + 1, 2)
            let minutes = Self.number(bytes, index + 3, 2)
            guard hours <= 14, minutes <= 59 else { return nil }
            zone = String(decoding: bytes[index...], as: UTF8.self)
        }
        let year = Self.number(bytes, 0, 4)
        guard (1800...2200).contains(year) else { return nil }
        if digitCount >= 6 {
            let month = Self.number(bytes, 4, 2)
            guard (1...12).contains(month) else { return nil }
            if digitCount >= 8 {
                let day = Self.number(bytes, 6, 2)
                guard Day(year: year, month: month, day: day).civil == (year, month, day) else { return nil }
            }
        }
        if digitCount >= 10, Self.number(bytes, 8, 2) > 23 { return nil }
        if digitCount >= 12, Self.number(bytes, 10, 2) > 59 { return nil }
        if digitCount >= 14, Self.number(bytes, 12, 2) > 59 { return nil }
        digits = String(decoding: bytes[0..<digitCount], as: UTF8.self)
        self.fraction = fraction
        self.zone = zone
    }

    /// `YYYY-MM-DD`, when the value has day precision or finer.
    public var day: String? {
        guard digits.utf8.count >= 8 else { return nil }
        let d = Array(digits.utf8)
        return "\(String(decoding: d[0..<4], as: UTF8.self))-\(String(decoding: d[4..<6], as: UTF8.self))-"
            + String(decoding: d[6..<8], as: UTF8.self)
    }

    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, to the precision sent (finer parts dropped).
    public var partialDate: String {
        let d = Array(digits.utf8)
        var result = String(decoding: d[0..<4], as: UTF8.self)
        if d.count >= 6 { result += "-" + String(decoding: d[4..<6], as: UTF8.self) }
        if d.count >= 8 { result += "-" + String(decoding: d[6..<8], as: UTF8.self) }
        return result
    }

    /// The date and time as 14 digits (missing parts as zeros) plus `.fraction` when sent; the
    /// time zone is dropped. Such strings order as the local times they spell.
    public var sortable: String {
        let padded = digits + String(repeating: "0", count: 14 - digits.utf8.count)
        return fraction.map { "\(padded).\($0)" } ?? padded
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func number(_ bytes: [UInt8], _ start: Int, _ count: Int) -> Int {
        bytes[start..<(start + count)].reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }
}
