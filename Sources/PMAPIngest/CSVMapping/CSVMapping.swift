import Foundation
import PMAPModel
import Yams

/// A declarative description of how a plain CSV file (a device export, an environmental
/// agency's table) loads into the CDM: which column names the person, and which CDM rows each
/// CSV row gives. Written in YAML or JSON (`*.mapping.yaml` beside the CSV, or `--mapping`).
///
/// ```yaml
/// pmap_mapping: 1
/// delimiter: ","
/// header: true
/// person:
///   identifier_column: mrn                # or: link: residence_zip3, zip3_column: zip3
///   identifier_system: https://hospital.example.org/fhir/sid/mrn
/// records:
///   - table: measurement                  # measurement, observation or device_exposure
///     concept_id: 2000001003
///     type_concept_id: 32817
///     date_column: date                   # or: date: "{year}-07-01"
///     date_format: YYYY-MM-DD
///     value_column: steps
///     unit_source_value: "{steps}/d"
/// ```
public struct CSVMapping: Sendable, Equatable {
    /// How a CSV row finds its person (or persons).
    public enum PersonLink: Sendable, Equatable {
        /// The row belongs to the person holding this identifier (e.g. an MRN).
        case identifier(column: String, system: String)
        /// The row applies to every person whose residence ZIP3 is the row's and who is under
        /// observation on the record's date.
        case residenceZIP3(column: String)
    }

    /// Where a record's date comes from.
    public enum DateSource: Sendable, Equatable {
        case column(String, format: DateFormat)
        /// `{column}` placeholders replaced by the row's values, giving `YYYY-MM-DD`.
        case template(String)
    }

    /// Date layouts a date column may use.
    public enum DateFormat: String, Sendable, CaseIterable {
        case iso = "YYYY-MM-DD"
        case compact = "YYYYMMDD"
        case usSlashes = "MM/DD/YYYY"
        case europeanSlashes = "DD/MM/YYYY"
        case europeanDots = "DD.MM.YYYY"
    }

    /// One CDM row made from each CSV row.
    public struct RecordSpec: Sendable, Equatable {
        public var table: String
        public var conceptID: Int64
        public var typeConceptID: Int64
        public var date: DateSource
        public var valueColumn: String?
        public var unitSourceValue: String?
        public var unitConceptID: Int64?
    }

    public static let supportedTables = ["measurement", "observation", "device_exposure"]

    public var delimiter: UInt8
    public var header: Bool
    public var person: PersonLink
    public var records: [RecordSpec]

