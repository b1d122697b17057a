import PMAPIngest
import Testing

struct HL7v2SplitterTests {
    static let first = [#"MSH|^~\&|A|F|B|G|20240101||ADT^A04|C1|P|2.5"#, "PID|1||X1^^^F^MR", "PV1|1|O"]
    static let second = [#"MSH|^~\&|A|F|B|G|20240102||ADT^A08|C2|P|2.5"#, "PID|1||X1^^^F^MR"]

    /// The two messages, whatever ends their segments, come out joined by CR, with the line of
    /// their MSH.
    @Test(arguments: ["\r", "\n", "\r\n"])
    func segmentEndsCRLFAndCRLFGiveTheSameMessages(_ end: String) throws {
        let text = (Self.first + Self.second).joined(separator: end) + end
        let messages = try HL7v2Fixtures.split(text)
        #expect(
            messages.map(\.text) == [Self.first.joined(separator: "\r"), Self.second.joined(separator: "\r")])
        #expect(messages.map(\.ordinal) == [1, 2])
        #expect(messages.map(\.line) == [1, 4])
    }

    @Test func mixedEndsAndBlankLinesAreAccepted() throws {
        let text =
            Self.first[0] + "\r\n" + Self.first[1] + "\n\n  \t\r" + Self.first[2] + "\r\r\n"
            + Self.second[0] + "\n" + Self.second[1]
        let messages = try HL7v2Fixtures.split(text)
        #expect(
            messages.map(\.text) == [Self.first.joined(separator: "\r"), Self.second.joined(separator: "\r")])
        // Lines: MSH 1, PID 2, blank 3, blank 4, PV1 5, blank 6, MSH 7.
        #expect(messages.map(\.line) == [1, 7])
    }

    /// Any chunking gives the same messages, a CRLF cut between two chunks included.
    @Test func chunkSizesDoNotChangeTheResult() throws {
        let text = (Self.first + Self.second).joined(separator: "\r\n")
        let whole = try HL7v2Fixtures.split(text)
        for chunk in 1...9 {
            #expect(try HL7v2Fixtures.split(text, chunk: chunk) == whole, "chunk \(chunk)")
        }
        var splitter = HL7v2Splitter()
        // A sequence without contiguous storage takes the copying path.
        var messages = try splitter.feed(text.utf8.lazy.map { $0 })
        messages += try splitter.finish()
        #expect(messages == whole)
    }

    @Test func aByteOrderMarkIsSkipped() throws {
        let messages = try HL7v2Fixtures.split(
            [0xEF, 0xBB, 0xBF] + Array(Self.first.joined(separator: "\r").utf8))
        #expect(messages.first?.text == Self.first.joined(separator: "\r"))
        // Anywhere else it is content, not a segment id.
        #expect(HL7v2Fixtures.fileError([0x0D, 0xEF, 0xBB, 0xBF] + Array(Self.first[0].utf8))?.line == 2)
    }

