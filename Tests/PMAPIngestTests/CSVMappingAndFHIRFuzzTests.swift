import Foundation
import Testing

@testable import PMAPIngest

/// Random damage to mapping documents, mapped CSV rows and FHIR resources never crashes:
/// each either parses or fails with PMAP's own error (a trap would end the test run).
/// No crasher was found when these were written; any found later joins `regressions`.
struct CSVMappingAndFHIRFuzzTests {
    static let mapping = """
        pmap_mapping: 1
        delimiter: ","
        person:
          identifier_column: mrn
          identifier_system: urn:test:mrn
        records:
          - table: measurement
            concept_id: 2000001003
            date_column: day
            date_format: DD.MM.YYYY
            value_column: steps
            unit_source_value: "{steps}/d"
          - table: observation
            concept_id: 2000001001
            date: "{year}-07-01"
            value_column: pm25
        """

    static let fhir =
        #"{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://loinc.org","code":"2857-1"}]},"effectiveDateTime":"2021-03-04","valueQuantity":{"value":5.2,"unit":"ng/mL"},"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120}}]}"#

    /// Inputs that once broke a parser, kept as regression cases (none yet).
    static let regressions: [String] = []

    static func mutate(_ text: String, _ random: inout VCFFuzzTests.SeededGenerator) -> String {
        var bytes = Array(text.utf8)
        let alphabet = Array("{}[]\":,-|#\n\r\t 0123456789.eE{}/\\\u{0}é".utf8)
        for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: bytes.remove(at: at)
            case 1: bytes.insert(alphabet.randomElement(using: &random)!, at: at)
            case 2: bytes[at] = alphabet.randomElement(using: &random)!
            default: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &random)))
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test func damagedMappingsAndRowsNeverCrash() {
        var random = VCFFuzzTests.SeededGenerator(state: 20_261_129)
        var parsed = 0
        for _ in 0..<2_000 {
            let text = Self.mutate(Self.mapping, &random)
            guard let mapping = try? CSVMapping.parse(text, fileName: "fuzz.yaml") else { continue }
            parsed += 1
            let header = Self.mutate("mrn,day,steps,year,pm25", &random)
            guard let bound = try? mapping.bind(header: CSVRecordParser.fields(of: header), fileName: "f.csv")
            else { continue }
            for _ in 0..<5 {
                let row = Self.mutate("M1,31.01.2024,5000,2020,7.5", &random)
                _ = try? bound.row(CSVRecordParser.fields(of: row))
            }
        }
        #expect(parsed > 30, "enough damaged documents stay valid to exercise the row mapping")
    }

    @Test func damagedFHIRResourcesNeverCrash() {
        var random = VCFFuzzTests.SeededGenerator(state: 7)
        var mapped = 0
        for text in Self.regressions + (0..<2_000).map({ _ in Self.mutate(Self.fhir, &random) }) {
            guard let object = (try? JSONReader.parse(Data(text.utf8))) as? [String: Any] else { continue }
            if (try? FHIRMapper.facts(of: object, referenceAliases: [:])) != nil { mapped += 1 }
        }
        #expect(mapped > 50)
    }
}