    /// Reads a mapping document (YAML, or JSON, which YAML includes); `fileName` names it in errors.
    public static func parse(_ text: String, fileName: String) throws -> CSVMapping {
        let document: Any?
        do {
            document = try Yams.load(yaml: text)
        } catch {
            throw PMAPError(
                .badInput,
                "\(fileName) is not valid YAML or JSON (\(Self.firstLine(of: error))); fix the mapping file")
        }
        let root = try MappingNode(document, path: "", file: fileName).object()
        try root.allowOnly(["pmap_mapping", "source", "delimiter", "header", "person", "records"])
        guard try root.integer("pmap_mapping") == 1 else {
            throw PMAPError(.badInput, "\(fileName): pmap_mapping must be 1 (the mapping format version)")
        }
        let delimiterText = try root.optionalString("delimiter") ?? ","
        guard delimiterText.utf8.count == 1, let delimiter = delimiterText.utf8.first, delimiter != 0x22,
            delimiter != 0x0A
        else {
            throw PMAPError(
                .badInput, "\(fileName): delimiter must be one character such as \",\", \";\" or \"\\t\"")
        }
        let header = try root.optionalBool("header") ?? true
        guard header else {
            throw PMAPError(
                .badInput,
                "\(fileName): header: false is not supported yet; give the CSV a header line naming its columns"
            )
        }
        let personNode = try root.child("person").object()
        let person: PersonLink
        if let link = try personNode.optionalString("link") {
            try personNode.allowOnly(["link", "zip3_column", "year_column"])
            guard link == "residence_zip3" else {
                throw PMAPError(
                    .badInput,
                    "\(fileName): person.link must be residence_zip3 (the only link besides identifier_column)"
                )
            }
            person = .residenceZIP3(column: try personNode.string("zip3_column"))
        } else {
            try personNode.allowOnly(["identifier_column", "identifier_system"])
            person = .identifier(
                column: try personNode.string("identifier_column"),
                system: try personNode.string("identifier_system"))
        }
        let recordNodes = try root.child("records").array()
        guard !recordNodes.isEmpty else {
            throw PMAPError(
                .badInput,
                "\(fileName): records is empty; list at least one CDM row to make from each CSV row")
        }
        let records = try recordNodes.map { node -> RecordSpec in
            let record = try node.object()
            try record.allowOnly([
                "table", "concept_id", "type_concept_id", "date_column", "date_format", "date",
                "value_column",
                "unit_source_value", "unit_concept_id",
            ])
            let table = try record.string("table")
            guard supportedTables.contains(table) else {
                throw PMAPError(
                    .badInput,
                    "\(fileName): \(record.path).table is \(table); mapped CSV loads into \(supportedTables.joined(separator: ", "))"
                )
            }
            let date: DateSource
            if let column = try record.optionalString("date_column") {
                let formatText = try record.optionalString("date_format") ?? DateFormat.iso.rawValue
                guard let format = DateFormat(rawValue: formatText) else {
                    throw PMAPError(
                        .badInput,
                        "\(fileName): \(record.path).date_format \(formatText) is not one of \(DateFormat.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                date = .column(column, format: format)
            } else if let template = try record.optionalString("date") {
                date = .template(template)
            } else {
                throw PMAPError(.badInput, "\(fileName): \(record.path) needs date_column or date")
            }
            return RecordSpec(
                table: table, conceptID: try record.integer("concept_id"),
                typeConceptID: try record.optionalInteger("type_concept_id") ?? 32817, date: date,
                valueColumn: try record.optionalString("value_column"),
                unitSourceValue: try record.optionalString("unit_source_value"),
                unitConceptID: try record.optionalInteger("unit_concept_id"))
        }
        return CSVMapping(delimiter: delimiter, header: header, person: person, records: records)
    }

    private static func firstLine(of error: any Error) -> String {
        String(String(describing: error).split(separator: "\n").first ?? "unreadable")
    }

    /// The mapping bound to a file's header: column positions checked and resolved.
    public func bind(header fields: [String], fileName: String) throws -> BoundCSVMapping {
        var positions: [String: Int] = [:]
        for (index, name) in fields.enumerated() {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            if positions[trimmed] == nil { positions[trimmed] = index }
        }
        func position(_ column: String, _ role: String) throws -> Int {
            guard let index = positions[column] else {
                throw PMAPError(
                    .badInput,
                    "\(fileName) has no column \(column) (the mapping's \(role)); its header has \(fields.joined(separator: ", "))"
                )
            }
            return index
        }
        let personColumn: Int
        switch person {
        case .identifier(let column, _): personColumn = try position(column, "person column")
        case .residenceZIP3(let column): personColumn = try position(column, "zip3 column")
        }
        var bound: [BoundCSVMapping.Record] = []
        for (index, record) in records.enumerated() {
            let date: BoundCSVMapping.DateSource
            switch record.date {
            case .column(let column, let format):
                date = .column(try position(column, "records[\(index)].date_column"), format)
            case .template(let template):
                var parts: [BoundCSVMapping.TemplatePart] = []
                var rest = Substring(template)
                while let open = rest.firstIndex(of: "{") {
                    parts.append(.text(String(rest[..<open])))
                    guard let close = rest[open...].firstIndex(of: "}") else {
                        throw PMAPError(.badInput, "\(fileName): records[\(index)].date has an unclosed {")
                    }
                    let name = String(rest[rest.index(after: open)..<close])
                    parts.append(.column(try position(name, "records[\(index)].date placeholder")))
                    rest = rest[rest.index(after: close)...]
                }
                parts.append(.text(String(rest)))
                date = .template(parts)
            }
            bound.append(
                BoundCSVMapping.Record(
                    spec: record, date: date,
                    valueColumn: try record.valueColumn.map {
                        try position($0, "records[\(index)].value_column")
                    }))
        }
        return BoundCSVMapping(
            mapping: self, columnCount: fields.count, personColumn: personColumn, records: bound)
    }
}