    /// MLLP blocks (`0x0B` message `0x1C 0x0D`) in a file, with and without a CR before the end
    /// block, with LF between blocks.
    @Test func mllpFramedMessagesAreUnwrapped() throws {
        let first = Array(Self.first.joined(separator: "\r").utf8)
        let second = Array(Self.second.joined(separator: "\r").utf8)
        let framed: [UInt8] = [0x0B] + first + [0x0D, 0x1C, 0x0D, 0x0A] + [0x0B] + second + [0x1C, 0x0D]
        let messages = try HL7v2Fixtures.split(framed)
        #expect(
            messages.map(\.text) == [Self.first.joined(separator: "\r"), Self.second.joined(separator: "\r")])
        // Lines: MSH 1, PID 2, PV1 3, end block 4 (its CR and the LF make one line end), MSH 5.
        #expect(messages.map(\.line) == [1, 5])
        // A block ends its message: a block without MSH is refused, not glued to the previous one.
        let headless: [UInt8] = [0x0B] + first + [0x1C, 0x0D, 0x0B] + Array("PID|2".utf8) + [0x1C, 0x0D]
        #expect(
            HL7v2Fixtures.fileError(headless)
                == HL7v2FileError(rule: "segment before the message header", line: 4))
    }

    @Test func envelopesAreNotMessagesAndTheirCountsAreReported() throws {
        let text = [
            #"FHS|^~\&|A|F"#, #"BHS|^~\&|A|F"#, Self.first.joined(separator: "\r"), "BTS|1",
            #"BHS|^~\&|A|F"#, Self.second.joined(separator: "\r"), "BTS|3", "FTS|2",
        ].joined(separator: "\r")
        var splitter = HL7v2Splitter()
        let messages = try splitter.feed(text.utf8) + splitter.finish()
        #expect(messages.map(\.line) == [3, 8])
        #expect(
            splitter.trailers == [
                HL7v2Trailer(segment: "BTS", line: 6, declaredCount: 1, count: 1),
                HL7v2Trailer(segment: "BTS", line: 10, declaredCount: 3, count: 1),
                HL7v2Trailer(segment: "FTS", line: 11, declaredCount: 2, count: 2),
            ])
    }

    @Test func textThatIsNotUTF8IsReadAsLatin1() throws {
        let bytes =
            Array(#"MSH|^~\&|A|F|B|G|20240101||ADT^A04|C1|P|2.5"#.utf8) + [0x0D] + Array("PID|1||X||M".utf8)
            + [0xFC, 0x6C, 0x6C, 0x65, 0x72]
        #expect(try HL7v2Fixtures.split(bytes).first?.text.hasSuffix("PID|1||X||Müller") == true)
    }

    /// Each structural rule, with the line where it is detected.
    @Test(arguments: [
        ("PID|1\rMSH|^~\\&", "segment before the message header", 1),
        ("MSH|^~\\&\rPID|1\rBTS|1\rPID|2", "segment before the message header", 4),
        ("MSH|^~\\&\rFHS|^~\\&", "FHS is not the first segment of the file", 2),
        ("FHS|^~\\&\rFHS|^~\\&", "more than one FHS", 2),
        ("BHS|^~\\&\rMSH|^~\\&\rBHS|^~\\&", "more than one BHS in a batch (BTS missing)", 3),
        ("MSH|^~\\&\rBTS|1\rBTS|0", "BTS without an open batch", 3),
        ("MSH|^~\\&\rFTS|1\rBTS|1", "segment after the file trailer (FTS)", 3),
        ("MSH|^~\\&\rFTS|1\rFTS|1", "more than one FTS", 3),
        ("MSH|^~\\&\rFTS|1\rMSH|^~\\&", "segment after the file trailer (FTS)", 3),
        (
            "MSH|^~\\&\rPID|1\r\rhello world", "a line that is not a segment (no three-character segment id)",
            4
        ),
        ("MSH|^~\\&\rPIDX|1", "a line that is not a segment (no three-character segment id)", 2),
        ("MSH|^~\\&\rPID|1\u{0}2", "content that is not text (a control character)", 2),
    ])
    func structuralFaultsNameTheRuleAndLine(_ text: String, _ rule: String, _ line: Int) {
        #expect(HL7v2Fixtures.fileError(text) == HL7v2FileError(rule: rule, line: line))
    }

    /// After a fault every call throws it again, so a caller cannot load the rest by mistake.
    @Test func aFaultIsSticky() throws {
        var splitter = HL7v2Splitter()
        #expect(throws: HL7v2FileError.self) { try splitter.feed("PID|1\r".utf8) }
        let again = #expect(throws: HL7v2FileError.self) { try splitter.feed((Self.first[0] + "\r").utf8) }
        #expect(again?.line == 1)
        #expect(throws: HL7v2FileError.self) { try splitter.finish() }
    }

    /// A file without line ends cannot make the splitter hold more than 64 MiB of one line.
    @Test func aLineLongerThan64MiBIsRefused() throws {
        var splitter = HL7v2Splitter()
        let chunk = [UInt8](repeating: 0x41, count: 1 << 20)
        _ = try splitter.feed(Array("MSH|^~\\&|".utf8))
        let fault = #expect(throws: HL7v2FileError.self) {
            for _ in 0..<65 { _ = try splitter.feed(chunk) }
        }
        #expect(fault == HL7v2FileError(rule: "a line longer than 64 MiB", line: 1))
    }

    @Test func anEmptyFileHasNoMessages() throws {
        #expect(try HL7v2Fixtures.split("").isEmpty)
        #expect(try HL7v2Fixtures.split("\r\n\n").isEmpty)
    }

    /// The renderer's lab file: envelope segments dropped, the one message kept whole.
    @Test func synthLabFileSplitsIntoItsMessage() throws {
        var splitter = HL7v2Splitter()
        let messages = try splitter.feed(HL7v2Fixtures.synthLabFile.utf8) + splitter.finish()
        #expect(messages.count == 1)
        #expect(messages.first?.line == 3)
        #expect(messages.first?.text.components(separatedBy: "\r").count == 7)
        #expect(splitter.trailers.map(\.declaredCount) == [1, 1])
        #expect(splitter.trailers.map(\.count) == [1, 1])
    }
}
