/// Splits CSV records (RFC 4180: comma-separated, fields optionally in double quotes with
/// `""` for a quote; a quoted field may span lines).
public struct CSVRecordParser {
    private var pending: String?
    private let delimiter: Character

    /// A parser for fields separated by `delimiter` (a comma unless given).
    public init(delimiter: Character = ",") {
        self.delimiter = delimiter
    }

    /// Feeds one physical line; returns the record's fields when it is complete, nil when a
    /// quoted field continues on the next line.
    public mutating func feed(_ line: Substring) -> [String]? {
        let text = pending.map { $0 + "\n" + line } ?? String(line)
        guard Self.quotesBalanced(text) else {
            pending = text
            return nil
        }
        pending = nil
        return Self.fields(of: text, delimiter: delimiter)
    }

    /// Whether a record is still open at the end of the input.
    public var hasUnfinishedRecord: Bool { pending != nil }

    static func quotesBalanced(_ text: String) -> Bool {
        var count = 0
        for byte in text.utf8 where byte == 0x22 { count += 1 }
        return count % 2 == 0
    }

    /// The fields of one complete record.
    public static func fields(of text: String, delimiter: Character = ",") -> [String] {
        guard text.utf8.contains(0x22) else {
            if let byte = delimiter.asciiValue {
                // Byte-wise: splitting by Character compares grapheme clusters, several times slower.
                return text.utf8.split(separator: byte, omittingEmptySubsequences: false).map {
                    String(Substring($0))
                }
            }
            return text.split(separator: delimiter, omittingEmptySubsequences: false).map(String.init)
        }
        var fields: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.makeIterator()
        var previousWasQuote = false
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    quoted = false
                    previousWasQuote = true
                    continue
                }
                field.append(character)
            } else if character == "\"" {
                if previousWasQuote { field.append("\"") }
                quoted = true
            } else if character == delimiter {
                fields.append(field)
                field = ""
            } else {
                field.append(character)
            }
            previousWasQuote = false
        }
        fields.append(field)
        return fields
    }
}
