import PMAPGovernance
import PMAPIngest
import Testing

struct HL7v2MapperTests {
    typealias F = HL7v2Fixtures

    /// A registration as PMAPSynth's renderer writes it, with PID-3 naming the MRN system by URI
    /// as the FHIR feed does, so both feeds give the same identity.
    @Test func synthRegistrationMapsToPersonAndVisit() throws {
        let record = try F.record(F.synthRegistration)
        #expect(record.key == "hl7v2:PMAPHOSP|A04-7")
        #expect(record.type == "ADT^A04")
        #expect(record.version == "20200115080000")
        let person = try #require(F.persons(record).first)
        #expect(person.sourceKey == "Patient/identifier:https://hospital.example.org/fhir/sid/mrn|MRN0000007")
        #expect(
            person.identity.identifiers == [
                PersonIdentity.Identifier(
                    system: "https://hospital.example.org/fhir/sid/mrn", value: "MRN0000007", type: "MR"),
                PersonIdentity.Identifier(
                    system: "urn:pmap:hl7v2:authority:SSA", value: "123-45-6789", type: "SS"),
            ])
        #expect(person.identity.familyName == "Smith&Jones")
        #expect(person.identity.givenNames == ["Ann"])
        #expect(person.birthDate == "1970-05-06" && person.identity.birthDate == "1970-05-06")
        #expect(person.gender == "female")
        #expect(person.raceCodes == ["2028-9"] && person.ethnicityCodes == ["2186-5"])
        #expect(person.identity.addressLines == ["1 Main St"])
        #expect(person.identity.city == "Baltimore" && person.identity.postalCode == "21205")
        #expect(person.state == "MD" && person.zip3 == "212")
        #expect(person.identity.phones == ["(410) 555-0123"])
        #expect(person.identity.emails == ["ann@example.org"])
        // One stable source per patient, whatever message carried the PID.
        #expect(
            person.identity.sources == [
                "hl7v2:Patient/identifier:https://hospital.example.org/fhir/sid/mrn|MRN0000007"
            ])
        let visit = try #require(F.visits(record).first)
        #expect(visit.sourceKey == "Encounter/hl7v2:V7-1")
        #expect(visit.patientReference == person.sourceKey)
        #expect(visit.classCode == "AMB")
        #expect(visit.start == "2020-01-15" && visit.end == nil)
    }

    /// Identifier systems from CX.4: URI and ISO universal ids, a namespace, or the sending
    /// facility when CX.4 is empty.
    @Test func identifierSystemsFollowTheAssigningAuthority() throws {
        let record = try F.record([
            F.header.replacingOccurrences(of: "ORU^R01^ORU_R01", with: "ADT^A28"),
            "PID|1||A1^^^PMAPHOSP^MR~B2^^^&2.16.840.1.113883.4.1&ISO^SS~C3^^^&urn:oid:1.2.3&ISO"
                + "~D4^^^^PI~^^^X^MR",
        ])
        let person = try #require(F.persons(record).first)
        #expect(
            person.identity.identifiers.map(\.system) == [
                "urn:pmap:hl7v2:authority:PMAPHOSP", "urn:oid:2.16.840.1.113883.4.1", "urn:oid:1.2.3",
                "urn:pmap:hl7v2:authority:GHH",
            ])
        #expect(person.identity.identifiers.map(\.type) == ["MR", "SS", nil, "PI"])
        #expect(person.sourceKey == "Patient/identifier:urn:pmap:hl7v2:authority:PMAPHOSP|A1")
        // Without an MR identifier the first one keys the patient.
        let noMR = try F.record([F.header, "PID|1||Z9^^^&urn:x&URI^PI~A1^^^F^SS", "OBR|1"])
        #expect(F.persons(noMR).first?.sourceKey == "Patient/identifier:urn:x|Z9")
    }

    /// The renderer's current PID-3 (`MRN^^^PMAPHOSP^MR`) keeps a facility-scoped system.
    @Test func synthLabFileMapsToObservations() throws {
        let messages = try F.split(F.synthLabFile)
        let record = try HL7v2Mapper.record(of: HL7v2Message(try #require(messages.first).text))
        #expect(record.key == "hl7v2:PMAPHOSP|R01-7-20200304")
        #expect(record.type == "ORU^R01")
        let person = try #require(F.persons(record).first)
        #expect(person.sourceKey == "Patient/identifier:urn:pmap:hl7v2:authority:PMAPHOSP|MRN0000007")
        let events = F.events(record)
        #expect(events.count == 2)
        let glucose = try #require(events.first)
        #expect(glucose.sourceKey == "hl7v2:PMAPHOSP|R01-7-20200304#OBX1")
        #expect(glucose.resourceType == "Observation")
        #expect(glucose.patientReference == person.sourceKey)
        #expect(glucose.encounterReference == nil)
        #expect(
            glucose.codings == [
                SourceCoding(
                    system: "http://loinc.org", code: "2345-7",
                    display: "Glucose [Mass/volume] in Serum or Plasma")
            ])
        #expect(glucose.start == "2020-03-04")
        #expect(glucose.valueNumber == 105.2 && glucose.unit == "mg/dL")
        #expect(glucose.rangeLow == 70 && glucose.rangeHigh == 99)
        #expect(glucose.interpretation == "H")
        let pain = events[1]
        #expect(pain.codings.first?.system == "urn:pmap:local-concept")
        #expect(pain.valueNumber == 3 && pain.unit == "{score}")
        #expect(pain.rangeLow == nil && pain.rangeHigh == 4)
        #expect(pain.interpretation == "N")
    }

    /// One OBX per value type.
    @Test(
        arguments: [
            ("NM|X^x^LN||-12.5", -12.5, nil, nil),
            ("NM|X^x^LN||+3", 3, nil, nil),
            ("SN|X^x^LN||^182", 182, nil, nil),
            ("SN|X^x^LN||=^5", 5, nil, nil),
            ("SN|X^x^LN||<^10", 10, "<10", nil),
            ("SN|X^x^LN||>=^0.5", 0.5, ">=0.5", nil),
            ("SN|X^x^LN||^1^:^128", nil, "1:128", nil),
            ("SN|X^x^LN||^2^-^4", nil, "2-4", nil),
            ("ST|X^x^LN||positive \\T\\ stable", nil, "positive & stable", nil),
            ("TX|X^x^LN||line one~line two", nil, "line one\nline two", nil),
            ("FT|X^x^LN||a\\.br\\b", nil, "a\nb", nil),
            ("ST|X^x^LN||" + String(repeating: "y", count: 80), nil, String(repeating: "y", count: 60), nil),
            ("CE|X^x^LN||260373001^Detected^SCT", nil, nil, "http://snomed.info/sct|260373001"),
            ("CWE|X^x^LN||^^^LA6576-8^Positive^LN", nil, nil, "http://loinc.org|LA6576-8"),
            ("CWE|X^x^LN||^Free text only", nil, "Free text only", nil),
            ("ED|X^x^LN||^application^pdf^Base64^JVBERi0=", nil, nil, nil),
            ("NM|X^x^LN||", nil, nil, nil),
        ] as [(String, Double?, String?, String?)])
    func observationValuesFollowTheValueType(
        _ obx: String, _ number: Double?, _ text: String?, _ coding: String?
    )
        throws
    {
        let record = try F.record([F.header, F.patient, "OBX|1|" + obx])
        let event = try #require(F.events(record).first)
        #expect(event.valueNumber == number)
        #expect(event.valueText == text)
        #expect(event.valueCoding.map { "\($0.system ?? "")|\($0.code)" } == coding)
    }

    @Test(
        arguments: [
            ("NM|X^x^LN||12,5", RecordProblem.Reason.invalidValue, "OBX-5 (NM)"),
            ("NM|X^x^LN||1e5", .invalidValue, "OBX-5 (NM)"),
            ("NM|X^x^LN||NaN", .invalidValue, "OBX-5 (NM)"),
            ("SN|X^x^LN||!^5", .invalidValue, "OBX-5 (SN)"),
            ("SN|X^x^LN||^abc", .invalidValue, "OBX-5 (SN)"),
            ("SN|X^x^LN||^1^:", .invalidValue, "OBX-5 (SN)"),
            ("SN|X^x^LN||^1^x^2", .invalidValue, "OBX-5 (SN)"),
            ("|X^x^LN||5", .missingField, "OBX-2"),
            ("NM|^no code||5", .missingField, "OBX-3"),
            ("NM|X^x^LN||5|||||||||20240231", .invalidDate, "OBX-14"),
        ] as [(String, RecordProblem.Reason, String)])
    func badObservationsNameTheField(_ obx: String, _ reason: RecordProblem.Reason, _ detail: String) {
        let problem = F.problem([F.header, F.patient, "OBX|1|" + obx])
        #expect(problem?.reason == reason)
        #expect(problem?.detail == detail)
    }

    /// Every OBX-3 triplet becomes a coding, with table-0396 names as FHIR system URIs.
    @Test func codingSystemsBecomeURIs() throws {
        let record = try F.record([
            F.header, F.patient,
            "OBX|1|NM|2345-7^Glucose^LN^GLU^Glucose local^99PMAP^^^^E11.9^Diabetes^I10||5",
            "OBX|2|NM|1^a^SNM^2^b^RXNORM^^^^3^c^LOCALLAB||5",
            "OBX|3|NM|4^d^I10C^5^e^ICD10CM^^^^6^f^SNOMEDCT||5",
            "OBX|4|NM|7^g||5",
        ])
        let systems = F.events(record).map { $0.codings.map { $0.system ?? "-" } }
        #expect(
            systems == [
                ["http://loinc.org", "urn:pmap:local-concept", "http://hl7.org/fhir/sid/icd-10-cm"],
                [
                    "http://snomed.info/sct", "http://www.nlm.nih.gov/research/umls/rxnorm",
                    "urn:pmap:hl7v2:coding-system:LOCALLAB",
                ],
                [
                    "http://hl7.org/fhir/sid/icd-10-cm", "http://hl7.org/fhir/sid/icd-10-cm",
                    "http://snomed.info/sct",
                ],
                ["-"],
            ])
        #expect(
            F.events(record)[0].codings[1]
                == SourceCoding(system: "urn:pmap:local-concept", code: "GLU", display: "Glucose local"))
    }

    @Test(
        arguments: [
            ("3.5-5.0", 3.5, 5.0), (">10", 10, nil), ("<5", nil, 5), (">=1", 1, nil), ("<=2.5", nil, 2.5),
            ("-1.0-2", -1, 2), ("-5--1", -5, -1), ("3.5 - 5.0", 3.5, 5), ("70_105", nil, nil),
            ("negative", nil, nil),
        ] as [(String, Double?, Double?)])
    func referenceRanges(_ range: String, _ low: Double?, _ high: Double?) throws {
        let record = try F.record([F.header, F.patient, "OBX|1|NM|X^x^LN||5|mg|\(range)"])
        let event = try #require(F.events(record).first)
        #expect(event.rangeLow == low && event.rangeHigh == high)
    }

    /// OBX-14, else the OBR-7 before the OBX, else MSH-7; keys count OBX from 1 and skipped
    /// (W, D, X) ones keep their number; PV1-19 names the encounter.
    @Test func observationDatesStatusesAndKeys() throws {
        let record = try F.record([
            F.header, F.patient, "PV1|1|O" + String(repeating: "|", count: 17) + "VN-1",
            "OBX|1|NM|A^a^LN||1",
            "OBR|1||||||20240301",
            "OBX|1|NM|B^b^LN||2||||||W",
            "OBX|2|NM|C^c^LN||3||||||F|||20240302",
            "OBX|3|NM|D^d^LN||4||||||C",
        ])
        let events = F.events(record)
        #expect(
            events.map(\.sourceKey) == ["hl7v2:GHH|MSG1#OBX1", "hl7v2:GHH|MSG1#OBX3", "hl7v2:GHH|MSG1#OBX4"])
        #expect(events.map(\.start) == ["2024-03-05", "2024-03-02", "2024-03-01"])
        #expect(events.allSatisfy { $0.encounterReference == "Encounter/hl7v2:VN-1" })
        #expect(record.version == "20240305101500")
    }

    /// An ORU with two patient groups: each OBX belongs to the PID before it.
    @Test func observationsBelongToThePatientBeforeThem() throws {
        let record = try F.record([
            F.header, "PID|1||P1^^^GHH^MR", "OBX|1|NM|A^a^LN||1", "PID|2||P2^^^GHH^MR", "OBX|1|NM|A^a^LN||2",
        ])
        #expect(F.persons(record).map(\.sourceKey).count == 2)
        #expect(
            F.events(record).map(\.patientReference) == [
                "Patient/identifier:urn:pmap:hl7v2:authority:GHH|P1",
                "Patient/identifier:urn:pmap:hl7v2:authority:GHH|P2",
            ])
        #expect(F.problem([F.header, "OBX|1|NM|A^a^LN||1", F.patient])?.detail == "PID-3")
    }

    @Test func mergeNamesSurvivorAndPriorIdentifiers() throws {
        let header = F.header.replacingOccurrences(of: "ORU^R01^ORU_R01", with: "ADT^A40^ADT_A39")
        let record = try F.record([
            header, "EVN|A40|20240305", "PID|1||P1^^^GHH^MR", "MRG|OLD7^^^GHH^MR~OLD8^^^&urn:oid:9.9&ISO",
        ])
        #expect(record.type == "ADT^A40")
        let merge = try #require(F.merges(record).first)
        #expect(merge.sourceKey == "hl7v2:GHH|MSG1")
        #expect(merge.survivor.sourceKey == "Patient/identifier:urn:pmap:hl7v2:authority:GHH|P1")
        #expect(
            merge.priorIdentifiers == [
                PersonIdentity.Identifier(system: "urn:pmap:hl7v2:authority:GHH", value: "OLD7", type: "MR"),
                PersonIdentity.Identifier(system: "urn:oid:9.9", value: "OLD8", type: nil),
            ])
        let pairs = try F.record([header, "PID|1||P1^^^GHH^MR", "MRG|O1", "PID|1||P2^^^GHH^MR", "MRG|O2"])
        #expect(F.merges(pairs).map(\.sourceKey) == ["hl7v2:GHH|MSG1#1", "hl7v2:GHH|MSG1#2"])
        #expect(F.problem([header, "PID|1||P1^^^GHH^MR"])?.detail == "MRG-1")
        #expect(F.problem([header, "PID|1||P1^^^GHH^MR", "MRG|"])?.detail == "MRG-1")
    }

    @Test func admissionsDischargesAndUpdates() throws {
        func header(_ trigger: String) -> String {
            F.header.replacingOccurrences(of: "ORU^R01^ORU_R01", with: "ADT^\(trigger)")
        }
        let pv1 =
            "PV1|1|I" + String(repeating: "|", count: 17) + "V9" + String(repeating: "|", count: 25)
            + "20240301101500|20240304"
        let discharge = try F.record([header("A03"), F.patient, pv1])
        let visit = try #require(F.visits(discharge).first)
        #expect(visit.sourceKey == "Encounter/hl7v2:V9" && visit.classCode == "IMP")
        #expect(visit.start == "2024-03-01" && visit.end == "2024-03-04")
        // Without PV1-19 the message key names the visit; PV1-44 absent: EVN-2, else MSH-7.
        let emergency = try F.record([header("A04"), "EVN|A04|20240229", F.patient, "PV1|1|E"])
        #expect(F.visits(emergency).map(\.sourceKey) == ["Encounter/hl7v2:GHH|MSG1"])
        #expect(
            F.visits(emergency).map(\.start) == ["2024-02-29"]
                && F.visits(emergency).first?.classCode == "EMER")
        #expect(F.visits(try F.record([header("A01"), F.patient, "PV1|1|P"])).map(\.start) == ["2024-03-05"])
        #expect(F.visits(try F.record([header("A01"), F.patient, "PV1|1|P"])).first?.classCode == nil)
        // An update adds no visit unless PV1-19 names one; A28 and A31 are person-only.
        #expect(F.visits(try F.record([header("A08"), F.patient, "PV1|1|O"])).isEmpty)
        #expect(F.visits(try F.record([header("A08"), F.patient, pv1])).count == 1)
        #expect(try F.record([header("A31"), F.patient, pv1]).facts.count == 1)
        #expect(F.visits(try F.record([header("A04"), F.patient])).isEmpty)
        #expect(F.problem([header("A04"), "EVN|A04|20241301", F.patient, "PV1|1|O"])?.detail == "EVN-2")
    }

    @Test func demographicsAndDates() throws {
        func person(_ pid: String) throws -> PersonFact? {
            F.persons(
                try F.record([F.header.replacingOccurrences(of: "ORU^R01^ORU_R01", with: "ADT^A28"), pid])
            )
            .first
        }
        #expect(try person("PID|1||P1||Doe^J||1970")?.birthDate == "1970")
        #expect(try person("PID|1||P1||Doe^J||197005")?.birthDate == "1970-05")
        #expect(try person("PID|1||P1||Doe^J||197005061230-0500")?.birthDate == "1970-05-06")
        #expect(try person("PID|1||P1|||||M")?.gender == "male")
        #expect(try person("PID|1||P1|||||O")?.gender == "other")
        #expect(try person("PID|1||P1|||||U")?.gender == "unknown")
        #expect(try person("PID|1||P1|||||X")?.gender == nil)
        let dead = try person("PID|1||P1" + String(repeating: "|", count: 26) + "20230405|Y")
        #expect(dead?.deathDate == "2023-04-05" && dead?.identity.deathDate == "2023-04-05")
        #expect(try person("PID|1||P1" + String(repeating: "|", count: 26) + "20230405|N")?.deathDate == nil)
        // The legal name (XPN.7 L) wins; middle names join the given names.
        let named = try person(#"PID|1||P1||Nick^N^^^^^A~Doe^Jane^Q^^^^L"#)
        #expect(named?.identity.familyName == "Doe" && named?.identity.givenNames == ["Jane", "Q"])
        // Only OMB race and ethnicity codes are kept; XTN.6/7 phones; "" is a null.
        let coded = try person(
            #"PID|1||P1|||||F||2106-3^White^CDCREC~9999-9^Other^L|""^^""^MA^02139||"#
                + "^PRN^PH^^1^617^5550100|||||||||2135-2")
        #expect(coded?.raceCodes == ["2106-3"] && coded?.ethnicityCodes == ["2135-2"])
        #expect(coded?.identity.addressLines == [] && coded?.identity.city == nil && coded?.zip3 == "021")
        #expect(coded?.identity.phones == ["(617) 5550100"])
    }

    @Test(arguments: [
        ("PID|1||P1||Doe||19700230", "PID-7"), ("PID|1||P1||Doe||196203520", "PID-7"),
        ("PID|1||P1||Doe||17000101", "PID-7"),
        ("PID|1||P1" + String(repeating: "|", count: 26) + "202304|Y", "PID-29 (not a full date)"),
    ])
    func badDatesAreRefused(_ pid: String, _ detail: String) {
        let problem = F.problem([F.header.replacingOccurrences(of: "ORU^R01^ORU_R01", with: "ADT^A28"), pid])
        #expect(problem?.reason == .invalidDate)
        #expect(problem?.detail == detail)
    }

    @Test func unmappedAndIncompleteMessagesAreRefused() {
        let order = F.problem([
            F.header.replacingOccurrences(of: "ORU^R01^ORU_R01", with: "ORM^O01"), F.patient,
        ])
        #expect(order?.reason == .unsupportedType)
        #expect(order?.detail == "HL7 v2 message type ORM^O01 is not mapped")
        #expect(F.problem([F.header])?.detail == "PID-3")
        #expect(F.problem([F.header, "PID|1||"])?.detail == "PID-3")
        #expect(F.problem([F.header, "PID|1||^^^GHH^MR"])?.reason == .missingField)
        #expect(F.problem([#"MSH|^~\&|A|F|B|G|2024||ORU^R01"#, F.patient])?.detail == "MSH-10")
        #expect(F.problem([#"MSH|^~\&|A|F|B|G|2024"#])?.detail == "MSH-9")
        #expect(F.problem([#"MSH|^~\&|A|F|B|G|2024013||ORU^R01|C"#, F.patient])?.detail == "MSH-7")
    }
}
