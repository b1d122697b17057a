import PMAPModel

/// One HL7 v2 message (v2.3 to v2.8), parsed from its text. Pure and cheap: one pass over the
/// bytes finds the segments and field separators; repetitions, components, sub-components and
/// escape sequences are read only when a value is asked for.
///
/// Delimiters come from the message itself (MSH-1 and MSH-2). Fields are numbered as HL7 numbers
/// them: MSH-1 is the field separator, MSH-2 the encoding characters, MSH-9 the message type;
/// in other segments field 1 is the first after the segment id.
public struct HL7v2Message: Sendable {
    let storage: HL7v2MessageStorage

    /// Parses a message whose segments end with CR, LF or CRLF.
    ///
    /// Throws ``RecordProblem`` (`.malformed`) when the text does not start with an MSH segment,
    /// when MSH-1 and MSH-2 are not distinct punctuation characters, when a segment has no valid
    /// id (an upper-case letter and two upper-case letters or digits, then the field separator),
    /// or when a second MSH follows (split files with ``HL7v2Splitter`` first).
    public init(_ text: String) throws(RecordProblem) {
        storage = try HL7v2MessageStorage(bytes: Array(text.utf8))
    }

    /// All segments, in message order.
    public var segments: [HL7v2Segment] {
        storage.segments.indices.map { HL7v2Segment(storage: storage, index: $0) }
    }

    /// The segments with id `id` (`OBX`), in message order.
    public func segments(_ id: String) -> [HL7v2Segment] {
        storage.segments.indices.lazy.filter { storage.segments[$0].id == id }
            .map { HL7v2Segment(storage: storage, index: $0) }
    }

    /// The first segment with id `id`, if any.
    public func segment(_ id: String) -> HL7v2Segment? {
        storage.segments.firstIndex { $0.id == id }.map { HL7v2Segment(storage: storage, index: $0) }
    }

    /// The MSH segment.
    public var header: HL7v2Segment { HL7v2Segment(storage: storage, index: 0) }

    /// MSH-9: message code, trigger event and message structure (`ADT`, `A04`, `ADT_A01`).
    public var messageType: HL7v2MessageType? {
        guard let code = header.value(field: 9) else { return nil }
        return HL7v2MessageType(
            code: code, trigger: header.value(field: 9, component: 2),
            structure: header.value(field: 9, component: 3))
    }

    /// MSH-10, the message control id.
    public var controlID: String? { header.value(field: 10) }

    /// MSH-12, the version id (`2.5.1`).
    public var version: String? { header.value(field: 12) }

    /// MSH-4's namespace id (HD.1), the sending facility.
    public var sendingFacility: String? { header.value(field: 4) }

    /// MSH-7, the message date/time as sent (`20240102083000-0500`).
    public var timestamp: String? { header.value(field: 7) }
}

/// MSH-9 of a message.
public struct HL7v2MessageType: Sendable, Hashable, CustomStringConvertible {
    /// MSG.1, e.g. `ADT`, `ORU`.
    public let code: String
    /// MSG.2, e.g. `A04`, `R01`.
    public let trigger: String?
    /// MSG.3, e.g. `ADT_A01` (often absent before v2.4).
    public let structure: String?

    /// A message type from its parts.
    public init(code: String, trigger: String?, structure: String?) {
        self.code = code
        self.trigger = trigger
        self.structure = structure
    }

    /// Code and trigger, e.g. `ADT^A04`.
    public var description: String { trigger.map { "\(code)^\($0)" } ?? code }
}

/// The parsed layout of one message: its bytes, delimiters, segment and field boundaries.
final class HL7v2MessageStorage: Sendable {
    struct Segment: Sendable {
        let id: String
        let start: Int
        let end: Int
        /// Index in `separators` of this segment's first field separator.
        let firstSeparator: Int
        let separatorCount: Int
    }

    let bytes: [UInt8]
    let delimiters: HL7v2Delimiters
    let segments: [Segment]
    /// Offsets of every field separator, segment by segment.
    let separators: [Int]

    init(bytes: [UInt8]) throws(RecordProblem) {
        let cr: UInt8 = 0x0D
        let lf: UInt8 = 0x0A
        let count = bytes.count
        var index = 0
        while index < count, bytes[index] == cr || bytes[index] == lf { index += 1 }
        guard count - index >= 4, bytes[index] == 0x4D, bytes[index + 1] == 0x53, bytes[index + 2] == 0x48
        else {
            throw RecordProblem(.malformed, "the message does not start with an MSH segment")
        }
        let field = bytes[index + 3]
        var encodingEnd = index + 4
        while encodingEnd < count, bytes[encodingEnd] != field, bytes[encodingEnd] != cr,
            bytes[encodingEnd] != lf
        {
            encodingEnd += 1
        }
        guard let delimiters = HL7v2Delimiters(field: field, encoding: bytes[(index + 4)..<encodingEnd])
        else {
            throw RecordProblem(
                .malformed,
                "MSH-1 and MSH-2 must be distinct punctuation characters "
                    + "(field separator, then 1 to 5 encoding characters)")
        }
        var segments: [Segment] = []
        var separators: [Int] = []
        separators.reserveCapacity(count / 8)
        while index < count {
            let byte = bytes[index]
            if byte == cr || byte == lf {
                index += 1
                continue
            }
            let start = index
            let firstSeparator = separators.count
            while index < count {
                let byte = bytes[index]
                if byte == cr || byte == lf { break }
                if byte == field { separators.append(index) }
                index += 1
            }
            let number = segments.count + 1
            guard index - start >= 3,
                HL7v2Splitter.isSegmentID(bytes[start], bytes[start + 1], bytes[start + 2]),
                index - start == 3 || bytes[start + 3] == field
            else {
                throw RecordProblem(.malformed, "segment \(number) has no valid segment id")
            }
            let id = String(decoding: bytes[start..<(start + 3)], as: UTF8.self)
            if number > 1, id == "MSH" {
                throw RecordProblem(
                    .malformed, "segment \(number) is a second MSH (split the file into messages first)")
            }
            segments.append(
                Segment(
                    id: id, start: start, end: index, firstSeparator: firstSeparator,
                    separatorCount: separators.count - firstSeparator))
        }
        self.bytes = bytes
        self.delimiters = delimiters
        self.segments = segments
        self.separators = separators
    }
}
