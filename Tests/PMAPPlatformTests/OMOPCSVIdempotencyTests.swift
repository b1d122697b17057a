import Foundation
import GRDB
import PMAPStore
import PMAPTestSupport
import Testing

@testable import PMAPPlatform

/// Loading OMOP CSV rows again adds nothing, whatever ids the file reuses and whichever PMAP
/// version loaded them first.
struct OMOPCSVIdempotencyTests {
    static let header = "person_id,gender_concept_id,year_of_birth,race_concept_id,ethnicity_concept_id"
    static let rows = [
        "1,8507,1950,8527,0", "1,8532,1961,8527,0", "2,8532,1970,8527,0", "2,8532,1970,8527,0",
    ]

    /// Rows 1 and 2 share id 1 but differ: both are kept, the second under a new id; row 4
    /// repeats row 3 and is a duplicate. Every loaded row has provenance with its line.
    @Test func reusedIdsAreKeptAndAnIngestAgainAddsNothing() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        try fixture.write("cdm/person.csv", ([Self.header] + Self.rows).joined(separator: "\n") + "\n")
        let report = try await fixture.ingest([fixture.folder.file("cdm")])
        #expect(report.read == 4 && report.loaded == 3 && report.duplicates == 1 && report.quarantined == 0)
        #expect(report.files.first?.notes.contains { $0.contains("1 rows reused an id") } == true)
        #expect(try fixture.integers("SELECT person_id FROM person ORDER BY person_id") == [1, 2, 3])
        #expect(
            try fixture.integers(
                "SELECT cdm_row_id FROM pmap_provenance WHERE cdm_table = 'person' ORDER BY source_location")
                == [1, 3, 2],
            "lines 2, 3 and 4 hold ids 1, 1 (kept as 3) and 2")

        let again = try await fixture.ingest([fixture.folder.file("cdm")])
        #expect(again.read == 4 && again.loaded == 0 && again.duplicates == 4)
        #expect(try fixture.integers("SELECT count(*) FROM person") == [3])
        #expect(
            try fixture.integers("SELECT count(*) FROM pmap_provenance WHERE cdm_table = 'person'") == [3])
    }

    /// A store whose rows an earlier version loaded under hash-only keys (in pmap_source_record)
    /// recognises them: an ingest again adds nothing.
    @Test func rowsLoadedUnderEarlierKeysAreDuplicates() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        try fixture.write(
            "cdm/person.csv", ([Self.header] + Self.rows.prefix(1)).joined(separator: "\n") + "\n")
        #expect(try await fixture.ingest([fixture.folder.file("cdm")]).loaded == 1)
        // Rewrite the store as an earlier version left it.
        let hash = sha256Hex(Data("person|\(Self.rows[0])".utf8))
        let legacy = OMOPCSVIngester.legacyKey(table: "person", hash: hash)
        let queue = try DatabaseQueue(path: fixture.folder.file("pmap.sqlite"))
        try await queue.write { db in
            try db.execute(
                sql: "UPDATE pmap_provenance SET source_record_key = ? WHERE cdm_table = 'person'",
                arguments: [legacy])
            try db.execute(
                sql: """
                    INSERT INTO pmap_source_record (key_hash, source_name, record_key, content_hash, data_load_id)
                    VALUES (?, 'test', ?, ?, 1)
                    """, arguments: [SourceRecordKey.hash(sourceName: "test", key: legacy), legacy, hash])
        }
        try queue.close()

        let again = try await fixture.ingest([fixture.folder.file("cdm")])
        #expect(again.loaded == 0 && again.duplicates == 1)
        #expect(try fixture.integers("SELECT count(*) FROM person") == [1])
    }
}
