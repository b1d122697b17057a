/// What one HL7 v2 message says, as ingest facts, with the keys a loader needs.
public struct HL7v2Record: Sendable {
    /// `hl7v2:<MSH-4 namespace>|<MSH-10>`: the same message sent twice has the same key.
    public let key: String
    /// Message code and trigger, e.g. `ADT^A04`.
    public let type: String
    /// MSH-7 as 14 digits (plus `.fraction` when sent), time zone dropped, so that string order
    /// is time order (``HL7v2DateTime/sortable``); nil when MSH-7 is empty.
    public let version: String?
    /// What the message says, in order: patients before the visits, events and merges naming them.
    public let facts: [IngestFact]

    /// A record from its parts (``HL7v2Mapper/record(of:)`` makes these).
    public init(key: String, type: String, version: String?, facts: [IngestFact]) {
        self.key = key
        self.type = type
        self.version = version
        self.facts = facts
    }
}

extension HL7v2Segment {
    /// A value for mapping: spaces trimmed, and nil when empty or HL7's explicit null (`""`).
    func text(_ field: Int, repetition: Int = 1, component: Int = 1, subcomponent: Int = 1) -> String? {
        guard
            let value = value(
                field: field, repetition: repetition, component: component, subcomponent: subcomponent)
        else { return nil }
        let trimmed = value.utf8.first == 0x20 || value.utf8.last == 0x20 ? Self.trim(value) : value
        return trimmed.isEmpty || trimmed == "\"\"" ? nil : trimmed
    }

    private static func trim(_ text: String) -> String {
        String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }

    /// A date field as a checked ``HL7v2DateTime``; throws `.invalidDate` naming the field.
    func dateTime(_ field: Int) throws(RecordProblem) -> HL7v2DateTime? {
        guard let text = text(field) else { return nil }
        guard let value = HL7v2DateTime(text) else { throw RecordProblem(.invalidDate, "\(id)-\(field)") }
        return value
    }

    /// A date field's `YYYY-MM-DD`; throws `.invalidDate` when it is not a real day.
    func day(_ field: Int) throws(RecordProblem) -> String? {
        guard let value = try dateTime(field) else { return nil }
        guard let day = value.day else {
            throw RecordProblem(.invalidDate, "\(id)-\(field) (not a full date)")
        }
        return day
    }
}
