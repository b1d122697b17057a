import PMAPModel
import Testing

@testable import PMAPVocabulary

struct AthenaLineDecoderTests {
    let conceptFile = AthenaVocabulary.files.first { $0.fileName == "CONCEPT.csv" }!
    let header =
        "concept_id\tconcept_name\tdomain_id\tvocabulary_id\tconcept_class_id\tstandard_concept\tconcept_code\tvalid_start_date\tvalid_end_date\tinvalid_reason"

    @Test func decodesALineWithAthenaDates() throws {
        let decoder = try AthenaVocabulary.LineDecoder(file: conceptFile, headerLine: Substring(header))
        let row = try decoder.decode(
            "4163261\tMalignant tumor of prostate\tCondition\tSNOMED\tClinical Finding\tS\t399068003\t19700101\t20991231\t",
            lineNumber: 2)
        #expect(row.count == 10)
        #expect(row[0] == .integer(4_163_261))
        #expect(row[7] == .text("1970-01-01"))
        #expect(row[8] == .text("2099-12-31"))
        #expect(row[9] == .null)
    }

    @Test func headerMayBeUpperCaseAndInAnyOrder() throws {
        let shuffled = header.uppercased().split(separator: "\t").reversed().joined(separator: "\t")
        let decoder = try AthenaVocabulary.LineDecoder(file: conceptFile, headerLine: Substring(shuffled))
        let row = try decoder.decode(
            "\t20991231\t19700101\tK92.2\t\t4-char billing code\tICD10CM\tCondition\tGastrointestinal hemorrhage, unspecified\t35208414",
            lineNumber: 2)
        #expect(row[0] == .integer(35_208_414))
        #expect(row[6] == .text("K92.2"))
        #expect(row[5] == .null)
    }

    @Test func missingRequiredColumnIsNamed() {
        #expect {
            _ = try AthenaVocabulary.LineDecoder(file: conceptFile, headerLine: "concept_id\tconcept_name")
        } throws: { error in
            let text = "\(error)"
            return text.contains("CONCEPT.csv:1") && text.contains("domain_id")
        }
    }

    @Test func wrongFieldCountNamesTheLine() throws {
        let decoder = try AthenaVocabulary.LineDecoder(file: conceptFile, headerLine: Substring(header))
        #expect {
            _ = try decoder.decode("1\tonly two", lineNumber: 17)
        } throws: { error in
            (error as? PMAPError)?.location == SourceLocation(file: "CONCEPT.csv", line: 17)
                && (error as? PMAPError)?.kind == .badInput
        }
    }

    @Test func badIntegerAndBadDateNameTheField() throws {
        let decoder = try AthenaVocabulary.LineDecoder(file: conceptFile, headerLine: Substring(header))
        #expect {
            _ = try decoder.decode(
                "12x\tName\tCondition\tSNOMED\tClinical Finding\tS\t1\t19700101\t20991231\t", lineNumber: 3)
        } throws: { error in
            (error as? PMAPError)?.location?.field == "concept_id"
        }
        #expect {
            _ = try decoder.decode(
                "12\tName\tCondition\tSNOMED\tClinical Finding\tS\t1\t19701301\t20991231\t", lineNumber: 4)
        } throws: { error in
            (error as? PMAPError)?.location?.field == "valid_start_date"
        }
    }

    @Test func requiredEmptyFieldIsRefused() throws {
        let decoder = try AthenaVocabulary.LineDecoder(file: conceptFile, headerLine: Substring(header))
        #expect(throws: PMAPError.self) {
            _ = try decoder.decode(
                "12\t\tCondition\tSNOMED\tClinical Finding\tS\t1\t19700101\t20991231\t", lineNumber: 5)
        }
    }
}
