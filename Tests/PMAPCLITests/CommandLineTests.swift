import Foundation
import PMAPTestSupport
import Testing

/// The built `pmap` binary run as a user runs it: arguments in, exit code, stdout and stderr out.
struct CommandLineTests {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let binary: URL = {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL,
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ]
        for folder in candidates {
            let url = folder.appendingPathComponent("pmap")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return candidates[0].appendingPathComponent("pmap")
    }()

    func pmap(_ arguments: [String], in folder: TemporaryFolder, environment: [String: String] = [:]) throws
        -> Result
    {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        process.currentDirectoryURL = folder.url
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "PMAP_STORE")
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Runs `pmap init --json` with `arguments`; the first admin's API token it printed.
    func initStore(_ arguments: [String] = [], in folder: TemporaryFolder) throws -> String {
        let result = try pmap(["init", "--json"] + arguments, in: folder)
        guard result.status == 0,
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            let admin = object["admin"] as? [String: Any], let token = admin["token"] as? String
        else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: result.stderr])
        }
        return token
    }

    @Test func statusJSONListsEvery39CDMTableWithItsRowCount() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let initResult = try pmap(["init", "--store", "s.sqlite"], in: folder)
        #expect(initResult.status == 0, "\(initResult.stderr)")
        #expect(initResult.stdout.contains("Created store"))

        let token = try String(
            try #require(initResult.stdout.split(separator: "\n").first { $0.hasPrefix("  pmap_") })
                .dropFirst(2))
        let noToken = try pmap(["status", "--json"], in: folder, environment: ["PMAP_STORE": "s.sqlite"])
        #expect(noToken.status == 77 && noToken.stderr.contains("needs an API token"))
        let result = try pmap(
            ["status", "--json"], in: folder, environment: ["PMAP_STORE": "s.sqlite", "PMAP_TOKEN": token])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let tables = try #require(object["tables"] as? [String: Int])
        #expect(tables.count == 39)
        for name in [
            "person", "observation_period", "measurement", "episode_event", "cohort_definition",
            "concept_ancestor",
        ] {
            #expect(tables[name] != nil, "status --json lacks \(name)")
        }
        #expect(tables["person"] == 0)
        #expect((tables["concept"] ?? 0) > 100)
        #expect(object["schemaVersion"] as? Int == object["latestSchemaVersion"] as? Int)
    }

    @Test func missingStoreExits65WithOneLineSayingWhatToDo() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let result = try pmap(["status", "--store", "nowhere.sqlite"], in: folder)
        #expect(result.status == 65)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix("pmap: error: no PMAP store at nowhere.sqlite"))
        #expect(result.stderr.contains("pmap init"))
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: folder.file("nowhere.sqlite")))
    }

    @Test func corruptStoreExits65AndIsLeftAsItWas() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let junk = Data("this is not a database, but a note someone saved with the wrong name\n".utf8)
        try junk.write(to: folder.url.appendingPathComponent("pmap.sqlite"))
        let result = try pmap(["status"], in: folder)
        #expect(result.status == 65)
        #expect(result.stderr.contains("corrupt"))
        #expect(try Data(contentsOf: folder.url.appendingPathComponent("pmap.sqlite")) == junk)
    }

    @Test func badUsageExits64() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(try pmap(["status", "--no-such-option"], in: folder).status == 64)
        #expect(try pmap(["vocab", "show", "not-a-number"], in: folder).status == 64)
        #expect(try pmap(["vocab", "search", "--limit", "0", "x"], in: folder).status == 64)
    }

    @Test func vocabularyCommandsSearchShowAndRefuseBadInput() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let token = try initStore(in: folder)
        let search = try pmap(["vocab", "search", "--json", "prostate"], in: folder)
        #expect(search.status == 0, "\(search.stderr)")
        let found = try #require(
            try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [String: Any])
        let concepts = try #require(found["concepts"] as? [[String: Any]])
        let first = try #require(concepts.first)
        #expect((first["conceptName"] as? String)?.lowercased().contains("prostate") == true)

        let id = try #require(first["conceptId"] as? Int)
        let show = try pmap(["vocab", "show", String(id)], in: folder)
        #expect(show.status == 0)
        #expect(show.stdout.contains("Descendants"))

        let missing = try pmap(["vocab", "show", "987654321"], in: folder)
        #expect(missing.status == 65)
        #expect(missing.stderr.contains("pmap vocab search"))

        let noFolder = try pmap(
            ["vocab", "load", "no-such-athena"], in: folder, environment: ["PMAP_TOKEN": token])
        #expect(noFolder.status == 65)
        #expect(noFolder.stderr.contains("Athena"))
    }

    @Test func demoRunsOnTheEmbeddedDefaultAndCanBeRunAgain() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let first = try pmap(["demo"], in: folder)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Created pmap-demo/pmap.sqlite"))
        #expect(first.stdout.contains("concept_ancestor"))
        #expect(FileManager.default.fileExists(atPath: folder.file("pmap-demo/pmap.sqlite")))
        let second = try pmap(["demo", "--json"], in: folder)
        #expect(second.status == 0, "\(second.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect((object["status"] as? [String: Any])?["tables"] != nil)
    }

    @Test func synthRefusesBadFlagsWithExit64AndWritesWhenAsked() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(try pmap(["synth", "--patients", "0", "--out", "out"], in: folder).status == 64)
        let unknown = try pmap(
            ["synth", "--patients", "5", "--out", "out", "--formats", "fhir,xml"], in: folder)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("unknown format 'xml'"))
        try FileManager.default.createDirectory(
            atPath: folder.file("busy"), withIntermediateDirectories: true)
        try "x".write(toFile: folder.file("busy/keep.txt"), atomically: true, encoding: .utf8)
        let busy = try pmap(["synth", "--patients", "5", "--out", "busy"], in: folder)
        #expect(busy.status == 64)
        #expect(busy.stderr.contains("--force"))

        let made = try pmap(
            ["synth", "--patients", "25", "--seed", "3", "--out", "out", "--json"], in: folder)
        #expect(made.status == 0, "\(made.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(made.stdout.utf8)) as? [String: Any])
        let files = try #require(object["files"] as? [String: Int])
        #expect(files.keys.contains("fhir/Patient.ndjson") && files.keys.contains("truth.json"))
        #expect(!files.keys.contains { $0.hasPrefix("omop/") }, "omop-csv is not a default format")
    }

    @Test func ingestRefusesBadRequestsAndReportsJSON() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let token = try initStore(in: folder)
        let auth = ["PMAP_TOKEN": token]
        #expect(try pmap(["ingest"], in: folder).status == 64)
        #expect(try pmap(["ingest", "--format", "xml", "x"], in: folder).status == 64)
        let missing = try pmap(["ingest", "no-such-folder"], in: folder, environment: auth)
        #expect(missing.status == 65 && missing.stderr.contains("does not exist"))
        let noKey = try pmap(["ingest", "--key-file", "absent.key", "."], in: folder)
        #expect(noKey.status == 65 && noKey.stderr.contains("no vault key"))
        try "{\"resourceType\":\"Patient\",\"id\":\"p\",\"gender\":\"male\",\"birthDate\":\"1950\"}\n"
            .write(toFile: folder.file("p.ndjson"), atomically: true, encoding: .utf8)
        let wrongToken = try pmap(
            ["ingest", "--json", "p.ndjson"], in: folder, environment: ["PMAP_TOKEN": "pmap_x"])
        #expect(wrongToken.status == 77 && wrongToken.stderr.contains("not valid"))
        let result = try pmap(["ingest", "--json", "p.ndjson"], in: folder, environment: auth)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["read"] as? Int == 1 && object["loaded"] as? Int == 1)
        #expect(object["duplicates"] as? Int == 0 && object["quarantined"] as? Int == 0)
        #expect((object["skipped_files"] as? [Any])?.isEmpty == true)
    }
}
