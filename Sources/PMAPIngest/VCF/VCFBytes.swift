/// Byte-level helpers for reading VCF text without splitting it into Strings.
enum VCFBytes {
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")
    static let semicolon = UInt8(ascii: ";")
    static let comma = UInt8(ascii: ",")
    static let equals = UInt8(ascii: "=")
    static let dot = UInt8(ascii: ".")
    static let pipe = UInt8(ascii: "|")
    static let slash = UInt8(ascii: "/")
    static let percent = UInt8(ascii: "%")

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z"))
    }

    /// A, C, G, T or N in either case.
    static func isBase(_ byte: UInt8) -> Bool {
        switch byte | 0x20 {
        case UInt8(ascii: "a"), UInt8(ascii: "c"), UInt8(ascii: "g"), UInt8(ascii: "t"), UInt8(ascii: "n"):
            return true
        default:
            return false
        }
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The line without a trailing carriage return (files written with CRLF line ends).
    static func trimmingCarriageReturn(_ line: Substring) -> Substring {
        line.utf8.last == 0x0D ? Substring(line.utf8.dropLast()) : line
    }

    /// The bytes in `range` equal `text`.
    @inline(__always)
    static func equals(_ bytes: [UInt8], _ range: Range<Int>, _ text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let start = text.utf8Start
        for k in 0..<range.count where bytes[range.lowerBound + k] != start[k] { return false }
        return true
    }

    /// The bytes in `range` equal the UTF-8 of `text`.
    static func matches(_ bytes: [UInt8], _ range: Range<Int>, _ text: String) -> Bool {
        var i = range.lowerBound
        for byte in text.utf8 {
            guard i < range.upperBound, bytes[i] == byte else { return false }
            i += 1
        }
        return i == range.upperBound
    }

    /// The position of the first `separator` in `range`, or its end.
    @inline(__always)
    static func next(_ separator: UInt8, in bytes: [UInt8], from start: Int, to end: Int) -> Int {
        var i = start
        while i < end, bytes[i] != separator { i += 1 }
        return i
    }

    /// The parts of `range` between `separator`s (empty parts kept).
    static func split(_ bytes: [UInt8], _ range: Range<Int>, by separator: UInt8) -> [Range<Int>] {
        var parts: [Range<Int>] = []
        var start = range.lowerBound
        while true {
            let end = next(separator, in: bytes, from: start, to: range.upperBound)
            parts.append(start..<end)
            if end == range.upperBound { return parts }
            start = end + 1
        }
    }

    /// The `index`-th part of `range` between `separator`s, if there are that many.
    static func part(_ index: Int, of range: Range<Int>, in bytes: [UInt8], by separator: UInt8) -> Range<
        Int
    >? {
        var start = range.lowerBound
        var k = 0
        while true {
            let end = next(separator, in: bytes, from: start, to: range.upperBound)
            if k == index { return start..<end }
            if end == range.upperBound { return nil }
            start = end + 1
            k += 1
        }
    }

    /// A non-negative decimal integer of at most 18 digits.
    static func integer(_ bytes: [UInt8], _ range: Range<Int>) -> Int64? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value: Int64 = 0
        for i in range {
            let byte = bytes[i]
            guard isDigit(byte) else { return nil }
            value = value * 10 + Int64(byte - 48)
        }
        return value
    }

    /// A decimal integer with an optional sign (FORMAT Integer values may be negative).
    static func signedInteger(_ bytes: [UInt8], _ range: Range<Int>) -> Int? {
        guard let first = range.first else { return nil }
        if bytes[first] == UInt8(ascii: "-") || bytes[first] == UInt8(ascii: "+") {
            guard let magnitude = integer(bytes, (first + 1)..<range.upperBound) else { return nil }
            return bytes[first] == UInt8(ascii: "-") ? -Int(magnitude) : Int(magnitude)
        }
        return integer(bytes, range).map { Int($0) }
    }

    /// A floating-point number as VCF writes them (`0.5`, `-1e-3`, `inf`, `nan`).
    static func double(_ bytes: [UInt8], _ range: Range<Int>) -> Double? {
        guard !range.isEmpty, range.count <= 64 else { return nil }
        for i in range where isSpace(bytes[i]) { return nil }
        return Double(String(decoding: bytes[range], as: UTF8.self))
    }

    static func string(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// The text of `range` with VCF 4.3 percent-encoding decoded (`%3A` `:`, `%3B` `;`, `%3D`
    /// `=`, `%25` `%`, `%2C` `,`, and any other `%XX`); a `%` not followed by two hex digits is
    /// kept. Nil when the text is empty.
    static func decoded(_ bytes: [UInt8], _ range: Range<Int>) -> String? {
        guard !range.isEmpty else { return nil }
        guard bytes[range].contains(percent) else { return string(bytes, range) }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var i = range.lowerBound
        while i < range.upperBound {
            if bytes[i] == percent, i + 2 < range.upperBound, let high = hexValue(bytes[i + 1]),
                let low = hexValue(bytes[i + 2])
            {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: return byte - 48
        case 65...70: return byte - 55
        case 97...102: return byte - 87
        default: return nil
        }
    }
}
