import Foundation

/// A strict RFC 8259 JSON parser producing Swift values (`[String: Any]`, `[Any]`, `String`,
/// `Double`, `Bool`, `NSNull`) from UTF-8 bytes.
///
/// Ingestion parses every record, and Foundation's `JSONSerialization` was the largest single
/// cost (about 3× slower on FHIR resources, measured); this parser builds plain Swift values
/// directly. Tests compare its output with `JSONSerialization`'s on the FHIR specification's
/// examples and check that malformed input is refused.
public struct JSONReader {
    /// The input is not valid JSON.
    public struct Failure: Error {}
    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0

    /// The value of a complete JSON text; throws ``Failure`` on anything else.
    public static func parse(_ data: Data) throws -> Any {
        try data.withUnsafeBytes { raw in
            var parser = JSONReader(bytes: raw.bindMemory(to: UInt8.self))
            parser.skipSpace()
            let value = try parser.value()
            parser.skipSpace()
            guard parser.i == parser.bytes.count else { throw Failure() }
            return value
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 {
            i += 1
        }
    }

    private mutating func value() throws -> Any {
        guard i < bytes.count else { throw Failure() }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "t"):
            try literal("true")
            return true
        case UInt8(ascii: "f"):
            try literal("false")
            return false
        case UInt8(ascii: "n"):
            try literal("null")
            return NSNull()
        default: return try number()
        }
    }

    private mutating func literal(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard i + count <= bytes.count else { throw Failure() }
        for k in 0..<count where bytes[i + k] != word.utf8Start[k] { throw Failure() }
        i += count
    }

    private mutating func object() throws -> [String: Any] {
        i += 1
        var result: [String: Any] = [:]
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            return result
        }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw Failure() }
            let key = try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw Failure() }
            i += 1
            skipSpace()
            result[key] = try value()
            skipSpace()
            guard i < bytes.count else { throw Failure() }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if bytes[i] == UInt8(ascii: "}") {
                i += 1
                return result
            }
            throw Failure()
        }
    }

    private mutating func array() throws -> [Any] {
        i += 1
        var result: [Any] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            return result
        }
        while true {
            skipSpace()
            result.append(try value())
            skipSpace()
            guard i < bytes.count else { throw Failure() }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if bytes[i] == UInt8(ascii: "]") {
                i += 1
                return result
            }
            throw Failure()
        }
    }

    private mutating func string() throws -> String {
        i += 1
        let start = i
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                i += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { return try escapedString(from: start) }
            if byte < 0x20 { throw Failure() }
            i += 1
        }
        throw Failure()
    }

    private mutating func escapedString(from start: Int) throws -> String {
        var out = Array(bytes[start..<i])
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                i += 1
                return String(decoding: out, as: UTF8.self)
            }
            if byte < 0x20 { throw Failure() }
            if byte != UInt8(ascii: "\\") {
                out.append(byte)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { throw Failure() }
            switch bytes[i] {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard i + 2 < bytes.count, bytes[i + 1] == UInt8(ascii: "\\"),
                        bytes[i + 2] == UInt8(ascii: "u")
                    else { throw Failure() }
                    i += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw Failure() }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw Failure()
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw Failure() }
                out.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: throw Failure()
            }
            i += 1
        }
        throw Failure()
    }

    /// Four hex digits after `\u`; leaves `i` on the last digit.
    private mutating func hex4() throws -> UInt32 {
        guard i + 4 < bytes.count else { throw Failure() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            i += 1
            let byte = bytes[i]
            let digit: UInt8
            switch byte {
            case 48...57: digit = byte - 48
            case 65...70: digit = byte - 55
            case 97...102: digit = byte - 87
            default: throw Failure()
            }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private mutating func number() throws -> Double {
        let start = i
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, bytes[i] >= 48 && bytes[i] <= 57 else { throw Failure() }
        if bytes[i] == 48 {
            i += 1
        } else {
            while i < bytes.count, bytes[i] >= 48 && bytes[i] <= 57 { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard i < bytes.count, bytes[i] >= 48 && bytes[i] <= 57 else { throw Failure() }
            while i < bytes.count, bytes[i] >= 48 && bytes[i] <= 57 { i += 1 }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard i < bytes.count, bytes[i] >= 48 && bytes[i] <= 57 else { throw Failure() }
            while i < bytes.count, bytes[i] >= 48 && bytes[i] <= 57 { i += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        guard let value = Double(text) else { throw Failure() }
        return value
    }
}
