import Foundation
import PMAPModel

/// The files of an OHDSI Athena vocabulary download and how their lines become table rows.
///
/// Athena files are tab-separated with a header of lower-case (sometimes upper-case) column
/// names, fields unquoted, dates as `YYYYMMDD`. The decoder turns each line into values for
/// the CDM table of the same name, checking field count, required fields, integers, dates and
/// text lengths, and names the file and line of anything wrong.
public enum AthenaVocabulary {
    /// One file of the download.
    public struct File: Sendable {
        /// The file name as Athena writes it, e.g. `CONCEPT.csv`.
        public let fileName: String
        /// The CDM table the file fills.
        public let table: CDMTable
        /// Whether a download without this file is refused.
        public let isRequired: Bool
    }

    /// Every file PMAP loads, in load order.
    public static let files: [File] = [
        ("VOCABULARY.csv", "vocabulary", true),
        ("DOMAIN.csv", "domain", true),
        ("CONCEPT_CLASS.csv", "concept_class", true),
        ("RELATIONSHIP.csv", "relationship", true),
        ("CONCEPT.csv", "concept", true),
        ("CONCEPT_RELATIONSHIP.csv", "concept_relationship", true),
        ("CONCEPT_ANCESTOR.csv", "concept_ancestor", true),
        ("CONCEPT_SYNONYM.csv", "concept_synonym", false),
        ("DRUG_STRENGTH.csv", "drug_strength", false),
    ].map { File(fileName: $0.0, table: CDMSchema.table(named: $0.1)!, isRequired: $0.2) }

    /// Decodes the lines of one Athena file into rows of its table.
    public struct LineDecoder: Sendable {
        /// The CDM columns the decoded rows hold, in order.
        public let columns: [CDMColumn]
        private let fieldIndexes: [Int]
        private let fieldCount: Int
        private let fileName: String

        /// Reads the header line; throws when it lacks a required column of the table.
        public init(file: File, headerLine: Substring) throws {
            let names = headerLine.split(separator: "\t", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
            }
            var columns: [CDMColumn] = []
            var indexes: [Int] = []
            var missing: [String] = []
            for column in file.table.columns {
                if let index = names.firstIndex(of: column.name) {
                    columns.append(column)
                    indexes.append(index)
                } else if column.isRequired {
                    missing.append(column.name)
                }
            }
            guard missing.isEmpty else {
                throw PMAPError(
                    .badInput,
                    "header lacks required column(s) \(missing.joined(separator: ", ")); is this a tab-separated Athena \(file.fileName)?",
                    at: SourceLocation(file: file.fileName, line: 1))
            }
            self.columns = columns
            self.fieldIndexes = indexes
            self.fieldCount = names.count
            self.fileName = file.fileName
        }

        /// The row of one data line (without its line end), or an error naming line and field.
        public func decode(_ line: Substring, lineNumber: Int) throws -> [SQLValue] {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == fieldCount else {
                throw PMAPError(
                    .badInput,
                    "expected \(fieldCount) tab-separated fields as in the header, found \(fields.count)",
                    at: SourceLocation(file: fileName, line: lineNumber))
            }
            var row: [SQLValue] = []
            row.reserveCapacity(columns.count)
            for (column, index) in zip(columns, fieldIndexes) {
                row.append(try value(of: fields[index], column: column, lineNumber: lineNumber))
            }
            return row
        }

        private func value(of field: Substring, column: CDMColumn, lineNumber: Int) throws -> SQLValue {
            if field.isEmpty {
                if column.isRequired { throw problem("is required but empty", column, lineNumber) }
                return .null
            }
            switch column.kind {
            case .integer, .bigint:
                guard let number = Int64(field) else {
                    throw problem("expected an integer", column, lineNumber)
                }
                return .integer(number)
            case .float:
                guard let number = Double(field) else {
                    throw problem("expected a number", column, lineNumber)
                }
                return .real(number)
            case .date, .datetime:
                guard let date = Self.isoDate(field) else {
                    throw problem("expected a date as YYYYMMDD or YYYY-MM-DD", column, lineNumber)
                }
                return .text(date)
            case .varchar(let maxLength):
                if let maxLength, field.count > maxLength {
                    throw problem(
                        "is longer than the \(maxLength) characters the CDM allows", column, lineNumber)
                }
                return .text(String(field))
            }
        }

        private func problem(_ text: String, _ column: CDMColumn, _ lineNumber: Int) -> PMAPError {
            PMAPError(
                .badInput, text, at: SourceLocation(file: fileName, line: lineNumber, field: column.name))
        }

        /// `YYYYMMDD` or `YYYY-MM-DD` as `YYYY-MM-DD`, or `nil` when it is neither (or no real date).
        static func isoDate(_ field: Substring) -> String? {
            let digits: Substring
            if field.count == 8, field.allSatisfy(\.isASCIIDigit) {
                digits = field
            } else if field.count == 10, field[field.index(field.startIndex, offsetBy: 4)] == "-",
                field[field.index(field.startIndex, offsetBy: 7)] == "-"
            {
                let stripped = field.filter { $0 != "-" }
                guard stripped.count == 8, stripped.allSatisfy(\.isASCIIDigit) else { return nil }
                digits = Substring(stripped)
            } else {
                return nil
            }
            let year = digits.prefix(4)
            let month = digits.dropFirst(4).prefix(2)
            let day = digits.suffix(2)
            guard let m = Int(month), let d = Int(day), (1...12).contains(m), (1...31).contains(d) else {
                return nil
            }
            return "\(year)-\(month)-\(day)"
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
