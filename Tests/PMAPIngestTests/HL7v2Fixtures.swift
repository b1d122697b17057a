import PMAPIngest

/// Messages and helpers shared by the HL7 v2 tests.
enum HL7v2Fixtures {
    /// Splits `bytes` fed in chunks of `chunk` bytes.
    static func split(_ bytes: [UInt8], chunk: Int = Int.max) throws(HL7v2FileError) -> [HL7v2RawMessage] {
        var splitter = HL7v2Splitter()
        var messages: [HL7v2RawMessage] = []
        var start = 0
        while start < bytes.count {
            let end = chunk >= bytes.count - start ? bytes.count : start + chunk
            messages += try splitter.feed(bytes[start..<end])
            start = end
        }
        messages += try splitter.finish()
        return messages
    }

    static func split(_ text: String, chunk: Int = Int.max) throws(HL7v2FileError) -> [HL7v2RawMessage] {
        try split(Array(text.utf8), chunk: chunk)
    }

    /// The file error `text` raises, if any.
    static func fileError(_ bytes: [UInt8]) -> HL7v2FileError? {
        do {
            _ = try split(bytes)
            return nil
        } catch {
            return error
        }
    }

    static func fileError(_ text: String) -> HL7v2FileError? { fileError(Array(text.utf8)) }

    /// The record of a message given as segments.
    static func record(_ segments: [String]) throws(RecordProblem) -> HL7v2Record {
        try HL7v2Mapper.record(of: HL7v2Message(segments.joined(separator: "\r")))
    }

    /// The problem a message given as segments raises, if any.
    static func problem(_ segments: [String]) -> RecordProblem? {
        do {
            _ = try record(segments)
            return nil
        } catch {
            return error
        }
    }

    static func persons(_ record: HL7v2Record) -> [PersonFact] {
        record.facts.compactMap {
            if case .person(let person) = $0 { return person }
            return nil
        }
    }

    static func visits(_ record: HL7v2Record) -> [VisitFact] {
        record.facts.compactMap {
            if case .visit(let visit) = $0 { return visit }
            return nil
        }
    }

    static func events(_ record: HL7v2Record) -> [EventFact] {
        record.facts.compactMap {
            if case .event(let event) = $0 { return event }
            return nil
        }
    }

    static func merges(_ record: HL7v2Record) -> [MergeFact] {
        record.facts.compactMap {
            if case .merge(let merge) = $0 { return merge }
            return nil
        }
    }

    static let header =
        #"MSH|^~\&|LABSYS|GHH|PMAP|PMAPHOSP|20240305101500-0500||ORU^R01^ORU_R01|MSG1|P|2.5.1"#
    static let patient = #"PID|1||P1^^^GHH^MR||Doe^Jane||19800214|F"#

    /// A registration in the shape `PMAPSynth`'s HL7v2Renderer writes once PID-3 carries the
    /// MRN system as a URI (`MRN^^^PMAPHOSP&https://hospital.example.org/fhir/sid/mrn&URI^MR`).
    static let synthRegistration = [
        #"MSH|^~\&|PMAP-SYNTH|PMAPHOSP|PMAP|PMAPHOSP|202001150800||ADT^A04^ADT_A01|A04-7|P|2.5.1|||"#
            + "AL|NE|USA|UNICODE UTF-8",
        #"EVN|A04|202001150800"#,
        "PID|1||MRN0000007^^^PMAPHOSP&https://hospital.example.org/fhir/sid/mrn&URI^MR"
            + #"~123-45-6789^^^SSA^SS||Smith\T\Jones^Ann^^^^^L||19700506|F||2028-9^Asian^CDCREC|"#
            + "1 Main St^^Baltimore^MD^21205^USA^H||(410) 555-0123^PRN^PH~^NET^Internet^ann@example.org"
            + "|||||||||2186-5^Not Hispanic or Latino^CDCREC",
        "PV1|1|O|CLINIC^^^PMAPHOSP" + String(repeating: "|", count: 16) + "V7-1",
    ]

    /// A lab file in the shape of the renderer's `hl7v2/oru-lab-results.hl7`: one ORU^R01 in a
    /// file and batch envelope, segments ended by CR.
    static let synthLabFile =
        [
            #"FHS|^~\&|PMAP-SYNTH|PMAPHOSP|PMAP|PMAPHOSP|20241231235900||lab-results-20241231"#,
            #"BHS|^~\&|PMAP-SYNTH|PMAPHOSP|PMAP|PMAPHOSP|20241231235900||lab-batch-1"#,
            #"MSH|^~\&|PMAP-SYNTH|PMAPHOSP|PMAP|PMAPHOSP|202003041500||ORU^R01^ORU_R01|R01-7-20200304|"#
                + "P|2.5.1|||AL|NE|USA|UNICODE UTF-8",
            #"PID|1||MRN0000007^^^PMAPHOSP^MR~123-45-6789^^^SSA^SS||Smith^Ann^^^^^L||19700506|F"#,
            #"PV1|1|O|LAB^^^PMAPHOSP"#,
            #"ORC|RE|L7-20200304|L7-20200304F"#,
            "OBR|1|L7-20200304|L7-20200304F|PANEL^Outpatient laboratory panel^99PMAP|||202003040830"
                + "|||||||||||||||202003041500|||F",
            "OBX|1|NM|2345-7^Glucose [Mass/volume] in Serum or Plasma^LN||105.2|mg/dL^mg/dL^UCUM|70.0-99.0|H"
                + "|||F|||202003040830",
            #"OBX|2|NM|PMAP-17^Pain score^99PMAP||3|{score}^{score}^UCUM|<4|N|||F|||202003040830"#,
            "BTS|1",
            "FTS|1",
        ].joined(separator: "\r") + "\r"
}
