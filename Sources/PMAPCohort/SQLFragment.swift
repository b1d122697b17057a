import PMAPModel

/// SQL text with its bound arguments in placeholder order; interpolating a value binds it
/// (`?`), interpolating a fragment splices its text and arguments, `raw:` splices trusted text.
struct SQLFragment: ExpressibleByStringInterpolation, Sendable {
    var text: String
    var arguments: [SQLValue]

    init(text: String, arguments: [SQLValue]) {
        self.text = text
        self.arguments = arguments
    }

    static let empty = SQLFragment(text: "", arguments: [])

    init(stringLiteral value: String) {
        text = value
        arguments = []
    }

    init(stringInterpolation: StringInterpolation) {
        text = stringInterpolation.text
        arguments = stringInterpolation.arguments
    }

    struct StringInterpolation: StringInterpolationProtocol {
        var text = ""
        var arguments: [SQLValue] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            text.reserveCapacity(literalCapacity * 2)
        }

        mutating func appendLiteral(_ literal: String) { text += literal }

        mutating func appendInterpolation(_ fragment: SQLFragment) {
            text += fragment.text
            arguments += fragment.arguments
        }

        /// Trusted SQL text: identifiers and keywords chosen by the compiler, never input.
        mutating func appendInterpolation(raw: String) { text += raw }
    }

    /// The fragments joined by `separator`.
    static func joined(_ fragments: [SQLFragment], separator: String) -> SQLFragment {
        SQLFragment(
            text: fragments.map(\.text).joined(separator: separator),
            arguments: fragments.flatMap(\.arguments))
    }

    var statement: SQLStatement { SQLStatement(sql: text, arguments: arguments) }
}

/// A statement to run, with its arguments bound to the `?` placeholders in order.
public struct SQLStatement: Sendable, Equatable {
    public let sql: String
    public let arguments: [SQLValue]

    public init(sql: String, arguments: [SQLValue]) {
        self.sql = sql
        self.arguments = arguments
    }
}

/// The SQL dialects the compiler writes. Both use `?` placeholders.
public enum SQLDialect: String, Sendable, CaseIterable {
    case sqlite
    case postgresql

    /// A bound integer.
    func integer(_ value: Int64) -> SQLFragment {
        switch self {
        case .sqlite: return SQLFragment(text: "?", arguments: [.integer(value)])
        case .postgresql: return SQLFragment(text: "CAST(? AS BIGINT)", arguments: [.integer(value)])
        }
    }

    /// A bound number (integral numbers bind as integers).
    func number(_ value: Double) -> SQLFragment {
        let bound: SQLValue =
            value.rounded() == value && abs(value) < 1e15 ? .integer(Int64(value)) : .real(value)
        switch self {
        case .sqlite: return SQLFragment(text: "?", arguments: [bound])
        case .postgresql: return SQLFragment(text: "CAST(? AS NUMERIC)", arguments: [bound])
        }
    }

    /// A bound ISO date.
    func date(_ iso: String) -> SQLFragment {
        switch self {
        case .sqlite: return SQLFragment(text: "?", arguments: [.text(iso)])
        case .postgresql: return SQLFragment(text: "CAST(? AS DATE)", arguments: [.text(iso)])
        }
    }

    /// `date` plus a bound number of days.
    func addDays(_ date: SQLFragment, _ days: Int) -> SQLFragment {
        switch self {
        case .sqlite: return "date(julianday(\(date)) + \(integer(Int64(days))))"
        case .postgresql:
            let offset = SQLFragment(text: "CAST(? AS INTEGER)", arguments: [.integer(Int64(days))])
            return "(\(date) + \(offset))"
        }
    }

    /// `date` plus a column holding days (NULL when the column is).
    func addDays(_ date: SQLFragment, column: String) -> SQLFragment {
        switch self {
        case .sqlite: return "date(julianday(\(date)) + \(raw: column))"
        case .postgresql: return "(\(date) + CAST(\(raw: column) AS INTEGER))"
        }
    }

    /// The calendar year of a date.
    func year(_ date: SQLFragment) -> SQLFragment {
        switch self {
        case .sqlite: return "CAST(strftime('%Y', \(date)) AS INTEGER)"
        case .postgresql: return "CAST(EXTRACT(YEAR FROM \(date)) AS INTEGER)"
        }
    }

    /// Days from `start` to `end`.
    func daysBetween(_ start: SQLFragment, _ end: SQLFragment) -> SQLFragment {
        switch self {
        case .sqlite: return "CAST(julianday(\(end)) - julianday(\(start)) AS INTEGER)"
        case .postgresql: return "(\(end) - \(start))"
        }
    }

    /// `text` matches the LIKE `pattern` (bound), ignoring case, with `\` escaping `%` and `_`.
    func matches(_ text: SQLFragment, pattern: String) -> SQLFragment {
        switch self {
        // SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's LIKE does not, ILIKE does.
        case .sqlite: return "\(text) LIKE \(SQLFragment(text: "?", arguments: [.text(pattern)])) ESCAPE '\\'"
        case .postgresql:
            return
                "\(text) ILIKE \(SQLFragment(text: "CAST(? AS TEXT)", arguments: [.text(pattern)])) ESCAPE '\\'"
        }
    }

    /// A bigint 2^bit, for inclusion masks.
    func bit(_ column: String) -> SQLFragment {
        switch self {
        case .sqlite: return "(CAST(1 AS BIGINT) << \(raw: column))"
        case .postgresql: return "(CAST(1 AS BIGINT) << CAST(\(raw: column) AS INTEGER))"
        }
    }
}
