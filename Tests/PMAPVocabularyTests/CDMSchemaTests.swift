import Foundation
import PMAPModel
import PMAPTestSupport
import Testing

/// The compiled-in CDM catalog against OHDSI's field-level specification file.
struct CDMSchemaTests {
    @Test func hasThe39TablesOfCDM54() {
        #expect(CDMSchema.tables.count == 39)
        #expect(Set(CDMSchema.tableNames).count == 39)
        #expect(CDMSchema.table(named: "PERSON")?.column(named: "person_id")?.isPrimaryKey == true)
        #expect(CDMSchema.table(named: "measurement")?.column(named: "value_as_number")?.kind == .float)
        #expect(CDMSchema.table(named: "note")?.column(named: "note_text")?.kind == .varchar(maxLength: nil))
    }

    /// Source: OHDSI/CommonDataModel inst/csv/OMOP_CDMv5.4_Field_Level.csv in ../shared/data.
    @Test(.enabled(if: SharedData.shouldRun, Comment(rawValue: SharedData.skipMessage)))
    func matchesTheFieldLevelSpecification() throws {
        let url = try SharedData.file("omop-cdm-5.4/OMOP_CDMv5.4_Field_Level.csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        var expected: [String: [(String, String, Bool, Bool)]] = [:]
        var order: [String] = []
        for (index, fields) in parseCSV(text).enumerated() where index > 0 && fields.count >= 9 {
            let table = fields[0].lowercased()
            if expected[table] == nil { order.append(table) }
            expected[table, default: []].append(
                // The specification quotes the reserved word "offset"; PMAP's catalog does not.
                (
                    fields[1].lowercased().replacingOccurrences(of: "\"", with: ""), fields[3],
                    fields[2] == "Yes", fields[6] == "Yes"
                ))
        }
        #expect(order == CDMSchema.tableNames)
        for table in CDMSchema.tables {
            let columns = expected[table.name] ?? []
            #expect(columns.count == table.columns.count, "column count of \(table.name)")
            for (spec, column) in zip(columns, table.columns) {
                #expect(
                    spec.0 == column.name && spec.1 == column.datatype && spec.2 == column.isRequired
                        && spec.3 == column.isPrimaryKey,
                    "\(table.name).\(column.name) differs from the specification")
            }
        }
    }

    /// A minimal RFC 4180 reader (quoted fields with commas, doubled quotes and line breaks).
    private func parseCSV(_ text: String) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            if quoted {
                if character == "\"" {
                    if let next = iterator.next() {
                        if next == "\"" {
                            field.append("\"")
                        } else {
                            quoted = false
                            if next == "," {
                                row.append(field)
                                field = ""
                            } else if next == "\n" || next == "\r\n" {
                                row.append(field)
                                rows.append(row)
                                row = []
                                field = ""
                            } else {
                                field.append(next)
                            }
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field)
                field = ""
            } else if character == "\n" || character == "\r\n" {
                row.append(field)
                rows.append(row)
                row = []
                field = ""
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
