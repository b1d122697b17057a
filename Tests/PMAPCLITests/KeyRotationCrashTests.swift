import Foundation
import PMAPTestSupport
import Testing

/// `pmap keys rotate` killed with SIGKILL at each of its stages, then run again, finishes the
/// rotation: every identity opens with the new key, the audit chain verifies, nothing was
/// lost, and the blind indexes still find every patient.
struct KeyRotationCrashTests {
    static let mrnSystem = "https://hospital.example.org/fhir/sid/mrn"

    /// Row counts of every table but the audit log and the list of loads (which grow with every
    /// command and every ingest), from `pmap status --json`.
    static func counts(_ cli: CommandLineTests, in folder: TemporaryFolder, token: String) throws -> [String:
        Int]
    {
        let status = try cli.pmap(["status", "--json"], in: folder, environment: ["PMAP_TOKEN": token])
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        var counts: [String: Int] = [:]
        for key in ["tables", "extensionTables"] {
            for (name, rows) in object[key] as? [String: Int] ?? [:]
            where !["pmap_audit", "pmap_data_load"].contains(name) { counts[name] = rows }
        }
        #expect(counts.count > 39, "\(status.stderr)")
        return counts
    }

    @Test(arguments: ["new-key-written", "batch-1", "batch-4", "store-rotated"])
    func killedRotationRerunFinishes(at checkpoint: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let cli = CommandLineTests()
        let synth = try cli.pmap(
            ["synth", "--patients", "40", "--seed", "12", "--out", "export", "--formats", "fhir,hl7v2"],
            in: folder)
        #expect(synth.status == 0, "\(synth.stderr)")
        let token = try cli.initStore([], in: folder)
        let environment = ["PMAP_TOKEN": token]
        let ingest = ["ingest", "--mrn-system", Self.mrnSystem, "--json", "export/fhir", "export/hl7v2"]
        #expect(try cli.pmap(ingest, in: folder, environment: environment).status == 0)
        let before = try Self.counts(cli, in: folder, token: token)
        #expect(before["pmap_identity"] == 40)

        let killed = try cli.pmap(
            ["keys", "rotate", "--batch-size", "8"], in: folder,
            environment: environment.merging(["PMAP_TEST_KILL_AT": checkpoint]) { $1 })
        #expect(killed.status == SIGKILL, "the rotation was not killed at \(checkpoint): \(killed.stderr)")
        if checkpoint.hasPrefix("batch") {
            // Half-rotated: the store refuses ordinary use until the rotation is finished.
            let refused = try cli.pmap(["audit", "verify"], in: folder, environment: environment)
            #expect(refused.status == 65 && refused.stderr.contains("pmap keys rotate"), "\(refused.stderr)")
        }
        let rerun = try cli.pmap(
            ["keys", "rotate", "--batch-size", "8", "--json"], in: folder, environment: environment)
        #expect(rerun.status == 0, "\(rerun.stderr)")

        // Every identity decrypts and the audit chain verifies under the key now in pmap.key.
        let check = try cli.pmap(
            ["restore", "--check-only", "--key-file", "pmap.key", "pmap.sqlite"], in: folder)
        #expect(
            check.status == 0 && check.stdout.contains("40 identities decrypted"),
            "\(check.stdout)\(check.stderr)")
        #expect(try cli.pmap(["audit", "verify"], in: folder, environment: environment).status == 0)
        // The retired key opens nothing any more.
        let retired = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter {
            $0.hasPrefix("pmap.key.retired-")
        }
        #expect(retired.count == 1)
        let oldKey = try cli.pmap(
            ["audit", "verify", "--key-file", retired[0]], in: folder, environment: environment)
        #expect(oldKey.status == 77, "\(oldKey.stderr)")
        // Nothing was lost, and the re-made blind indexes recognise every record again.
        #expect(try Self.counts(cli, in: folder, token: token) == before)
        let again = try cli.pmap(ingest, in: folder, environment: environment)
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(report["loaded"] as? Int == 0 && report["quarantined"] as? Int == 0, "\(again.stdout)")
        #expect(try Self.counts(cli, in: folder, token: token) == before)
    }
}
