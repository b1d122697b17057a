/// A parsed JSON text kept as its UTF-8 bytes plus a flat index of its values (a "tape"), so
/// that reading a few fields of a large record costs no allocation per value.
///
/// Ingestion reads some twenty fields of each FHIR resource and ignores the rest (narrative,
/// `meta`, extensions it does not map). Building `[String: Any]` trees spent most of the parse
/// time allocating dictionaries, boxing values and hashing keys that were never read; a
/// document instead records, in one array, where each value starts and where its subtree ends,
/// and decodes strings and numbers only when asked. Parsing is strict RFC 8259 (the same
/// grammar as ``JSONReader``; tests compare both on the FHIR specification's examples) and
/// iterative, so deeply nested input cannot exhaust the stack.
public final class JSONDocument: @unchecked Sendable {
    /// The input is not valid JSON.
    public struct Failure: Error {}

    /// What a value is.
    public enum Kind: UInt8, Sendable {
        case object, array, string, number, `true`, `false`, null
    }

    /// One value (or object key): its kind, where its text is, and the index just past its
    /// subtree (the next sibling). An object's children are its keys and values, alternating.
    struct Node {
        var kind: Kind
        /// A string whose text holds a backslash escape (decoded when read).
        var escaped: Bool
        /// For strings the first byte after the opening quote; else the value's first byte.
        var start: UInt32
        /// For strings and numbers the text's length in bytes.
        var length: UInt32
        /// The index of the node after this value's subtree.
        var end: UInt32
    }

    /// The document's bytes, as parsed.
    public let bytes: [UInt8]
    let nodes: [Node]

    /// The root value's index.
    public static let root = 0

    /// Parses a complete JSON text; throws ``Failure`` on anything else.
    public init(bytes: [UInt8]) throws {
        guard bytes.count < Int(UInt32.max) else { throw Failure() }
        self.bytes = bytes
        nodes = try bytes.withUnsafeBufferPointer { try TapeParser.parse($0) }
    }

    /// The kind of the value at `node`.
    public func kind(_ node: Int) -> Kind { nodes[node].kind }

    /// The value of `key` in the object at `node` (the first, should the key repeat); nil when
    /// `node` is not an object or has no such key.
    public func member(_ node: Int, _ key: Substring.UTF8View) -> Int? {
        let parent = nodes[node]
        guard parent.kind == .object else { return nil }
        var index = node + 1
        let end = Int(parent.end)
        while index < end {
            if keyEquals(index, key) { return index + 1 }
            index = Int(nodes[index + 1].end)
        }
        return nil
    }

    /// The value of `key` in the object at `node`.
    public func member(_ node: Int, _ key: String) -> Int? {
        member(node, Substring(key).utf8)
    }

    private func keyEquals(_ index: Int, _ key: Substring.UTF8View) -> Bool {
        let node = nodes[index]
        if node.escaped { return string(index).map { Substring($0).utf8.elementsEqual(key) } ?? false }
        guard Int(node.length) == key.count else { return false }
        var position = Int(node.start)
        for byte in key {
            if bytes[position] != byte { return false }
            position += 1
        }
        return true
    }

    /// The elements of the array at `node` (empty when it is not an array).
    public func elements(_ node: Int) -> [Int] {
        let parent = nodes[node]
        guard parent.kind == .array else { return [] }
        var result: [Int] = []
        var index = node + 1
        while index < Int(parent.end) {
            result.append(index)
            index = Int(nodes[index].end)
        }
        return result
    }

    /// The first element of the array at `node`, nil when it is empty or not an array.
    public func firstElement(_ node: Int) -> Int? {
        let parent = nodes[node]
        guard parent.kind == .array, node + 1 < Int(parent.end) else { return nil }
        return node + 1
    }

    /// The text of the string at `node`, nil for other kinds. Invalid UTF-8 is repaired with
    /// U+FFFD, as `String(decoding:as:)` does.
    public func string(_ node: Int) -> String? {
        let value = nodes[node]
        guard value.kind == .string else { return nil }
        let range = Int(value.start)..<Int(value.start + value.length)
        if !value.escaped {
            return bytes.withUnsafeBufferPointer { String(decoding: $0[range], as: UTF8.self) }
        }
        return String(decoding: Self.unescape(bytes[range]), as: UTF8.self)
    }

    /// The value of the number at `node`, nil for other kinds.
    public func number(_ node: Int) -> Double? {
        let value = nodes[node]
        guard value.kind == .number else { return nil }
        let range = Int(value.start)..<Int(value.start + value.length)
        return Double(bytes.withUnsafeBufferPointer { String(decoding: $0[range], as: UTF8.self) })
    }

