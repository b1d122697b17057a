/// The one error shape PMAP's libraries throw.
///
/// `message` says what went wrong *and what to do next*; it names files, lines and fields but
/// never patient values. The command-line tool turns ``kind`` into an exit code and the server
/// into an HTTP status.
public struct PMAPError: Error, Sendable, CustomStringConvertible {
    /// The category of failure; new kinds can be added without breaking callers.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case usage, badInput, unusableStore, permissionDenied, notFound, failure
        }
        private let base: Base

        /// The caller asked for something malformed (unknown option value, missing argument).
        public static let usage = Kind(base: .usage)
        /// Input data is malformed or incomplete (a file, a line, a field).
        public static let badInput = Kind(base: .badInput)
        /// The store is missing, unreadable, corrupt, or from a newer PMAP.
        public static let unusableStore = Kind(base: .unusableStore)
        /// The acting user may not do this.
        public static let permissionDenied = Kind(base: .permissionDenied)
        /// The thing asked for does not exist.
        public static let notFound = Kind(base: .notFound)
        /// Anything else.
        public static let failure = Kind(base: .failure)

        public var description: String { base.rawValue }
    }

    /// The category of failure.
    public let kind: Kind
    /// What went wrong and what to do next; free of patient values.
    public let message: String
    /// Where in the input the problem is, when it comes from a file.
    public let location: SourceLocation?

    public init(_ kind: Kind, _ message: String, at location: SourceLocation? = nil) {
        self.kind = kind
        self.message = message
        self.location = location
    }

    public var description: String {
        if let location { return "\(location): \(message)" }
        return message
    }
}

/// A place in an input file: path and, where known, 1-based line and field name.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public let file: String
    public let line: Int?
    public let field: String?

    public init(file: String, line: Int? = nil, field: String? = nil) {
        self.file = file
        self.line = line
        self.field = field
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let field { text += ": \(field)" }
        return text
    }
}
