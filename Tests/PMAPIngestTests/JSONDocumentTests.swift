import Foundation
import PMAPTestSupport
import Testing

@testable import PMAPIngest

struct JSONDocumentTests {
    /// The value at `node` as a Foundation-style tree (objects, arrays, strings, doubles,
    /// booleans, NSNull), built only through the document's public reading API.
    static func tree(_ document: JSONDocument, _ node: Int = JSONDocument.root) -> Any {
        switch document.kind(node) {
        case .object:
            // Values are read through `member`, to exercise the look-up.
            var result: [String: Any] = [:]
            for key in objectKeys(document, node) where result[key] == nil {
                result[key] = tree(document, document.member(node, key)!)
            }
            return result
        case .array: return document.elements(node).map { tree(document, $0) }
        case .string: return document.string(node)!
        case .number: return document.number(node)!
        case .true: return true
        case .false: return false
        case .null: return NSNull()
        }
    }

    /// The keys of the object at `node`, in order.
    static func objectKeys(_ document: JSONDocument, _ node: Int) -> [String] {
        var keys: [String] = []
        var index = node + 1
        while index < Int(document.nodes[node].end) {
            keys.append(document.string(index)!)
            index = Int(document.nodes[index + 1].end)
        }
        return keys
    }

    static func parse(_ text: String) throws -> JSONDocument { try JSONDocument(bytes: Array(text.utf8)) }

    /// Every FHIR R4 example of the specification (../shared/data) reads as the same value as
    /// with JSONSerialization.
    @Test(.enabled(if: SharedData.shouldRun, Comment(rawValue: SharedData.skipMessage)))
    func matchesFoundationOnTheFHIRSpecificationExamples() throws {
        let folder = try SharedData.file("fhir-r4-examples")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".json")
        }
        #expect(files.count > 300)
        for file in files {
            let data = try Data(contentsOf: folder.appendingPathComponent(file))
            let expected = try JSONSerialization.jsonObject(with: data)
            let document = try JSONDocument(bytes: Array(data))
            #expect(JSONReaderTests.sameIgnoringBools(Self.tree(document), expected), "\(file)")
        }
    }

    @Test func escapesNumbersAndLiterals() throws {
        let document = try Self.parse(
            #"{"a":"line\nbreak \"quoted\" \\ \/ \u00e9 \ud83d\ude00","n":[0,-1.5,2e3,1E-2,123456789012],"t":true,"f":false,"z":null,"e":{},"l":[],"k\u0065y":"escaped key"}"#
        )
        let root = JSONDocument.root
        #expect(document.member(root, "a").flatMap(document.string) == "line\nbreak \"quoted\" \\ / é 😀")
        let numbers = document.elements(document.member(root, "n")!).compactMap(document.number)
        #expect(numbers == [0, -1.5, 2000, 0.01, 123_456_789_012])
        #expect(document.kind(document.member(root, "t")!) == .true)
        #expect(document.kind(document.member(root, "f")!) == .false)
        #expect(document.kind(document.member(root, "z")!) == .null)
        #expect(document.elements(document.member(root, "l")!).isEmpty)
        #expect(document.member(document.member(root, "e")!, "a") == nil)
        #expect(document.member(root, "key").flatMap(document.string) == "escaped key")
        #expect(document.member(root, "missing") == nil)
        #expect(document.member(document.member(root, "n")!, "a") == nil, "an array has no members")
        #expect(try Self.parse("  [1 , 2 ]\n").kind(JSONDocument.root) == .array)
    }

    @Test func aRepeatedKeyReadsItsFirstValue() throws {
        let document = try Self.parse(#"{"id":"first","id":"second"}"#)
        #expect(document.member(JSONDocument.root, "id").flatMap(document.string) == "first")
    }

    @Test(arguments: [
        "", " ", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{'a':1}", "\"unterminated", "01", "1.", "-", ".5",
        "1e", "tru", "nul", "[1] 2", "\"bad \\x escape\"", "\"\\ud83d alone\"", "\"\\ude00\"",
        "\"tab\there\"", "{\"a\":1}}", "[1 2]", "{\"a\":1 \"b\":2}", "{,}", "[,1]", "{\"a\"}", "]", "}",
        "{\"a\":[}", "[{]}", "\"\\u12\"", "\"\\u12g4\"",
    ])
    func malformedInputIsRefused(_ text: String) {
        #expect(throws: JSONDocument.Failure.self) { _ = try Self.parse(text) }
        #expect(throws: JSONReader.Failure.self) { _ = try JSONReader.parse(Data(text.utf8)) }
    }

    @Test func invalidUTF8InsideStringsIsRepaired() throws {
        let bytes = Array("{\"a\":\"".utf8) + [0xFF, 0xFE] + Array("\"}".utf8)
        let document = try JSONDocument(bytes: bytes)
        #expect(document.member(JSONDocument.root, "a").flatMap(document.string) == "\u{FFFD}\u{FFFD}")
    }

    /// The parser keeps its own stack, so nesting a hundred thousand deep is read, not a crash.
    @Test func deepNestingDoesNotExhaustTheStack() throws {
        let depth = 100_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        let document = try Self.parse(text)
        #expect(document.kind(JSONDocument.root) == .array)
        #expect(document.firstElement(depth - 2) == depth - 1)
        #expect(throws: JSONDocument.Failure.self) { _ = try Self.parse(String(text.dropLast())) }
    }

    /// Random documents written by Foundation read back as the same tree.
    @Test func randomDocumentsRoundTrip() throws {
        var generator = VCFFuzzTests.SeededGenerator(state: 7)
        func value(_ depth: Int) -> Any {
            switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &generator) {
            case 0:
                return String(
                    (0..<Int.random(in: 0..<8, using: &generator)).map { _ in
                        "aé\"\\\n/😀x\u{1}".randomElement(using: &generator)!
                    })
            case 1: return Double(Int.random(in: -100_000...100_000, using: &generator)) / 64
            case 2: return Bool.random(using: &generator)
            case 3: return NSNull()
            case 4: return (0..<Int.random(in: 0..<4, using: &generator)).map { _ in value(depth + 1) }
            default:
                var object: [String: Any] = [:]
                for k in 0..<Int.random(in: 0..<5, using: &generator) {
                    object["k\(k)\u{e9}"] = value(depth + 1)
                }
                return object
            }
        }
        for _ in 0..<300 {
            let original = ["root": value(0)]
            let data = try JSONSerialization.data(withJSONObject: original)
            let document = try JSONDocument(bytes: Array(data))
            #expect(JSONReaderTests.sameIgnoringBools(Self.tree(document), original))
        }
    }
}
