/// Read access to a FHIR JSON object inside a parsed ``JSONDocument`` by dotted paths
/// (`period.start`); arrays along a path yield their first element.
struct JSONObject {
    let document: JSONDocument
    let node: Int
    /// The resource type, named in the problems a read reports (nested objects keep it).
    let type: String
    let aliases: [String: String]

    init(
        _ document: JSONDocument, node: Int = JSONDocument.root, type: String, aliases: [String: String] = [:]
    ) {
        self.document = document
        self.node = node
        self.type = type
        self.aliases = aliases
    }

    /// The object at `node` of the same document, for reading a nested object.
    func child(_ node: Int) -> JSONObject {
        JSONObject(document, node: node, type: type, aliases: aliases)
    }

    /// The node at `path`; an array of scalars yields its first element.
    private func value(_ path: String) -> Int? {
        guard let found = walk(path) else { return nil }
        if document.kind(found) == .array, let first = document.firstElement(found),
            document.kind(first) != .object
        {
            return first
        }
        return found
    }

    /// Follows a dotted path (this runs for every field of every record).
    private func walk(_ path: String) -> Int? {
        var current = node
        let utf8 = Substring(path).utf8
        var start = utf8.startIndex
        while true {
            let end = utf8[start...].firstIndex(of: UInt8(ascii: ".")) ?? utf8.endIndex
            let key = utf8[start..<end]
            switch document.kind(current) {
            case .object:
                guard let next = document.member(current, key) else { return nil }
                current = next
            case .array:
                guard let first = document.firstElement(current), document.kind(first) == .object,
                    let next = document.member(first, key)
                else { return nil }
                current = next
            default: return nil
            }
            if end == utf8.endIndex { return current }
            start = utf8.index(after: end)
        }
    }

    /// The string member `key` of this object itself (no path, no array unwrapping).
    func memberString(_ key: String) -> String? {
        document.member(node, key).flatMap(document.string)
    }

    func has(_ path: String) -> Bool { value(path) != nil }

    func string(_ path: String) -> String? { value(path).flatMap(document.string) }

    func number(_ path: String) -> Double? {
        guard let number = value(path).flatMap(document.number), number.isFinite else { return nil }
        return number
    }

    /// The objects of the array at `path`; empty when it is absent or holds anything but objects.
    func array(_ path: String) -> [JSONObject] {
        guard let found = walk(path) else { return [] }
        let elements = document.elements(found)
        guard elements.allSatisfy({ document.kind($0) == .object }) else { return [] }
        return elements.map(child)
    }

    /// The strings of the array at `path` (other elements skipped).
    func strings(_ path: String) -> [String] {
        guard let found = walk(path) else { return [] }
        return document.elements(found).compactMap(document.string)
    }

    /// The codings of a CodeableConcept at `path` (or of the first of a list of them).
    func codings(_ path: String) -> [SourceCoding] {
        guard let found = walk(path) else { return [] }
        let concept: Int
        switch document.kind(found) {
        case .object: concept = found
        case .array:
            guard let first = document.firstElement(found),
                document.elements(found).allSatisfy({ document.kind($0) == .object })
            else { return [] }
            concept = first
        default: return []
        }
        return child(concept).array("coding").compactMap { coding in
            guard let code = coding.memberString("code"), !code.isEmpty else { return nil }
            return SourceCoding(
                system: coding.memberString("system"), code: code, display: coding.memberString("display"))
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
