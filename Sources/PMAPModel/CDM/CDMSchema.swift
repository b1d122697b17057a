import Foundation

/// The OMOP Common Data Model v5.4 as data: every table and column the specification defines.
///
/// The catalog is generated from OHDSI's field-level specification file
/// (`scripts/generate-cdm-schema.py`); stores build their DDL from it and importers check
/// column names against it.
public enum CDMSchema {
    /// The CDM version this catalog describes.
    public static let version = "5.4"

    /// The table with this (lower-case) name, or `nil` when the CDM has no such table.
    public static func table(named name: String) -> CDMTable? {
        tablesByName[name.lowercased()]
    }

    /// The names of every CDM table, in specification order.
    public static var tableNames: [String] { tables.map(\.name) }

    private static let tablesByName: [String: CDMTable] = Dictionary(
        uniqueKeysWithValues: tables.map { ($0.name, $0) })
}

/// One table of the CDM specification.
public struct CDMTable: Sendable, Hashable {
    /// The table name, lower-case, as OHDSI tools expect it.
    public let name: String
    /// The columns in specification order.
    public let columns: [CDMColumn]

    public init(name: String, columns: [CDMColumn]) {
        self.name = name
        self.columns = columns
    }

    /// The column with this (lower-case) name, if the table has one.
    public func column(named name: String) -> CDMColumn? {
        columns.first { $0.name == name.lowercased() }
    }

    /// The primary-key columns (at most one in v5.4).
    public var primaryKey: [CDMColumn] { columns.filter(\.isPrimaryKey) }
}

/// One column of a CDM table.
public struct CDMColumn: Sendable, Hashable {
    /// The column name, lower-case.
    public let name: String
    /// The datatype exactly as the specification spells it (`integer`, `varchar(50)`, `date`, ...).
    public let datatype: String
    /// Whether the specification marks the column as required (NOT NULL).
    public let isRequired: Bool
    /// Whether the column is the table's primary key.
    public let isPrimaryKey: Bool

    /// The datatype parsed into a kind a store or importer can act on (parsed once: importers
    /// ask for it for every value they read).
    public let kind: CDMDatatype

    public init(name: String, datatype: String, isRequired: Bool, isPrimaryKey: Bool) {
        self.name = name
        self.datatype = datatype
        self.isRequired = isRequired
        self.isPrimaryKey = isPrimaryKey
        kind = CDMDatatype(specification: datatype)
    }
}

/// The kinds of value CDM columns hold.
public enum CDMDatatype: Sendable, Hashable {
    case integer
    case bigint
    case float
    case date
    case datetime
    /// Text with a maximum length; `nil` for `varchar(MAX)`.
    case varchar(maxLength: Int?)

    /// Parses a datatype as the specification spells it; unknown spellings read as unbounded text.
    public init(specification: String) {
        let lowered = specification.lowercased().trimmingCharacters(in: .whitespaces)
        switch lowered {
        case "integer": self = .integer
        case "bigint": self = .bigint
        case "float": self = .float
        case "date": self = .date
        case "datetime": self = .datetime
        default:
            if lowered.hasPrefix("varchar("), lowered.hasSuffix(")") {
                let inner = lowered.dropFirst("varchar(".count).dropLast()
                self = .varchar(maxLength: Int(inner))
            } else {
                self = .varchar(maxLength: nil)
            }
        }
    }
}
