import PMAPModel

/// A small tab-separated table with a header line, as the starter vocabulary is kept.
///
/// Fields are separated by single tabs and never quoted; blank lines and lines starting with
/// `#` are ignored.
public struct TabSeparatedTable: Sendable {
    /// One data line: its 1-based line number in the text and its fields.
    public struct Row: Sendable {
        public let line: Int
        public let fields: [String: String]

        /// The field of this column; empty when the column is blank.
        public subscript(column: String) -> String { fields[column] ?? "" }
    }

    /// The name used in error messages (usually the file name).
    public let name: String
    /// The column names of the header line.
    public let header: [String]
    /// The data lines in order.
    public let rows: [Row]

    /// Parses `text`, checking that the header holds every column of `requiredColumns` and
    /// that every line has as many fields as the header.
    public init(name: String, text: String, requiredColumns: [String]) throws {
        var header: [String]?
        var rows: [Row] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map {
                String($0).trimmingSpaces()
            }
            guard let columns = header else {
                header = fields
                let missing = requiredColumns.filter { !fields.contains($0) }
                if !missing.isEmpty {
                    throw PMAPError(
                        .badInput,
                        "header lacks column(s) \(missing.joined(separator: ", ")); "
                            + "expected the columns \(requiredColumns.joined(separator: ", "))",
                        at: SourceLocation(file: name, line: lineNumber))
                }
                continue
            }
            guard fields.count == columns.count else {
                throw PMAPError(
                    .badInput,
                    "expected \(columns.count) tab-separated fields, found \(fields.count); "
                        + "check for a missing or extra tab",
                    at: SourceLocation(file: name, line: lineNumber))
            }
            rows.append(Row(line: lineNumber, fields: Dictionary(uniqueKeysWithValues: zip(columns, fields))))
        }
        guard let header else {
            throw PMAPError(
                .badInput, "the file is empty; it needs a header line", at: SourceLocation(file: name))
        }
        self.name = name
        self.header = header
        self.rows = rows
    }
}

extension String {
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " { slice.removeFirst() }
        while let last = slice.last, last == " " { slice.removeLast() }
        return String(slice)
    }
}
