import Foundation
import PMAPStore
import Testing

@testable import PMAPPlatform

/// Every CDM row can be traced to its source, file and line, whether its record kept one
/// row range (the common case) or per-row provenance.
struct RowProvenanceTests {
    static let encounter =
        #"{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p1"},"period":{"start":"2021-03-04","end":"2021-03-04"}}"#

    /// A blood pressure with `count` components (one measurement row each), version `version`.
    static func bloodPressure(components count: Int, version: String, subject: String = "Patient/p1")
        -> String
    {
        let parts = (0..<count).map { index in
            #"{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":\#(120 + index),"code":"mm[Hg]"}}"#
        }
        return
            #"{"resourceType":"Observation","id":"bp","meta":{"versionId":"\#(version)"},"status":"final","subject":{"reference":"\#(subject)"},"encounter":{"reference":"Encounter/e1"},"code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},"effectiveDateTime":"2021-03-04","component":[\#(parts.joined(separator: ","))]}"#
    }

    func provenance(_ fixture: IngestFixture, _ table: String, _ id: Int64) async throws -> RowProvenance? {
        try await fixture.platform.store.write { try $0.provenance(of: StoredRow(table: table, rowID: id)) }
    }

    @Test func everyRowNamesItsFileAndLine() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let file = try fixture.write(
            "export.ndjson",
            [
                IngestFixture.patient, Self.encounter, IngestFixture.observation,
                Self.bloodPressure(components: 2, version: "1"),
            ].joined(separator: "\n") + "\n")
        let report = try await fixture.ingest([file])
        #expect(report.loaded == 4 && report.quarantined == 0)
        // The encounter's and observations' rows are ranges of their source records: no
        // per-row provenance rows for them.
        #expect(
            try fixture.integers(
                "SELECT count(*) FROM pmap_provenance WHERE cdm_table IN ('measurement', 'visit_occurrence')")
                == [0])
        #expect(
            try fixture.integers(
                "SELECT row_count FROM pmap_source_record WHERE record_key = 'Observation/bp'") == [2])
        let expected: [(String, String, String)] = [
            ("person", "line 1", "Patient/p1"), ("visit_occurrence", "line 2", "Encounter/e1"),
            ("measurement", "line 3", "Observation/o1"), ("measurement", "line 4", "Observation/bp"),
            ("measurement", "line 4", "Observation/bp"),
        ]
        var seen: [(String, String, String)] = []
        for table in ["person", "visit_occurrence", "measurement"] {
            let key = table == "person" ? "person_id" : "\(table)_id"
            for id in try fixture.integers("SELECT \(key) FROM \(table) ORDER BY \(key)") {
                let found = try #require(try await provenance(fixture, table, id), "\(table) \(id)")
                #expect(found.sourceName == "test" && found.sourceFile == file)
                seen.append((table, found.sourceLocation, found.recordKey ?? ""))
            }
        }
        #expect(seen.map { "\($0)" } == expected.map { "\($0)" })
        // Past the last row of a range, nothing.
        let last = try #require(try fixture.integers("SELECT max(measurement_id) FROM measurement").first)
        #expect(try await provenance(fixture, "measurement", last + 1) == nil)
    }

    /// Events link to encounters loaded by an earlier ingest (a new run starts with an empty
    /// reference cache, so the visit comes from the batch's look-up in the store).
    @Test func eventsLinkToEncountersOfAnEarlierIngest() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        _ = try await fixture.ingest([
            try fixture.write(
                "first.ndjson", [IngestFixture.patient, Self.encounter].joined(separator: "\n") + "\n")
        ])
        let visit = try #require(
            try fixture.integers("SELECT visit_occurrence_id FROM visit_occurrence").first)
        let later = try await fixture.ingest([
            try fixture.write("later.ndjson", Self.bloodPressure(components: 2, version: "1") + "\n")
        ])
        #expect(later.loaded == 1)
        #expect(try fixture.integers("SELECT visit_occurrence_id FROM measurement") == [visit, visit])
    }

    @Test func anUpdateReplacesTheRangeAndABadUpdateLeavesNoRows() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        _ = try await fixture.ingest([
            try fixture.write(
                "v1.ndjson",
                [IngestFixture.patient, Self.encounter, Self.bloodPressure(components: 2, version: "1")]
                    .joined(separator: "\n") + "\n")
        ])
        let update = try await fixture.ingest([
            try fixture.write("v2.ndjson", Self.bloodPressure(components: 3, version: "2") + "\n")
        ])
        #expect(update.loaded == 1)
        #expect(
            try fixture.integers("SELECT value_as_number FROM measurement ORDER BY measurement_id") == [
                120, 121, 122,
            ])
        let ids = try fixture.integers("SELECT measurement_id FROM measurement ORDER BY measurement_id")
        #expect(
            try fixture.integers(
                "SELECT first_row_id FROM pmap_source_record WHERE record_key = 'Observation/bp' AND row_count = 3"
            )
                == [ids[0]])
        for id in ids {
            #expect(try await provenance(fixture, "measurement", id)?.sourceLocation == "line 1")
        }
        // A newer version whose patient is unknown is quarantined; the rows of the version it
        // replaces are gone and its range forgotten, so a later load cannot delete other rows.
        let bad = try await fixture.ingest([
            try fixture.write(
                "v3.ndjson", Self.bloodPressure(components: 2, version: "3", subject: "Patient/nobody") + "\n"
            )
        ])
        #expect(bad.quarantined == 1)
        #expect(try fixture.integers("SELECT count(*) FROM measurement") == [0])
        #expect(
            try fixture.integers(
                "SELECT count(*) FROM pmap_source_record WHERE record_key = 'Observation/bp' AND cdm_table IS NULL"
            )
                == [1])
        // Re-sending version 2 loads it again (its hash differs from the quarantined one's record).
        let again = try await fixture.ingest([
            try fixture.write("v2-again.ndjson", Self.bloodPressure(components: 3, version: "4") + "\n")
        ])
        #expect(again.loaded == 1)
        #expect(try fixture.integers("SELECT count(*) FROM measurement") == [3])
    }
}
