import Foundation

/// Read access to a parsed FHIR JSON object by dotted paths (`period.start`); arrays along a
/// path yield their first element.
struct JSONObject {
    let object: [String: Any]
    let type: String
    let aliases: [String: String]

    init(_ object: [String: Any], type: String, aliases: [String: String]) {
        self.object = object
        self.type = type
        self.aliases = aliases
    }

    func value(_ path: String) -> Any? {
        var current: Any? = walk(path)
        if let array = current as? [Any], !(array.first is [String: Any]) { current = array.first }
        return current
    }

    /// Follows a dotted path without splitting it into an array (this runs for every field of
    /// every record).
    private func walk(_ path: String) -> Any? {
        var current: Any? = object
        var start = path.startIndex
        let utf8 = path.utf8
        while true {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: ".")) ?? path.endIndex
            let key = String(path[start..<end])
            if let dictionary = current as? [String: Any] {
                current = dictionary[key]
            } else if let array = current as? [Any], let first = array.first as? [String: Any] {
                current = first[key]
            } else {
                return nil
            }
            if current == nil || end == path.endIndex { return current }
            start = utf8.index(after: end)
        }
    }

    func has(_ path: String) -> Bool { value(path) != nil }

    func string(_ path: String) -> String? { value(path) as? String }

    func number(_ path: String) -> Double? {
        guard let value = value(path) else { return nil }
        if let double = value as? Double, !(value is Bool) { return double.isFinite ? double : nil }
        if value is Bool || value is String { return nil }
        if let number = value as? NSNumber {
            let double = number.doubleValue
            return double.isFinite ? double : nil
        }
        return nil
    }

    func array(_ path: String) -> [[String: Any]] {
        walk(path) as? [[String: Any]] ?? []
    }

    /// The codings of a CodeableConcept at `path`.
    func codings(_ path: String) -> [SourceCoding] {
        guard let concept = value(path) as? [String: Any] ?? (value(path) as? [[String: Any]])?.first else {
            return []
        }
        return (concept["coding"] as? [[String: Any]] ?? []).compactMap { coding in
            guard let code = coding["code"] as? String, !code.isEmpty else { return nil }
            return SourceCoding(
                system: coding["system"] as? String, code: code, display: coding["display"] as? String)
        }
    }

    /// The calendar day of a date or dateTime at `path`, or nil when absent or not a real day.
    func date(_ path: String) -> String? {
        string(path).flatMap(ISODate.day)
    }

    /// The `Type/id` a Reference at `path` points to; throws when it is absent.
    func reference(_ path: String) throws -> String {
        guard let reference = string("\(path).reference"), !reference.isEmpty else {
            throw RecordProblem(.missingField, "\(type).\(path).reference")
        }
        if !aliases.isEmpty, let alias = aliases[reference] { return alias }
        // `Type/id` as is; absolute URLs end with Type/id.
        let utf8 = reference.utf8
        guard let last = utf8.lastIndex(of: UInt8(ascii: "/")), last != utf8.startIndex else {
            return reference
        }
        guard let previous = utf8[..<last].lastIndex(of: UInt8(ascii: "/")) else { return reference }
        return String(reference[utf8.index(after: previous)...])
    }
}
