import Foundation
import PMAPPlatform
import PMAPTestSupport
import Testing

struct DeterminismTests {
    @Test func sameSeedGivesByteIdenticalOutputAndAnotherSeedDoesNot() throws {
        let first = GeneratedPopulation.generate(patients: 120, seed: 9, formats: SynthFormat.allCases)
        let second = GeneratedPopulation.generate(patients: 120, seed: 9, formats: SynthFormat.allCases)
        let other = GeneratedPopulation.generate(patients: 120, seed: 10, formats: SynthFormat.allCases)
        defer { for url in [first, second, other] { try? FileManager.default.removeItem(at: url) } }
        #expect(try GeneratedPopulation.manifestHash(first) == GeneratedPopulation.manifestHash(second))
        #expect(try GeneratedPopulation.manifestHash(first) != GeneratedPopulation.manifestHash(other))
    }

    @Test func patientsDoNotDependOnHowManyAreGenerated() throws {
        let few = GeneratedPopulation.generate(patients: 20, seed: 3, formats: [.fhir])
        let more = GeneratedPopulation.generate(patients: 40, seed: 3, formats: [.fhir])
        defer { for url in [few, more] { try? FileManager.default.removeItem(at: url) } }
        let fewPatients = try GeneratedPopulation.lines(few, "fhir/Patient.ndjson")
        let morePatients = try GeneratedPopulation.lines(more, "fhir/Patient.ndjson")
        #expect(fewPatients.count == 20 && morePatients.count == 40)
        #expect(Array(morePatients.prefix(20)) == fewPatients)
    }

    @Test func badRequestsAreRefusedWithoutOverwriting() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(throws: PMAPError.self) {
            _ = try Synthesis.run(
                patients: 0, seed: 1, formats: [.fhir], folder: folder.file("out"), force: false)
        }
        #expect(throws: PMAPError.self) { _ = try SynthFormat.parseList("fhir,xml") }
        let keep = folder.file("busy/notes.txt")
        try FileManager.default.createDirectory(
            atPath: folder.file("busy"), withIntermediateDirectories: true)
        try "keep me".write(toFile: keep, atomically: true, encoding: .utf8)
        #expect {
            _ = try Synthesis.run(
                patients: 5, seed: 1, formats: [.fhir], folder: folder.file("busy"), force: false)
        } throws: { error in
            (error as? PMAPError)?.kind == .usage && "\(error)".contains("--force")
        }
        #expect(!FileManager.default.fileExists(atPath: folder.file("busy/truth.json")))
        _ = try Synthesis.run(
            patients: 5, seed: 1, formats: [.fhir], folder: folder.file("busy"), force: true)
        #expect(try String(contentsOfFile: keep, encoding: .utf8) == "keep me")
        #expect(FileManager.default.fileExists(atPath: folder.file("busy/truth.json")))
    }
}
