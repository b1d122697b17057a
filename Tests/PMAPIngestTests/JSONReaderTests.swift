import Foundation
import PMAPTestSupport
import Testing

@testable import PMAPIngest

struct JSONReaderTests {
    /// Structural equality of two JSON values, numbers compared as doubles.
    static func same(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            return x.count == y.count
                && x.allSatisfy { key, value in y[key].map { same(value, $0) } ?? false }
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { same($0, $1) }
        case (let x as String, let y as String):
            return x == y
        case (is NSNull, is NSNull):
            return true
        case (let x as Double, let y as NSNumber):
            return x == y.doubleValue
        default:
            return false
        }
    }

    /// Every FHIR R4 example of the specification (../shared/data) parses to the same value as
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
            let actual = try JSONReader.parse(data)
            #expect(Self.sameIgnoringBools(actual, expected), "\(file)")
        }
    }

    /// Like `same`, treating Foundation's 0/1 NSNumbers and booleans alike.
    static func sameIgnoringBools(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (let x as Bool, let y as NSNumber): return (x ? 1.0 : 0.0) == y.doubleValue
        case (let x as [String: Any], let y as [String: Any]):
            return x.count == y.count
                && x.allSatisfy { key, value in y[key].map { sameIgnoringBools(value, $0) } ?? false }
        case (let x as [Any], let y as [Any]):
            return x.count == y.count && zip(x, y).allSatisfy { sameIgnoringBools($0, $1) }
        default: return same(a, b)
        }
    }

    @Test func escapesNumbersAndLiterals() throws {
        let text =
            #"{"a":"line\nbreak \"quoted\" \\ \/ \u00e9 \ud83d\ude00","n":[0,-1.5,2e3,1E-2,123456789012],"t":true,"f":false,"z":null,"e":{},"l":[]}"#
        let value = try #require(try JSONReader.parse(Data(text.utf8)) as? [String: Any])
        #expect(value["a"] as? String == "line\nbreak \"quoted\" \\ / é 😀")
        #expect(
            (value["n"] as? [Any])?.compactMap { $0 as? Double } == [0, -1.5, 2000, 0.01, 123_456_789_012])
        #expect(value["t"] as? Bool == true && value["f"] as? Bool == false && value["z"] is NSNull)
        #expect((value["e"] as? [String: Any])?.isEmpty == true && (value["l"] as? [Any])?.isEmpty == true)
        #expect(try JSONReader.parse(Data("  [1 , 2 ]\n".utf8)) is [Any])
    }

    @Test(arguments: [
        "", "{", "{\"a\":1,}", "[1,]", "{\"a\" 1}", "{'a':1}", "\"unterminated", "01", "1.", "-", ".5", "1e",
        "tru", "nul", "[1] 2", "\"bad \\x escape\"", "\"\\ud83d alone\"", "\"\\ude00\"", "\"tab\there\"",
        "{\"a\":1}}",
    ])
    func malformedInputIsRefused(_ text: String) {
        #expect(throws: JSONReader.Failure.self) { _ = try JSONReader.parse(Data(text.utf8)) }
    }

    @Test func invalidUTF8InsideStringsDoesNotCrash() throws {
        var bytes = Array("{\"a\":\"".utf8)
        bytes += [0xFF, 0xFE]
        bytes += Array("\"}".utf8)
        let value = try JSONReader.parse(Data(bytes)) as? [String: Any]
        #expect(value?["a"] is String)
    }
}
