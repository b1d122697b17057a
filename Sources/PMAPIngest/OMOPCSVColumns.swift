import Foundation
import PMAPModel

/// How the columns of an OMOP CDM CSV file map to the v5.4 table: v5.3 names renamed in
/// v5.4 are carried over; columns v5.4 no longer has are dropped (and reported).
public struct OMOPCSVColumns: Sendable {
    /// Columns renamed between CDM v5.3 and v5.4, per table.
    public static let renamedIn54: [String: [String: String]] = [
        "visit_occurrence": [
            "admitting_source_concept_id": "admitted_from_concept_id",
            "admitting_source_value": "admitted_from_source_value",
            "discharge_to_concept_id": "discharged_to_concept_id",
            "discharge_to_source_value": "discharged_to_source_value",
        ],
        "visit_detail": [
            "admitting_source_concept_id": "admitted_from_concept_id",
            "admitting_source_value": "admitted_from_source_value",
            "discharge_to_concept_id": "discharged_to_concept_id",
            "discharge_to_source_value": "discharged_to_source_value",
            "visit_detail_parent_id": "parent_visit_detail_id",
        ],
    ]

    public let table: CDMTable
    /// For each column written, its index in the file's fields (nil: absent, filled by default).
    public let fieldIndexes: [Int?]
    /// The CDM columns written, in table order.
    public let columns: [CDMColumn]
    /// File columns with no v5.4 counterpart.
    public let droppedColumns: [String]
    /// The header line as the file has it (kept with quarantined rows so they can be replayed).
    public private(set) var headerLine = ""

    /// These columns, remembering the header line they were read from.
    public func withHeader(_ line: String) -> OMOPCSVColumns {
        var copy = self
        copy.headerLine = line
        return copy
    }

    /// Reads a header; throws when a required column is absent and has no safe default
    /// (required `*_concept_id` columns default to 0, "No matching concept").
    public init(table: CDMTable, header: [String]) throws {
        let renames = Self.renamedIn54[table.name] ?? [:]
        let names = header.map { name -> String in
            let lowered = name.trimmingCharacters(in: .whitespaces).lowercased()
            return renames[lowered] ?? lowered
        }
        var indexes: [Int?] = []
        var columns: [CDMColumn] = []
        for column in table.columns {
            if let index = names.firstIndex(of: column.name) {
                indexes.append(index)
                columns.append(column)
            } else if column.isPrimaryKey && (column.kind == .integer || column.kind == .bigint) {
                continue  // an integer key absent from a v5.3 file is assigned by the store
            } else if column.isRequired {
                guard column.name.hasSuffix("_concept_id") else {
                    throw PMAPError(
                        .badInput, "the header lacks the required column \(column.name) of \(table.name)")
                }
                indexes.append(nil)
                columns.append(column)
            }
        }
        self.table = table
        fieldIndexes = indexes
        self.columns = columns
        droppedColumns = names.filter { table.column(named: $0) == nil }
    }

    /// The values of one record, checked against the column types.
    public func values(of fields: [String]) throws -> [SQLValue] {
        var values: [SQLValue] = []
        values.reserveCapacity(columns.count)
        for (column, index) in zip(columns, fieldIndexes) {
            guard let index else {
                values.append(.integer(0))
                continue
            }
            guard index < fields.count else {
                throw RecordProblem(.malformed, "too few fields for \(column.name)")
            }
            values.append(try value(fields[index], column))
        }
        return values
    }

    private func value(_ field: String, _ column: CDMColumn) throws -> SQLValue {
        if field.isEmpty {
            if column.isRequired { throw RecordProblem(.missingField, "\(table.name).\(column.name)") }
            return .null
        }
        switch column.kind {
        case .integer, .bigint:
            if let number = Int64(field) { return .integer(number) }
            if let number = Double(field), number == number.rounded(), abs(number) < 9e15 {
                return .integer(Int64(number))
            }
            throw RecordProblem(.invalidValue, "\(table.name).\(column.name): expected an integer")
        case .float:
            guard let number = Double(field), number.isFinite else {
                throw RecordProblem(.invalidValue, "\(table.name).\(column.name): expected a number")
            }
            return .real(number)
        case .date:
            if let day = ISODate.day(field) { return .text(day) }
            if field.count == 8,
                let day = ISODate.day("\(field.prefix(4))-\(field.dropFirst(4).prefix(2))-\(field.suffix(2))")
            {
                return .text(day)
            }
            throw RecordProblem(.invalidDate, "\(table.name).\(column.name)")
        case .datetime:
            guard ISODate.day(field) != nil else {
                throw RecordProblem(.invalidDate, "\(table.name).\(column.name)")
            }
            return .text(field)
        case .varchar:
            return .text(field)
        }
    }
}
