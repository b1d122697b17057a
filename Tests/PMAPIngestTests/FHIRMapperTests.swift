import Foundation
import Testing

@testable import PMAPIngest

struct FHIRMapperTests {
    func json(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
    }

    @Test func patientIdentifiersGoToTheIdentityAndDemographicsToTheFact() throws {
        let facts = try FHIRMapper.facts(
            of: json(
                """
                {"resourceType":"Patient","id":"p1","identifier":[{"system":"urn:mrn","value":"MRN9"}],
                 "name":[{"family":"Ng","given":["Ann"]}],"gender":"female","birthDate":"1970-05-06",
                 "address":[{"line":["1 Main St"],"city":"Baltimore","state":"MD","postalCode":"21205"}],
                 "extension":[{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
                   "extension":[{"url":"ombCategory","valueCoding":{"code":"2028-9"}}]}]}
                """))
        guard case .person(let person) = facts.first else {
            Issue.record("not a person")
            return
        }
        #expect(person.sourceKey == "Patient/p1")
        #expect(person.identity.identifiers.first?.value == "MRN9")
        #expect(person.identity.familyName == "Ng" && person.identity.addressLines == ["1 Main St"])
        #expect(
            person.zip3 == "212" && person.state == "MD" && person.raceCodes == ["2028-9"]
                && person.birthDate == "1970-05-06")
    }

    @Test func observationComponentsBecomeSeparateEvents() throws {
        let facts = try FHIRMapper.facts(
            of: json(
                """
                {"resourceType":"Observation","id":"bp","status":"final","subject":{"reference":"Patient/p1"},
                 "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},"effectiveDateTime":"2020-01-02T10:00:00Z",
                 "component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":120,"code":"mm[Hg]"}},
                              {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":80,"code":"mm[Hg]"}}]}
                """))
        #expect(facts.count == 2)
        guard case .event(let systolic) = facts[0] else {
            Issue.record("not an event")
            return
        }
        #expect(
            systolic.codings.first?.code == "8480-6" && systolic.valueNumber == 120
                && systolic.start == "2020-01-02")
        #expect(systolic.sourceKey == "Observation/bp#component-1")
    }

    @Test func problemsNameTheFieldAndReason() throws {
        func reason(_ text: String) throws -> RecordProblem.Reason? {
            do {
                _ = try FHIRMapper.facts(of: json(text))
                return nil
            } catch let problem as RecordProblem {
                return problem.reason
            }
        }
        #expect(try reason(#"{"resourceType":"Claim","id":"c"}"#) == .unsupportedType)
        #expect(
            try reason(#"{"resourceType":"Condition","id":"c","subject":{"reference":"Patient/1"}}"#)
                == .missingField)
        #expect(
            try reason(
                #"{"resourceType":"Condition","id":"c","subject":{"reference":"Patient/1"},"code":{"coding":[{"code":"x"}]},"onsetDateTime":"2020-02-30"}"#
            )
                == .invalidDate)
        #expect(try reason(#"{"resourceType":"Observation","code":{}}"#) == .missingField)
        #expect(try reason(#"{"resourceType":"Patient","id":"p","birthDate":"1970-13-01"}"#) == .invalidDate)
    }

    @Test func isoDatesAreCheckedForRealDays() {
        #expect(ISODate.day("2020-02-29T10:00:00Z") == "2020-02-29")
        #expect(ISODate.day("2021-02-29") == nil)
        #expect(ISODate.day("2021-04-31") == nil)
        #expect(ISODate.yearMonth("1980")?.year == 1980)
        #expect(ISODate.yearMonth("1980-07")?.month == 7)
        #expect(ISODate.yearMonth("19x0") == nil)
    }

    @Test func csvRecordsWithQuotesAndLineBreaks() {
        var parser = CSVRecordParser()
        #expect(parser.feed("1,\"a, b\",\"say \"\"hi\"\"\"") == ["1", "a, b", "say \"hi\""])
        #expect(parser.feed("2,\"first line") == nil)
        #expect(parser.feed("second line\",x") == ["2", "first line\nsecond line", "x"])
        #expect(!parser.hasUnfinishedRecord)
    }
}
