/// Cuts an HL7 v2 file into messages, streaming: feed it the file's bytes in chunks of any size,
/// then call ``finish()``. Pure: it reads nothing itself.
///
/// It accepts segments ended by CR, LF or CRLF (mixed), blank lines, a UTF-8 byte-order mark,
/// MLLP framing (`0x0B` … `0x1C 0x0D`) around messages, and batch and file envelopes
/// (FHS, BHS … BTS, FTS), whose segments are not part of any message. A message starts at each
/// MSH segment and runs to the next MSH, envelope segment or MLLP frame end.
///
/// A structural fault throws ``HL7v2FileError``, and every later call throws it again:
/// - a segment other than an envelope segment before the first MSH, after a BTS or after an
///   MLLP frame end (`segment before the message header`);
/// - an FHS that is not the file's first segment, or a second FHS;
/// - a BHS while a batch is open (no BTS since the last BHS);
/// - a BTS with no batch open, anything after the FTS, a second FTS;
/// - a line that is not a segment (no three-character segment id), holds control characters,
///   or is longer than 64 MiB.
///
/// As in python-hl7, a missing BTS or FTS, a BTS closing messages that had no BHS, and an FTS
/// without FHS are accepted. The counts in BTS-1 and FTS-1 are reported in ``trailers``, not
/// checked. Messages returned before a fault was found belong to a faulty file: split the whole
/// file once to decide, then again to load.
///
/// Message text is decoded as UTF-8 when it is valid UTF-8, else as ISO 8859-1.
public struct HL7v2Splitter: Sendable {
    private enum Batch {
        case none
        /// Messages with no BHS before them.
        case implicit
        /// Opened by a BHS.
        case explicit
    }

    private var pendingLine: [UInt8] = []
    private var pendingCR = false
    private var lineNumber = 0
    private var message: [UInt8] = []
    private var messageLine = 0
    private var messageOpen = false
    private var ordinal = 0
    private var sawSegment = false
    private var sawFileHeader = false
    private var sawFileTrailer = false
    private var batch = Batch.none
    private var messagesInBatch = 0
    private var batchesInFile = 0
    private var failure: HL7v2FileError?
    private var finished = false

    /// The batch and file trailers seen so far, in file order.
    public private(set) var trailers: [HL7v2Trailer] = []

    /// A splitter at the start of a file.
    public init() {}

    /// Splits the next chunk of the file; returns the messages it completed.
    public mutating func feed(_ bytes: some Sequence<UInt8>) throws(HL7v2FileError) -> [HL7v2RawMessage] {
        try checkUsable()
        var output: [HL7v2RawMessage] = []
        let result: Result<Void, HL7v2FileError>
        if let contiguous = bytes.withContiguousStorageIfAvailable({ buffer in
            Result { () throws(HL7v2FileError) in try scan(buffer, into: &output) }
        }) {
            result = contiguous
        } else {
            let copy = Array(bytes)
            result = copy.withUnsafeBufferPointer { buffer in
                Result { () throws(HL7v2FileError) in try scan(buffer, into: &output) }
            }
        }
        if case .failure(let error) = result {
            failure = error
            throw error
        }
        return output
    }

    /// Ends the file: splits its last line (which needs no line end) and returns the last message.
    public mutating func finish() throws(HL7v2FileError) -> [HL7v2RawMessage] {
        try checkUsable()
        finished = true
        var output: [HL7v2RawMessage] = []
        do {
            if !pendingLine.isEmpty { try endLine(into: &output) }
            closeMessage(into: &output)
        } catch {
            failure = error
            throw error
        }
        return output
    }

    private func checkUsable() throws(HL7v2FileError) {
        if let failure { throw failure }
        if finished { throw HL7v2FileError(rule: "data fed after finish()", line: lineNumber) }
    }

    private static let cr: UInt8 = 0x0D
    private static let lf: UInt8 = 0x0A
    private static let startBlock: UInt8 = 0x0B
    private static let endBlock: UInt8 = 0x1C
    /// A bound on one segment, so that a file without line ends cannot fill the memory.
    static let maximumLineBytes = 64 << 20

