import Foundation
import PMAPTestSupport
import Testing

/// `pmap backup` and `pmap restore`: a consistent copy that restores to the same tables, and
/// that only the right key can use.
struct BackupCommandTests {
    @Test func backupRestoresToTheSameTablesAndNeedsItsKey() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let cli = CommandLineTests()
        let token = try cli.initStore(in: folder)
        let auth = ["PMAP_TOKEN": token]
        #expect(
            try cli.pmap(
                ["synth", "--patients", "20", "--seed", "2", "--out", "x", "--formats", "fhir"], in: folder
            )
            .status == 0)
        #expect(try cli.pmap(["ingest", "x/fhir"], in: folder, environment: auth).status == 0)

        let backup = try cli.pmap(["backup", "--out", "b.sqlite", "--json"], in: folder, environment: auth)
        #expect(backup.status == 0, "\(backup.stderr)")
        let attributes = try FileManager.default.attributesOfItem(atPath: folder.file("b.sqlite"))
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        #expect(try cli.pmap(["backup", "--out", "b.sqlite"], in: folder, environment: auth).status == 65)

        // Another key cannot use it; the right key restores it.
        #expect(
            try cli.initStore(["--store", "other.sqlite", "--key-file", "other.key"], in: folder).count > 10)
        let wrongKey = try cli.pmap(
            ["restore", "--check-only", "--key-file", "other.key", "b.sqlite"], in: folder)
        #expect(wrongKey.status == 77 && wrongKey.stderr.contains("key"))
        let restored = try cli.pmap(
            ["restore", "--store", "restored.sqlite", "--key-file", "pmap.key", "b.sqlite"], in: folder)
        #expect(restored.status == 0, "\(restored.stderr)")
        #expect(restored.stdout.contains("20 persons") && restored.stdout.contains("20 identities decrypted"))
        #expect(
            try CrashSafetyTests.digest(folder.file("restored.sqlite"))
                == CrashSafetyTests.digest(folder.file("pmap.sqlite")))
        let overwrite = try cli.pmap(
            ["restore", "--store", "restored.sqlite", "--key-file", "pmap.key", "b.sqlite"], in: folder)
        #expect(overwrite.status == 65 && overwrite.stderr.contains("exists"))
    }
}
