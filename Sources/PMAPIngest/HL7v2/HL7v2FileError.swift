/// Why an HL7 v2 file cannot be split into messages: a structural fault of the file (its envelope,
/// segment order or bytes), as opposed to a fault in one message (``RecordProblem``).
///
/// A file with such a fault should load nothing: feed it whole to an ``HL7v2Splitter`` first to
/// decide, then split it again to load. The rule names locations and segment ids, never values.
public struct HL7v2FileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, in words, e.g. `segment before the message header`.
    public let rule: String
    /// The 1-based line where the fault was found (CR, LF and CRLF each end a line; blank lines
    /// count).
    public let line: Int

    /// A fault `rule` found at `line`.
    public init(rule: String, line: Int) {
        self.rule = rule
        self.line = line
    }

    /// `line 12: segment before the message header`.
    public var description: String { "line \(line): \(rule)" }
}

/// One message cut out of an HL7 v2 file by ``HL7v2Splitter``, not yet parsed.
public struct HL7v2RawMessage: Sendable, Equatable {
    /// The message's segments joined by CR (`\r`), without a trailing CR.
    public let text: String
    /// The message's 1-based number in the file.
    public let ordinal: Int
    /// The 1-based line of the message's MSH segment in the file.
    public let line: Int

    /// A message cut out of a file (``HL7v2Splitter`` makes these).
    public init(text: String, ordinal: Int, line: Int) {
        self.text = text
        self.ordinal = ordinal
        self.line = line
    }
}

/// What a batch trailer (BTS) or file trailer (FTS) declared, next to what the file held, for a
/// caller that wants to check the counts (the splitter does not: senders often get them wrong).
public struct HL7v2Trailer: Sendable, Equatable {
    /// `BTS` or `FTS`.
    public let segment: String
    /// The 1-based line of the trailer.
    public let line: Int
    /// BTS-1 (messages in the batch) or FTS-1 (batches in the file), when it is a number.
    public let declaredCount: Int?
    /// The messages of the batch (BTS) or the batches of the file (FTS) actually seen.
    public let count: Int

    /// A trailer as ``HL7v2Splitter`` reports it.
    public init(segment: String, line: Int, declaredCount: Int?, count: Int) {
        self.segment = segment
        self.line = line
        self.declaredCount = declaredCount
        self.count = count
    }
}
