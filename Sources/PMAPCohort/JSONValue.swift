import Foundation

/// A parsed JSON value; numbers keep their integer form when they have one.
enum JSONValue: Sendable, Decodable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Null, an empty array or an empty object: a value that asks for nothing.
    var isEmpty: Bool {
        switch self {
        case .null: return true
        case .array(let items): return items.isEmpty
        case .object(let fields): return fields.isEmpty
        default: return false
        }
    }
}

/// Reads one JSON object strictly: every key must be read, or be empty, before ``finish()``.
struct ObjectReader {
    let path: String
    private let fields: [String: JSONValue]
    private var used: Set<String> = []

    init(_ value: JSONValue, path: String) throws(CohortDefinitionError) {
        self.path = path
        switch value {
        case .object(let fields): self.fields = fields
        case .null: self.fields = [:]
        default: throw CohortDefinitionError(path: path, message: "expected an object")
        }
    }

    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The value of `key`, nil when absent or null; marks the key as read.
    mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        guard let value = fields[key], case .null = value else { return fields[key] }
        return nil
    }

    /// Marks keys whose values carry no meaning for the cohort (names, descriptions, captions).
    mutating func ignore(_ keys: String...) {
        used.formUnion(keys)
    }

    mutating func int64(_ key: String) throws(CohortDefinitionError) -> Int64? {
        guard let value = value(key) else { return nil }
        return try Self.integer(value, path: child(key))
    }

    mutating func int(_ key: String) throws(CohortDefinitionError) -> Int? {
        guard let value = try int64(key) else { return nil }
        guard let small = Int(exactly: value), abs(small) <= 1_000_000 else {
            throw CohortDefinitionError(path: child(key), message: "\(value) is out of range")
        }
        return small
    }

    mutating func double(_ key: String) throws(CohortDefinitionError) -> Double? {
        switch value(key) {
        case nil: return nil
        case .integer(let number): return Double(number)
        case .number(let number): return number
        default: throw CohortDefinitionError(path: child(key), message: "expected a number")
        }
    }

    mutating func bool(_ key: String) throws(CohortDefinitionError) -> Bool? {
        switch value(key) {
        case nil: return nil
        case .bool(let flag): return flag
        default: throw CohortDefinitionError(path: child(key), message: "expected true or false")
        }
    }

    mutating func string(_ key: String) throws(CohortDefinitionError) -> String? {
        switch value(key) {
        case nil: return nil
        case .string(let text): return text
        default: throw CohortDefinitionError(path: child(key), message: "expected a string")
        }
    }

    /// The object at `key` (an empty reader when absent or null).
    mutating func object(_ key: String) throws(CohortDefinitionError) -> ObjectReader {
        try ObjectReader(value(key) ?? .null, path: child(key))
    }

    /// The elements of the array at `key` with their paths (none when absent or null).
    mutating func array(_ key: String) throws(CohortDefinitionError) -> [(value: JSONValue, path: String)] {
        switch value(key) {
        case nil: return []
        case .array(let items): return items.enumerated().map { ($0.element, "\(child(key))[\($0.offset)]") }
        default: throw CohortDefinitionError(path: child(key), message: "expected an array")
        }
    }

    /// Whether the object has `key` with a non-null value (does not mark it read).
    func has(_ key: String) -> Bool {
        guard let value = fields[key] else { return false }
        return !value.isEmpty
    }

    /// Whether the object has `key` with a value other than null (an empty object counts).
    func isPresent(_ key: String) -> Bool {
        guard let value = fields[key] else { return false }
        if case .null = value { return false }
        return true
    }

    /// The keys present, sorted.
    var keys: [String] { fields.keys.sorted() }

    static let unknownElement =
        "unknown element: Circe's cohort expression has no such key here; check its spelling or remove it"

    /// Refuses the first unread key that holds something.
    func finish() throws(CohortDefinitionError) {
        for key in fields.keys.sorted() where !used.contains(key) && !fields[key]!.isEmpty {
            throw CohortDefinitionError(path: child(key), message: Self.unknownElement)
        }
    }

    static func integer(_ value: JSONValue, path: String) throws(CohortDefinitionError) -> Int64 {
        switch value {
        case .integer(let number): return number
        case .number(let number):
            guard let exact = Int64(exactly: number) else {
                throw CohortDefinitionError(path: path, message: "expected an integer, got \(number)")
            }
            return exact
        default: throw CohortDefinitionError(path: path, message: "expected an integer")
        }
    }
}
