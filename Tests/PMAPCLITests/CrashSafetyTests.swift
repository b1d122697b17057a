import Foundation
import GRDB
import PMAPTestSupport
import Testing

/// A real `pmap ingest` killed with SIGKILL at a random moment, then run again, leaves the
/// store exactly as one clean run does.
struct CrashSafetyTests {
    /// A digest of every table's rows, leaving out what differs by nature between runs:
    /// timestamps and run ids, and the vault's ciphertexts (fresh nonces), whose person ids
    /// are compared instead.
    static func digest(_ path: String) throws -> String {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var digest = SHA256Digest()
            let tables = try String.fetchAll(
                db,
                sql:
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'pmap_concept_search%' AND name <> 'grdb_migrations' ORDER BY name"
            )
            let skipped: [String: Set<String>] = [
                "pmap_identity": ["identity_ciphertext", "created_at", "updated_at"],
                "pmap_provenance": ["data_load_id", "provenance_id"],
                "pmap_source_record": ["data_load_id"],
                "pmap_quarantine": ["data_load_id", "created_at", "record_ciphertext", "quarantine_id"],
                "cdm_source": ["source_release_date", "cdm_release_date"],
            ]
            // Load bookkeeping and the governance records (tokens, users, audit times and MACs) differ by nature.
            let notCompared: Set<String> = ["pmap_data_load", "pmap_audit", "pmap_api_token", "pmap_user"]
            for table in tables where !notCompared.contains(table) {
                let columns = try db.columns(in: table).map(\.name).filter {
                    !(skipped[table]?.contains($0) ?? false)
                }
                guard !columns.isEmpty else { continue }
                let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
                digest.update(Array("table \(table)\n".utf8))
                for row in try Row.fetchAll(db, sql: "SELECT \(list) FROM \"\(table)\" ORDER BY \(list)") {
                    digest.update(
                        Array("\(row.databaseValues.map(\.description).joined(separator: "|"))\n".utf8))
                }
            }
            return digest.finalize()
        }
    }

    @Test func killedIngestRerunEqualsACleanRun() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let cli = CommandLineTests()
        #expect(
            try cli.pmap(
                ["synth", "--patients", "80", "--seed", "4", "--out", "export", "--formats", "fhir"],
                in: folder
            ).status == 0)
        var tokens: [String: String] = [:]
        for store in ["clean", "crashed"] {
            tokens[store] = try cli.initStore(
                ["--store", "\(store).sqlite", "--key-file", "shared.key"], in: folder)
        }
        #expect(
            try cli.pmap(
                ["ingest", "--store", "clean.sqlite", "--key-file", "shared.key", "export/fhir"], in: folder,
                environment: ["PMAP_TOKEN": tokens["clean"]!]
            ).status == 0)

        // Start, kill at a random moment, run again to completion.
        let process = Process()
        process.executableURL = CommandLineTests.binary
        process.arguments = [
            "ingest", "--store", "crashed.sqlite", "--key-file", "shared.key", "--json", "export/fhir",
        ]
        process.currentDirectoryURL = folder.url
        process.environment = ProcessInfo.processInfo.environment.merging(["PMAP_TOKEN": tokens["crashed"]!])
        { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let delay = Double.random(in: 0.3...2.5)
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let rerun = try cli.pmap(
            ["ingest", "--store", "crashed.sqlite", "--key-file", "shared.key", "--json", "export/fhir"],
            in: folder, environment: ["PMAP_TOKEN": tokens["crashed"]!])
        #expect(rerun.status == 0, "\(rerun.stderr)")

        let clean = try Self.digest(folder.file("clean.sqlite"))
        let crashed = try Self.digest(folder.file("crashed.sqlite"))
        #expect(
            clean == crashed,
            "killed after \(delay) s (exit reason \(process.terminationReason.rawValue)): the stores differ")
    }
}
