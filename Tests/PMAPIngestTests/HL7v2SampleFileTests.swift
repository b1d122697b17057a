import Foundation
import PMAPIngest
import PMAPTestSupport
import Testing

/// python-hl7's sample files (`../shared/data/hl7v2`, BSD-3); expected values from
/// `shared/data/README.md` and python-hl7's `tests/test_parse.py`.
@Suite(.enabled(if: SharedData.shouldRun, Comment(rawValue: SharedData.skipMessage)))
struct HL7v2SampleFileTests {
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: SharedData.file("hl7v2/\(name)")))
    }

    static func messages(_ name: String) throws -> [HL7v2Message] {
        try HL7v2Fixtures.split(bytes(name)).map { try HL7v2Message($0.text) }
    }

    /// Messages per well-formed file (python-hl7's `test_parse_batch*` and `test_parse_file*`).
    static let wellFormed: [String: Int] = [
        "rep_sample_hl7.hl7": 1, "sample_hl7.hl7": 1, "sample_msh.hl7": 1,
        "sample_batch.hl7": 1, "sample_batch1.hl7": 2, "sample_batch2.hl7": 2, "sample_batch3.hl7": 1,
        "sample_batch4.hl7": 1, "sample_file.hl7": 1, "sample_file1.hl7": 3, "sample_file2.hl7": 2,
        "sample_file3.hl7": 1, "sample_file4.hl7": 1, "sample_file5.hl7": 1, "sample_file6.hl7": 1,
    ]

    /// The six malformed files, with the fault the README names and where it is.
    static let malformed: [String: HL7v2FileError] = [
        "sample_bad_batch.hl7": HL7v2FileError(rule: "segment before the message header", line: 2),
        "sample_bad_file.hl7": HL7v2FileError(rule: "segment before the message header", line: 3),
        "sample_bad_batch1.hl7": HL7v2FileError(rule: "more than one BHS in a batch (BTS missing)", line: 4),
        "sample_bad_file1.hl7": HL7v2FileError(rule: "more than one BHS in a batch (BTS missing)", line: 5),
        "sample_bad_file2.hl7": HL7v2FileError(rule: "more than one FHS", line: 5),
        // The README calls it unparseable: an EVN right after the FHS, with no message header.
        "sample_bad_file3.hl7": HL7v2FileError(rule: "segment before the message header", line: 2),
    ]

    /// The README: 21 files holding 23 MSH-headed messages.
    @Test func folderHoldsTheFilesTheReadmeCounts() throws {
        let folder = try SharedData.file("hl7v2")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".hl7")
        }
        #expect(Set(names) == Set(Self.wellFormed.keys).union(Self.malformed.keys))
        let headers = try names.map { name in
            try Self.bytes(name).split(separator: 0x0D).filter { $0.starts(with: Array("MSH".utf8)) }.count
        }
        #expect(names.count == 21)
        #expect(headers.reduce(0, +) == 23)
    }

    @Test func wellFormedFilesSplitIntoTheirMessages() throws {
        for (name, count) in Self.wellFormed {
            let messages = try HL7v2Fixtures.split(Self.bytes(name))
            #expect(messages.count == count, "\(name)")
            #expect(messages.map(\.ordinal) == Array(1...count), "\(name)")
            for message in messages { _ = try HL7v2Message(message.text) }
        }
    }

    @Test func malformedFilesAreRefusedWithTheirFault() throws {
        for (name, fault) in Self.malformed {
            #expect(HL7v2Fixtures.fileError(try Self.bytes(name)) == fault, "\(name)")
        }
    }

    /// python-hl7 `test_parse_batch1` and `test_parse_file1`: control ids and trailer counts.
    @Test func batchesKeepMessageOrderAndTrailerCounts() throws {
        #expect(
            try Self.messages("sample_batch1.hl7").map(\.controlID) == ["12334456778890", "12334456778891"])
        var splitter = HL7v2Splitter()
        let messages = try splitter.feed(Self.bytes("sample_file1.hl7")) + splitter.finish()
        #expect(messages.map(\.line) == [3, 9, 17])
        #expect(splitter.trailers.map(\.segment) == ["BTS", "BTS", "FTS"])
        #expect(splitter.trailers.map(\.declaredCount) == [2, 1, 2])
        #expect(splitter.trailers.map(\.count) == [2, 1, 2])
    }

    /// README: 5 segments, the 4th an OBX whose OBX-5 is 182 (SN `^182`), unit mg/dl, flag H.
    @Test func sampleHL7HasTheReadmeValues() throws {
        let message = try #require(try Self.messages("sample_hl7.hl7").first)
        #expect(message.segments.count == 5)
        let obx = message.segments[3]
        #expect(obx.id == "OBX")
        #expect(obx.value(field: 2) == "SN")
        #expect(obx.value(field: 5, component: 2) == "182")
        #expect(obx.value(field: 6) == "mg/dl")
        #expect(obx.value(field: 8) == "H")
        #expect(obx.value(field: 3, component: 3) == "POST 12H CFST:MCNC:PT:SER/PLAS:QN")
        #expect(message.messageType?.description == "ORU^R01" && message.version == "2.4")
    }

    /// README: PID-4 repeats `Repeat1~Repeat2`.
    @Test func repSampleRepeatsPID4() throws {
        let pid = try #require(try Self.messages("rep_sample_hl7.hl7").first?.segment("PID"))
        #expect(pid.repetitionCount(field: 4) == 2)
        #expect(
            pid.value(field: 4, repetition: 1) == "Repeat1" && pid.value(field: 4, repetition: 2) == "Repeat2"
        )
        #expect(pid.value(field: 3, component: 2, subcomponent: 2) == "Sub-Component2")
    }

    /// sample_hl7's PID-7 `196203520` is no date; with a real one the SN result maps to 182.
    @Test func sampleHL7MapsOnceItsBirthDateIsReal() throws {
        let text = try HL7v2Fixtures.split(Self.bytes("sample_hl7.hl7"))[0].text
        let problem = #expect(throws: RecordProblem.self) { try HL7v2Mapper.record(of: HL7v2Message(text)) }
        #expect(problem?.reason == .invalidDate && problem?.detail == "PID-7")
        let record = try HL7v2Mapper.record(
            of: HL7v2Message(text.replacingOccurrences(of: "196203520", with: "19620320")))
        #expect(record.key == "hl7v2:ELAB-3|CNTRL-3456")
        #expect(record.version == "20020215093000")
        let events = HL7v2Fixtures.events(record)
        // OBX 2 is of type FN, which carries no value PMAP reads: the event keeps code and date.
        #expect(events.count == 2)
        #expect(events[0].valueNumber == 182 && events[0].unit == "mg/dl" && events[0].interpretation == "H")
        #expect(events[0].rangeLow == nil && events[0].rangeHigh == nil)
        #expect(events[0].start == "2002-02-15")
        #expect(events[0].codings.first?.code == "1554-5")
        #expect(events[1].valueNumber == nil)
        let person = try #require(HL7v2Fixtures.persons(record).first)
        #expect(person.sourceKey == "Patient/identifier:urn:pmap:hl7v2:authority:ELAB-3|555-44-4444")
        #expect(person.identity.familyName == "EVERYWOMAN" && person.identity.givenNames == ["EVE", "E"])
        #expect(person.zip3 == "352" && person.state == "OH")
        #expect(person.identity.phones == ["(206)3345232", "(206)752-121"])
    }

    /// sample_msh (ADT^A01, v2.3): values read off the file by hand.
    @Test func sampleMSHMapsToPersonAndInpatientVisit() throws {
        let record = try HL7v2Mapper.record(of: #require(try Self.messages("sample_msh.hl7").first))
        #expect(record.key == "hl7v2:HNA500|Q150084616T145947960")
        #expect(record.type == "ADT^A01")
        let person = try #require(HL7v2Fixtures.persons(record).first)
        #expect(person.sourceKey == "Patient/identifier:urn:pmap:hl7v2:authority:MSH_MRN|2148790")
        #expect(person.identity.identifiers.map(\.value) == ["2148790", "162840"])
        #expect(person.birthDate == "1952-11-29" && person.gender == "female")
        #expect(person.identity.addressLines == ["221 CANVIEW AVENUE", "66-D"] && person.zip3 == "104")
        #expect(person.raceCodes.isEmpty)
        let visit = try #require(HL7v2Fixtures.visits(record).first)
        #expect(visit.sourceKey == "Encounter/hl7v2:01")
        #expect(visit.classCode == "IMP" && visit.start == "2014-02-10" && visit.end == nil)
    }

    /// The ADT^A04 samples give PID-7 `10131113`: a birth in 1013 is refused.
    @Test func pythonHL7RegistrationsHaveAnImpossibleBirthYear() throws {
        let problem = #expect(throws: RecordProblem.self) {
            try HL7v2Mapper.record(of: #require(try Self.messages("sample_batch.hl7").first))
        }
        #expect(problem?.reason == .invalidDate && problem?.detail == "PID-7")
    }
}