    private mutating func scan(_ buffer: UnsafeBufferPointer<UInt8>, into output: inout [HL7v2RawMessage])
        throws(HL7v2FileError)
    {
        var index = 0
        let count = buffer.count
        while index < count {
            if pendingCR {
                pendingCR = false
                if buffer[index] == Self.lf {
                    index += 1
                    continue
                }
            }
            var end = index
            while end < count, buffer[end] != Self.cr, buffer[end] != Self.lf { end += 1 }
            if end > index {
                pendingLine.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<end]))
                if pendingLine.count > Self.maximumLineBytes {
                    throw HL7v2FileError(rule: "a line longer than 64 MiB", line: lineNumber + 1)
                }
            }
            if end == count { break }
            pendingCR = buffer[end] == Self.cr
            try endLine(into: &output)
            index = end + 1
        }
    }

    private mutating func endLine(into output: inout [HL7v2RawMessage]) throws(HL7v2FileError) {
        lineNumber += 1
        let line = pendingLine
        pendingLine.removeAll(keepingCapacity: true)
        try process(line, into: &output)
    }

    private mutating func process(_ line: [UInt8], into output: inout [HL7v2RawMessage])
        throws(HL7v2FileError)
    {
        var low = 0
        var high = line.count
        if lineNumber == 1, high >= 3, line[0] == 0xEF, line[1] == 0xBB, line[2] == 0xBF { low = 3 }
        while low < high, line[low] == Self.startBlock || line[low] == Self.endBlock {
            if line[low] == Self.endBlock { closeMessage(into: &output) }
            low += 1
        }
        var frameEnds = false
        while high > low, line[high - 1] == Self.endBlock {
            frameEnds = true
            high -= 1
        }
        defer { if frameEnds { closeMessage(into: &output) } }
        if line[low..<high].allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return }
        for byte in line[low..<high] where (byte < 0x20 && byte != 0x09 && byte != 0x1B) || byte == 0x7F {
            throw fault("content that is not text (a control character)")
        }
        guard high - low >= 3, Self.isSegmentID(line[low], line[low + 1], line[low + 2]),
            high - low == 3 || !Self.isAlphanumeric(line[low + 3])
        else {
            throw fault("a line that is not a segment (no three-character segment id)")
        }
        let id = (line[low], line[low + 1], line[low + 2])
        let segment = line[low..<high]
        defer { sawSegment = true }
        if sawFileTrailer {
            throw fault(
                id == (0x46, 0x54, 0x53) ? "more than one FTS" : "segment after the file trailer (FTS)")
        }
        switch id {
        case (0x4D, 0x53, 0x48):  // MSH
            closeMessage(into: &output)
            if batch == .none {
                batch = .implicit
                batchesInFile += 1
                messagesInBatch = 0
            }
            messagesInBatch += 1
            messageOpen = true
            messageLine = lineNumber
            message.append(contentsOf: segment)
        case (0x46, 0x48, 0x53):  // FHS
            if sawFileHeader { throw fault("more than one FHS") }
            if sawSegment { throw fault("FHS is not the first segment of the file") }
            sawFileHeader = true
        case (0x42, 0x48, 0x53):  // BHS
            if batch == .explicit { throw fault("more than one BHS in a batch (BTS missing)") }
            closeMessage(into: &output)
            batch = .explicit
            batchesInFile += 1
            messagesInBatch = 0
        case (0x42, 0x54, 0x53):  // BTS
            closeMessage(into: &output)
            if batch == .none { throw fault("BTS without an open batch") }
            trailers.append(
                HL7v2Trailer(
                    segment: "BTS", line: lineNumber, declaredCount: Self.firstFieldNumber(segment),
                    count: messagesInBatch))
            batch = .none
        case (0x46, 0x54, 0x53):  // FTS
            closeMessage(into: &output)
            trailers.append(
                HL7v2Trailer(
                    segment: "FTS", line: lineNumber, declaredCount: Self.firstFieldNumber(segment),
                    count: batchesInFile))
            batch = .none
            sawFileTrailer = true
        default:
            guard messageOpen else { throw fault("segment before the message header") }
            message.append(Self.cr)
            message.append(contentsOf: segment)
        }
    }

    private func fault(_ rule: String) -> HL7v2FileError {
        HL7v2FileError(rule: rule, line: lineNumber)
    }

    private mutating func closeMessage(into output: inout [HL7v2RawMessage]) {
        guard messageOpen else { return }
        ordinal += 1
        output.append(HL7v2RawMessage(text: Self.decode(message), ordinal: ordinal, line: messageLine))
        message.removeAll(keepingCapacity: true)
        messageOpen = false
    }

    /// UTF-8 when valid, else ISO 8859-1 (every byte is a character).
    static func decode(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: bytes.lazy.map { Unicode.Scalar($0) })
        return String(scalars)
    }

    /// The number in field 1 of a BTS or FTS (`BTS|2`), if any.
    private static func firstFieldNumber(_ segment: ArraySlice<UInt8>) -> Int? {
        guard segment.count > 4 else { return nil }
        let separator = segment[segment.startIndex + 3]
        let field = segment[(segment.startIndex + 4)...].prefix { $0 != separator }
        guard !field.isEmpty, field.count <= 9, field.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return nil
        }
        return field.reduce(0) { $0 * 10 + Int($1 - 0x30) }
    }

    /// An upper-case letter followed by two upper-case letters or digits.
    static func isSegmentID(_ first: UInt8, _ second: UInt8, _ third: UInt8) -> Bool {
        func upper(_ byte: UInt8) -> Bool { byte >= 0x41 && byte <= 0x5A }
        func digit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        return upper(first) && (upper(second) || digit(second)) && (upper(third) || digit(third))
    }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
    }
}
