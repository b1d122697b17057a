import PMAPGovernance

/// Maps one parsed HL7 v2 message to ingest facts. Pure: no I/O, no vocabulary.
///
/// - ADT^A01, A03, A04, A06, A07: the patient (PID) and the visit (PV1, when present).
/// - ADT^A08: the patient, and the visit only when PV1-19 names it (an update without a visit
///   number would otherwise add a visit per update).
/// - ADT^A05, A28, A31: the patient only (a pre-admission is not yet a visit).
/// - ADT^A40, A34, A36: a merge per PID/MRG pair (MRG-1 lists the prior patient's identifiers).
/// - ORU^R01, R30: each PID's patient, then an Observation event per OBX that follows it.
///
/// Anything else throws `.unsupportedType`.
public enum HL7v2Mapper {
    /// Message code and trigger pairs that ``record(of:)`` maps.
    public static let mappedTypes: Set<String> = [
        "ADT^A01", "ADT^A03", "ADT^A04", "ADT^A05", "ADT^A06", "ADT^A07", "ADT^A08", "ADT^A28", "ADT^A31",
        "ADT^A34", "ADT^A36", "ADT^A40", "ORU^R01", "ORU^R30",
    ]

    /// The facts of `message`, with its idempotency key and version.
    public static func record(of message: HL7v2Message) throws(RecordProblem) -> HL7v2Record {
        let header = message.header
        guard let code = header.text(9) else { throw RecordProblem(.missingField, "MSH-9") }
        let type = "\(code)^\(header.text(9, component: 2) ?? "")"
        guard mappedTypes.contains(type) else {
            throw RecordProblem(.unsupportedType, "HL7 v2 message type \(type.prefix(20)) is not mapped")
        }
        guard let control = header.text(10) else { throw RecordProblem(.missingField, "MSH-10") }
        let facility = header.text(4) ?? header.text(4, component: 2) ?? ""
        let key = "hl7v2:\(facility)|\(control)"
        let sent = try header.dateTime(7)
        let context = Context(message: message, key: key, facility: facility, sent: sent)
        let facts: [IngestFact]
        switch type {
        case "ADT^A05", "ADT^A28", "ADT^A31":
            facts = [.person(try context.person(try context.patientSegment()))]
        case "ADT^A34", "ADT^A36", "ADT^A40":
            facts = try context.merges()
        case "ORU^R01", "ORU^R30":
            facts = try context.observations()
        default:
            facts = try context.admission(requireVisitNumber: type == "ADT^A08")
        }
        return HL7v2Record(key: key, type: type, version: sent?.sortable, facts: facts)
    }

    /// What the mapping of one message needs besides a segment.
    struct Context {
        let message: HL7v2Message
        let key: String
        /// MSH-4's namespace: the assigning authority of identifiers that name none.
        let facility: String
        /// MSH-7.
        let sent: HL7v2DateTime?

        func patientSegment() throws(RecordProblem) -> HL7v2Segment {
            guard let pid = message.segment("PID") else { throw RecordProblem(.missingField, "PID-3") }
            return pid
        }

        /// Patient and visit of an admission, visit or discharge.
        func admission(requireVisitNumber: Bool) throws(RecordProblem) -> [IngestFact] {
            let person = try person(try patientSegment())
            var facts: [IngestFact] = [.person(person)]
            if let pv1 = message.segment("PV1"), !requireVisitNumber || pv1.text(19) != nil {
                facts.append(.visit(try visit(pv1, person: person)))
            }
            return facts
        }

        func visit(_ pv1: HL7v2Segment, person: PersonFact) throws(RecordProblem) -> VisitFact {
            var start = try pv1.day(44)
            if start == nil, let evn = message.segment("EVN") { start = try evn.day(2) }
            if start == nil { start = sent?.day }
            guard let start else { throw RecordProblem(.missingField, "PV1-44") }
            let classCode: String? =
                switch pv1.text(2)?.uppercased() {
                case "I": "IMP"
                case "O": "AMB"
                case "E": "EMER"
                default: nil
                }
            return VisitFact(
                sourceKey: visitKey(pv1) ?? "Encounter/\(key)", patientReference: person.sourceKey,
                classCode: classCode, start: start, end: try pv1.day(45))
        }

        /// `Encounter/hl7v2:<PV1-19>` when PV1-19 names the visit.
        func visitKey(_ pv1: HL7v2Segment) -> String? {
            pv1.text(19).map { "Encounter/hl7v2:\($0)" }
        }

        /// One merge per PID followed by an MRG.
        func merges() throws(RecordProblem) -> [IngestFact] {
            var pairs: [(PersonFact, [PersonIdentity.Identifier])] = []
            var survivor: PersonFact?
            for segment in message.segments {
                switch segment.id {
                case "PID": survivor = try person(segment)
                case "MRG":
                    guard let current = survivor else { throw RecordProblem(.missingField, "PID-3") }
                    let prior = identifiers(segment, field: 1)
                    guard !prior.isEmpty else { throw RecordProblem(.missingField, "MRG-1") }
                    pairs.append((current, prior))
                    survivor = nil
                default: break
                }
            }
            guard !pairs.isEmpty else {
                _ = try person(try patientSegment())
                throw RecordProblem(.missingField, "MRG-1")
            }
            return pairs.enumerated().map { index, pair in
                .merge(
                    MergeFact(
                        sourceKey: pairs.count == 1 ? key : "\(key)#\(index + 1)", survivor: pair.0,
                        priorIdentifiers: pair.1))
            }
        }
    }
}
