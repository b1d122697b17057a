import PMAPModel

/// A ``CSVMapping`` resolved against a file's header: turns each CSV row into CDM values.
public struct BoundCSVMapping: Sendable {
    enum TemplatePart: Sendable {
        case text(String)
        case column(Int)
    }
    enum DateSource: Sendable {
        case column(Int, CSVMapping.DateFormat)
        case template([TemplatePart])
    }
    struct Record: Sendable {
        let spec: CSVMapping.RecordSpec
        let date: DateSource
        let valueColumn: Int?
    }

    public let mapping: CSVMapping
    let columnCount: Int
    let personColumn: Int
    let records: [Record]

    /// Who a row is about.
    public enum PersonKey: Sendable, Equatable {
        case identifier(system: String, value: String)
        case residenceZIP3(String)
    }

    /// One CDM row a CSV row gives.
    public struct Value: Sendable, Equatable {
        public let table: String
        public let conceptID: Int64
        public let typeConceptID: Int64
        /// `YYYY-MM-DD`.
        public let date: String
        public let number: Double?
        public let text: String?
        public let unitSourceValue: String?
        public let unitConceptID: Int64?
    }

    /// What a CSV row gives.
    public struct Row: Sendable, Equatable {
        public let person: PersonKey
        public let values: [Value]
    }

    /// Maps one row's fields; problems name the column, never the value.
    public func row(_ fields: [String]) throws(RecordProblem) -> Row {
        guard fields.count == columnCount else {
            throw RecordProblem(.malformed, "\(fields.count) fields, the header has \(columnCount)")
        }
        let personValue = fields[personColumn].trimmingCharacters(in: .whitespaces)
        guard !personValue.isEmpty else {
            throw RecordProblem(.missingField, "person column (position \(personColumn + 1)) is empty")
        }
        let person: PersonKey
        switch mapping.person {
        case .identifier(_, let system): person = .identifier(system: system, value: personValue)
        case .residenceZIP3:
            guard personValue.utf8.count == 3, personValue.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
            else {
                throw RecordProblem(.invalidValue, "zip3 column must hold three digits")
            }
            person = .residenceZIP3(personValue)
        }
        var values: [Value] = []
        for (index, record) in records.enumerated() {
            let date = try Self.date(record.date, fields, index)
            var number: Double?
            var text: String?
            if let column = record.valueColumn {
                let raw = fields[column].trimmingCharacters(in: .whitespaces)
                if raw.isEmpty { continue }  // no value in this row for this record
                number = Double(raw)
                if number == nil || !(number!.isFinite) {
                    guard record.spec.table == "observation" else {
                        throw RecordProblem(
                            .invalidValue,
                            "records[\(index)] value column (position \(column + 1)) is not a number")
                    }
                    number = nil
                    text = String(raw.prefix(60))
                }
            }
            values.append(
                Value(
                    table: record.spec.table, conceptID: record.spec.conceptID,
                    typeConceptID: record.spec.typeConceptID, date: date, number: number, text: text,
                    unitSourceValue: record.spec.unitSourceValue, unitConceptID: record.spec.unitConceptID))
        }
        guard !values.isEmpty else { throw RecordProblem(.missingField, "every value column is empty") }
        return Row(person: person, values: values)
    }

    private static func date(_ source: DateSource, _ fields: [String], _ index: Int) throws(RecordProblem)
        -> String
    {
        switch source {
        case .template(let parts):
            var text = ""
            for part in parts {
                switch part {
                case .text(let literal): text += literal
                case .column(let column): text += fields[column].trimmingCharacters(in: .whitespaces)
                }
            }
            guard let day = Day(iso: text), text.utf8.count == 10 else {
                throw RecordProblem(
                    .invalidDate, "records[\(index)] date template does not give a valid YYYY-MM-DD")
            }
            return day.iso
        case .column(let column, let format):
            let raw = fields[column].trimmingCharacters(in: .whitespaces)
            guard let day = parse(raw, format) else {
                throw RecordProblem(
                    .invalidDate,
                    "records[\(index)] date column (position \(column + 1)) is not a \(format.rawValue) date")
            }
            return day.iso
        }
    }

    /// A date in `format`; ISO dates may carry a time (`2024-01-31T10:00`).
    static func parse(_ raw: String, _ format: CSVMapping.DateFormat) -> Day? {
        let bytes = Array(raw.utf8)
        func digits(_ range: Range<Int>) -> String? {
            guard range.upperBound <= bytes.count, bytes[range].allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
            else {
                return nil
            }
            return String(decoding: bytes[range], as: UTF8.self)
        }
        let parts: (year: String?, month: String?, day: String?)
        switch format {
        case .iso:
            guard bytes.count == 10 || (bytes.count > 10 && (bytes[10] == 0x54 || bytes[10] == 0x20)) else {
                return nil
            }
            guard bytes.count >= 10, bytes[4] == 0x2D, bytes[7] == 0x2D else { return nil }
            parts = (digits(0..<4), digits(5..<7), digits(8..<10))
        case .compact:
            guard bytes.count == 8 else { return nil }
            parts = (digits(0..<4), digits(4..<6), digits(6..<8))
        case .usSlashes, .europeanSlashes, .europeanDots:
            let separator: UInt8 = format == .europeanDots ? 0x2E : 0x2F
            guard bytes.count == 10, bytes[2] == separator, bytes[5] == separator else { return nil }
            let first = digits(0..<2)
            let second = digits(3..<5)
            parts =
                format == .usSlashes ? (digits(6..<10), first, second) : (digits(6..<10), second, first)
        }
        guard let year = parts.year, let month = parts.month, let day = parts.day else { return nil }
        return Day(iso: "\(year)-\(month)-\(day)")
    }
}
