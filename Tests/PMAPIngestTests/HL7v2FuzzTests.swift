import PMAPIngest
import Testing

/// Random byte mutations of valid files must make the splitter, parser and mapper throw, never
/// crash, and must keep the splitter's guarantees.
struct HL7v2FuzzTests {
    /// SplitMix64: a fixed seed gives the same mutations on every run.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [[UInt8]] = [
        Array(HL7v2Fixtures.synthLabFile.utf8),
        Array(HL7v2Fixtures.synthRegistration.joined(separator: "\r\n").utf8),
        [0x0B] + Array(HL7v2Fixtures.synthRegistration.joined(separator: "\r").utf8) + [0x1C, 0x0D],
        Array(
            ([
                HL7v2Fixtures.header, HL7v2Fixtures.patient,
                "PV1|1|I" + String(repeating: "|", count: 17) + "V1",
                #"OBX|1|SN|X^x^LN^Y^y^SCT||<^10|mg|3.5-5.0|H|||F|||20240301"#,
                #"OBX|2|CWE|X^x^LN||A^\T\b\Xe1\^SCT|||||||W"#, #"OBX|3|FT|X^x^LN||a\.br\b~c"#,
            ] + [
                #"MSH|^~\&|A|F|B|G|20240305||ADT^A40|M2|P|2.5"#, "PID|1||P1^^^F&urn:x&URI^MR",
                "MRG|P0^^^F^MR",
            ]).joined(separator: "\n").utf8),
    ]

    static let interesting: [UInt8] =
        Array("\r\n|^~\\&MSHBTSFTSPIDOBX0123456789.-+<>\"".utf8) + [
            0x00, 0x0B, 0x1C, 0x1B, 0x7F, 0x80, 0xC3, 0xEF, 0xBB, 0xBF, 0xFF,
        ]

    static func mutate(_ bytes: inout [UInt8], _ random: inout SplitMix64) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
        switch Int.random(in: 0..<7, using: &random) {
        case 0 where !bytes.isEmpty: bytes[position] = UInt8.random(in: 0...255, using: &random)
        case 1 where !bytes.isEmpty: bytes[position] = interesting.randomElement(using: &random)!
        case 2: bytes.insert(interesting.randomElement(using: &random)!, at: position)
        case 3 where !bytes.isEmpty: bytes.remove(at: position)
        case 4 where !bytes.isEmpty:
            let end = min(bytes.count, position + Int.random(in: 1...40, using: &random))
            bytes.insert(
                contentsOf: bytes[position..<end], at: Int.random(in: 0...bytes.count, using: &random))
        case 5: bytes.removeSubrange(position..<bytes.count)
        default: bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
        }
    }

    struct Tally {
        var files = 0
        var fileErrors = 0
        var messages = 0
        var malformed = 0
        var records = 0
        var problems = 0
    }

    @Test func randomMutationsOnlyEverThrow() {
        var random = SplitMix64(state: 0x504D_4150_484C_3732)
        var tally = Tally()
        for _ in 0..<2_000 {
            var bytes = Self.seeds.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...6, using: &random) { Self.mutate(&bytes, &random) }
            let whole = Result { () throws(HL7v2FileError) in try HL7v2Fixtures.split(bytes) }
            let chunked = Result { () throws(HL7v2FileError) in
                try HL7v2Fixtures.split(bytes, chunk: Int.random(in: 1...64, using: &random))
            }
            #expect(whole == chunked, "chunking changed the outcome")
            switch whole {
            case .success(let messages):
                tally.files += 1
                for (index, raw) in messages.enumerated() {
                    #expect(raw.ordinal == index + 1)
                    #expect(raw.text.hasPrefix("MSH"))
                    #expect(!raw.text.utf8.contains { $0 == 0x0A || $0 == 0x0B || $0 == 0x1C || $0 == 0x00 })
                    exercise(raw.text, &tally)
                }
            case .failure(let error):
                tally.fileErrors += 1
                let lines = bytes.count { $0 == 0x0D || $0 == 0x0A } + 1
                #expect(error.line >= 1 && error.line <= lines)
            }
            exercise(String(decoding: bytes, as: UTF8.self), &tally)
        }
        // Every outcome was reached, so the mutations explore more than one path.
        #expect(tally.files > 100 && tally.fileErrors > 100)
        #expect(tally.records > 100 && tally.problems > 100 && tally.malformed > 100)
    }

    /// Parses and maps `text`, reading every value, to make a crash show here.
    func exercise(_ text: String, _ tally: inout Tally) {
        tally.messages += 1
        let message: HL7v2Message
        do {
            message = try HL7v2Message(text)
        } catch {
            tally.malformed += 1
            return
        }
        for segment in message.segments {
            #expect(segment.id.utf8.count == 3)
            for field in 0...(segment.fieldCount + 1) {
                _ = segment.rawValue(field: field)
                for repetition in 1...(segment.repetitionCount(field: field) + 1) {
                    _ = segment.componentCount(field: field, repetition: repetition)
                    _ = segment.value(field: field, repetition: repetition)
                    _ = segment.value(field: field, repetition: repetition, component: 2, subcomponent: 2)
                }
            }
        }
        do {
            _ = try HL7v2Mapper.record(of: message)
            tally.records += 1
        } catch {
            tally.problems += 1
        }
    }
}
