import PMAPModel

/// A node of a parsed mapping document, with its path for error messages.
struct MappingNode {
    let value: Any?
    let path: String
    let file: String

    init(_ value: Any?, path: String, file: String) {
        self.value = value
        self.path = path
        self.file = file
    }

    private func fail(_ expectation: String) -> PMAPError {
        PMAPError(.badInput, "\(file): \(path.isEmpty ? "the document" : path) must be \(expectation)")
    }

    func object() throws -> MappingObject {
        guard let dictionary = value as? [String: Any] else { throw fail("a mapping of keys to values") }
        return MappingObject(values: dictionary, path: path, file: file)
    }

    func array() throws -> [MappingNode] {
        guard let items = value as? [Any] else { throw fail("a list") }
        return items.enumerated().map { MappingNode($0.element, path: "\(path)[\($0.offset)]", file: file) }
    }
}

/// A mapping (YAML) or object (JSON) node.
struct MappingObject {
    let values: [String: Any]
    let path: String
    let file: String

    private func key(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func child(_ name: String) throws -> MappingNode {
        guard let value = values[name] else {
            throw PMAPError(.badInput, "\(file): \(key(name)) is missing")
        }
        return MappingNode(value, path: key(name), file: file)
    }

    /// Refuses keys the format does not know (a typo would otherwise be ignored silently).
    func allowOnly(_ names: Set<String>) throws {
        if let unknown = values.keys.sorted().first(where: { !names.contains($0) }) {
            throw PMAPError(
                .badInput,
                "\(file): \(key(unknown)) is not a mapping key; allowed here: \(names.sorted().joined(separator: ", "))"
            )
        }
    }

    func optionalString(_ name: String) throws -> String? {
        guard let value = values[name] else { return nil }
        if let text = value as? String { return text }
        if let number = value as? Int { return String(number) }
        throw PMAPError(.badInput, "\(file): \(key(name)) must be text")
    }

    func string(_ name: String) throws -> String {
        guard let text = try optionalString(name), !text.isEmpty else {
            throw PMAPError(.badInput, "\(file): \(key(name)) is missing")
        }
        return text
    }

    func optionalInteger(_ name: String) throws -> Int64? {
        guard let value = values[name] else { return nil }
        if let number = value as? Int { return Int64(number) }
        if let text = value as? String, let number = Int64(text) { return number }
        throw PMAPError(.badInput, "\(file): \(key(name)) must be an integer")
    }

    func integer(_ name: String) throws -> Int64 {
        guard let number = try optionalInteger(name) else {
            throw PMAPError(.badInput, "\(file): \(key(name)) is missing")
        }
        return number
    }

    func optionalBool(_ name: String) throws -> Bool? {
        guard let value = values[name] else { return nil }
        guard let flag = value as? Bool else {
            throw PMAPError(.badInput, "\(file): \(key(name)) must be true or false")
        }
        return flag
    }
}
