import Foundation
import PMAPTestSupport
import Testing

/// `pmap cohort export DEF --format atlas` writes Circe JSON that reads back as the same
/// definition, from a file or a stored cohort; other formats exit 64 naming the formats.
struct CohortExportCommandTests {
    let cli = CommandLineTests()

    func write(_ text: String, _ name: String, in folder: TemporaryFolder) throws {
        try text.write(to: folder.url.appendingPathComponent(name), atomically: true, encoding: .utf8)
    }

    @Test func exportsADefinitionFileThatReadsBackTheSame() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try write(CohortCheckCommandTests.definition(windowStart: 3), "clean.json", in: folder)
        let exported = try cli.pmap(["cohort", "export", "clean.json", "--format", "atlas"], in: folder)
        #expect(exported.status == 0, "\(exported.stderr)")
        #expect(exported.stdout.contains("\"CONCEPT_ID\": 1"))
        #expect(exported.stdout.contains("\"PrimaryCriteriaLimit\""))

        let file = try cli.pmap(
            ["cohort", "export", "clean.json", "--format", "atlas", "--out", "atlas.json"], in: folder)
        #expect(file.status == 0, "\(file.stderr)")
        #expect(file.stdout.hasPrefix("Wrote atlas.json (atlas, "))
        let written = try String(contentsOf: folder.url.appendingPathComponent("atlas.json"), encoding: .utf8)
        #expect(written == exported.stdout)

        // The export is a definition PMAP reads: checked and exported again, it is the same.
        #expect(try cli.pmap(["cohort", "check", "atlas.json"], in: folder).status == 0)
        let again = try cli.pmap(["cohort", "export", "atlas.json", "--format", "atlas"], in: folder)
        #expect(again.stdout == exported.stdout)
    }

    @Test func anUnknownFormatExits64ListingTheFormats() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try write(CohortCheckCommandTests.definition(windowStart: 3), "clean.json", in: folder)
        let result = try cli.pmap(["cohort", "export", "clean.json", "--format", "omop-sql"], in: folder)
        #expect(result.status == 64)
        #expect(
            result.stderr.contains("unknown format omop-sql; --format takes one of: atlas"),
            "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aBrokenDefinitionExits65() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try write("{\"PrimaryCriteria\": {\"CriteriaList\": []}}", "broken.json", in: folder)
        let result = try cli.pmap(["cohort", "export", "broken.json", "--format", "atlas"], in: folder)
        #expect(result.status == 65)
        #expect(result.stderr.contains("PrimaryCriteria.CriteriaList"), "\(result.stderr)")
    }

    /// A stored cohort is exported through the gate for a project member with a grant, and
    /// matches the export of the file it was created from.
    @Test func exportsAStoredCohortOfAProject() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let demo = try cli.pmap(["demo", "--json"], in: folder)
        #expect(demo.status == 0, "\(demo.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(demo.stdout.utf8)) as? [String: Any])
        let tokens = try #require(object["tokens"] as? [String: String])
        let project = try #require(object["project"] as? Int)
        let cohort = try #require((object["cohort"] as? [String: Any])?["id"] as? Int)
        let store = ["--store", "pmap-demo/pmap.sqlite"]
        let stored = try cli.pmap(
            ["cohort", "export", String(cohort), "--project", String(project), "--format", "atlas"] + store,
            in: folder, environment: ["PMAP_TOKEN": tokens["pc-researcher"]!])
        #expect(stored.status == 0, "\(stored.stderr)")
        let file = try cli.pmap(
            ["cohort", "export", "pmap-demo/prostate-cancer-psa.json", "--format", "atlas"], in: folder)
        #expect(file.status == 0, "\(file.stderr)")
        #expect(stored.stdout == file.stdout)

        let notAnID = try cli.pmap(
            ["cohort", "export", "x.json", "--project", String(project)] + store, in: folder,
            environment: ["PMAP_TOKEN": tokens["pc-researcher"]!])
        #expect(notAnID.status == 64, "\(notAnID.stderr)")
        let missing = try cli.pmap(
            ["cohort", "export", "999", "--project", String(project)] + store, in: folder,
            environment: ["PMAP_TOKEN": tokens["pc-researcher"]!])
        #expect(missing.status == 65, "\(missing.stderr)")
    }
}