    /// The bytes of a string's text with its escapes decoded (the parser checked them).
    private static func unescape(_ text: ArraySlice<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.count)
        var i = text.startIndex
        func hex(_ at: Int) -> UInt32 {
            var value: UInt32 = 0
            for byte in text[at..<at + 4] {
                let digit: UInt8 =
                    switch byte {
                    case 48...57: byte - 48
                    case 65...70: byte - 55
                    default: byte - 87
                    }
                value = value << 4 | UInt32(digit)
            }
            return value
        }
        while i < text.endIndex {
            let byte = text[i]
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                i += 1
                continue
            }
            let escape = text[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = hex(i)
                i += 4
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (hex(i + 2) - 0xDC00)
                    i += 6
                }
                out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
            default: out.append(escape)  // \" \\ \/
            }
        }
        return out
    }
}

/// The strict, iterative parser that builds a document's nodes.
private struct TapeParser {
    typealias Failure = JSONDocument.Failure
    let bytes: UnsafeBufferPointer<UInt8>
    var i = 0
    var nodes: [JSONDocument.Node] = []

    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [JSONDocument.Node] {
        var parser = TapeParser(bytes: bytes)
        parser.nodes.reserveCapacity(bytes.count / 10 + 4)
        try parser.run()
        return parser.nodes
    }

    private mutating func run() throws {
        var open: [Int] = []  // indices of the containers not yet closed
        var afterValue = false
        while true {
            skipSpace()
            if afterValue {
                guard let top = open.last else { break }
                guard i < bytes.count else { throw Failure() }
                let isObject = nodes[top].kind == .object
                switch bytes[i] {
                case UInt8(ascii: ","):
                    i += 1
                    if isObject { try key() }
                    afterValue = false
                case isObject ? UInt8(ascii: "}") : UInt8(ascii: "]"):
                    i += 1
                    nodes[top].end = UInt32(nodes.count)
                    open.removeLast()
                default: throw Failure()
                }
                continue
            }
            guard i < bytes.count else { throw Failure() }
            afterValue = true
            switch bytes[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let isObject = bytes[i] == UInt8(ascii: "{")
                open.append(nodes.count)
                nodes.append(node(isObject ? .object : .array, start: i, length: 0))
                i += 1
                skipSpace()
                if i < bytes.count, bytes[i] == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                    i += 1
                    nodes[nodes.count - 1].end = UInt32(nodes.count)
                    open.removeLast()
                } else {
                    if isObject { try key() }
                    afterValue = false
                }
            case UInt8(ascii: "\""): try string()
            case UInt8(ascii: "t"): try literal("true", .true)
            case UInt8(ascii: "f"): try literal("false", .false)
            case UInt8(ascii: "n"): try literal("null", .null)
            default: try number()
            }
        }
        guard i == bytes.count, !nodes.isEmpty else { throw Failure() }
    }

    private func node(_ kind: JSONDocument.Kind, start: Int, length: Int, escaped: Bool = false)
        -> JSONDocument.Node
    {
        JSONDocument.Node(
            kind: kind, escaped: escaped, start: UInt32(start), length: UInt32(length),
            end: UInt32(nodes.count + 1))
    }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: return
            }
        }
    }

    /// An object key and its colon.
    private mutating func key() throws {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw Failure() }
        try string()
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw Failure() }
        i += 1
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONDocument.Kind) throws {
        let count = word.utf8CodeUnitCount
        guard i + count <= bytes.count else { throw Failure() }
        for k in 0..<count where bytes[i + k] != word.utf8Start[k] { throw Failure() }
        nodes.append(node(kind, start: i, length: count))
        i += count
    }

    private mutating func string() throws {
        i += 1
        let start = i
        var escaped = false
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "\"") {
                nodes.append(node(.string, start: start, length: i - start, escaped: escaped))
                i += 1
                return
            }
            if byte < 0x20 { throw Failure() }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                try escape()
            } else {
                i += 1
            }
        }
        throw Failure()
    }

    /// Checks the escape starting at `i` (a backslash) and steps past it.
    private mutating func escape() throws {
        guard i + 1 < bytes.count else { throw Failure() }
        switch bytes[i + 1] {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            i += 2
        case UInt8(ascii: "u"):
            let scalar = try hex4(at: i + 2)
            i += 6
            if scalar >= 0xD800 && scalar < 0xDC00 {
                guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u")
                else { throw Failure() }
                let low = try hex4(at: i + 2)
                guard low >= 0xDC00 && low < 0xE000 else { throw Failure() }
                i += 6
            } else if scalar >= 0xDC00 && scalar < 0xE000 {
                throw Failure()
            }
        default: throw Failure()
        }
    }

    private func hex4(at position: Int) throws -> UInt32 {
        guard position + 4 <= bytes.count else { throw Failure() }
        var value: UInt32 = 0
        for byte in bytes[position..<position + 4] {
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

    private mutating func number() throws {
        let start = i
        func digits() -> Bool {
            let first = i
            while i < bytes.count, bytes[i] >= 48 && bytes[i] <= 57 { i += 1 }
            return i > first
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        guard i < bytes.count, bytes[i] >= 48 && bytes[i] <= 57 else { throw Failure() }
        if bytes[i] == 48 { i += 1 } else { _ = digits() }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() else { throw Failure() }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() else { throw Failure() }
        }
        nodes.append(node(.number, start: start, length: i - start))
    }
}
