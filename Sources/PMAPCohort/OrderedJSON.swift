import Foundation
import PMAPModel

/// A JSON value whose object members keep the order they were written in, so the writer's
/// output follows Circe's element order and is the same bytes every time.
enum OrderedJSON {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([OrderedJSON])
    case object([(key: String, value: OrderedJSON)])

    /// A number: integral values as integers (`5`, not `5.0`), others as the shortest decimal
    /// that reads back as the same double.
    static func decimal(_ value: Double) -> OrderedJSON {
        if value.rounded(.towardZero) == value, abs(value) < 9.0e15 { return .integer(Int64(value)) }
        return .number(value)
    }

    /// The value as pretty-printed JSON (two-space indent), ending with a newline.
    var text: String {
        var output = ""
        write(to: &output, indent: "")
        return output + "\n"
    }

    private func write(to output: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .integer(let number): output += String(number)
        case .number(let number): output += number.isFinite ? "\(number)" : "null"
        case .string(let text): JSONString.append(text, to: &output)
        case .array(let items):
            guard !items.isEmpty else {
                output += "[]"
                return
            }
            output += "[\n"
            for (index, item) in items.enumerated() {
                output += inner
                item.write(to: &output, indent: inner)
                output += index == items.count - 1 ? "\n" : ",\n"
            }
            output += indent + "]"
        case .object(let members):
            guard !members.isEmpty else {
                output += "{}"
                return
            }
            output += "{\n"
            for (index, member) in members.enumerated() {
                output += inner
                JSONString.append(member.key, to: &output)
                output += ": "
                member.value.write(to: &output, indent: inner)
                output += index == members.count - 1 ? "\n" : ",\n"
            }
            output += indent + "}"
        }
    }
}

/// Builds a JSON object member by member, leaving out members that carry nothing.
struct ObjectBuilder {
    private(set) var members: [(key: String, value: OrderedJSON)] = []

    /// Adds `key: value`.
    mutating func add(_ key: String, _ value: OrderedJSON) {
        members.append((key, value))
    }

    /// Adds `key: value` when there is a value.
    mutating func add(_ key: String, _ value: OrderedJSON?) {
        if let value { members.append((key, value)) }
    }

    /// Adds `key: true` when the flag is set (Circe's flags default to false).
    mutating func flag(_ key: String, _ isSet: Bool) {
        if isSet { members.append((key, .bool(true))) }
    }

    var json: OrderedJSON { .object(members) }
}
