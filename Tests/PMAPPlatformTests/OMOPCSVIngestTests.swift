import Foundation
import PMAPPlatform
import PMAPTestSupport
import Testing

struct OMOPCSVIngestTests {
    /// OHDSI's Eunomia GiBleed (CDM v5.3 CSVs, ../shared/data) loads with its exact clinical row
    /// counts (the counts in shared/data/README.md); a second ingest adds nothing.
    @Test(.enabled(if: SharedData.shouldRun, Comment(rawValue: SharedData.skipMessage)))
    func eunomiaLoadsWithItsExactRowCounts() async throws {
        let folder = try SharedData.file("eunomia-gibleed/cdm")
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let report = try await fixture.ingest([folder.path], source: "eunomia")
        #expect(report.read == report.loaded + report.duplicates + report.quarantined)
        #expect(report.quarantined == 0, "\(report.quarantineReasons)")
        #expect(report.personsRebuilt == 0, "Eunomia brings its own observation periods and eras")
        let counts = try await fixture.counts()
        let expected = [
            "person": 2694, "observation_period": 5343, "visit_occurrence": 1037,
            "condition_occurrence": 65332,
            "drug_exposure": 67707, "procedure_occurrence": 37409, "measurement": 44053, "observation": 1477,
            "condition_era": 65719, "drug_era": 52508,
        ]
        for (table, rows) in expected {
            #expect(counts[table] == rows, "\(table)")
        }
        let reused = report.files.first { $0.path.hasSuffix("drug_exposure.csv") }?.notes ?? []
        #expect(
            reused.contains { $0.contains("rows reused an id") },
            "Eunomia reuses drug_exposure ids; both rows are kept")

        // Ingesting again adds nothing (a subset of files, to keep the test short).
        let subset = [
            "person.csv", "observation.csv", "drug_exposure.csv", "concept_synonym.csv", "cdm_source.csv",
            "concept.csv",
        ]
        let again = try await fixture.ingest(
            subset.map { folder.appendingPathComponent($0).path }, source: "eunomia")
        #expect(
            again.read > 70_000 && again.loaded == 0 && again.duplicates == again.read,
            "\(again.files.map { ($0.path, $0.loaded) })")
        #expect(try await fixture.counts()["drug_exposure"] == 67707)

        try await Self.eunomiaCohortsMatchOHDSI(fixture)
    }

    /// OHDSI CohortGenerator's four test cohorts on the same store give the counts OHDSI's
    /// tools record (shared/data/README.md), generated through a governed project.
    static func eunomiaCohortsMatchOHDSI(_ fixture: IngestFixture) async throws {
        let world = try await GovernanceTests.World(on: fixture)
        let platform = fixture.platform
        _ = try await platform.submitRequest(
            world.researcher, project: world.project, domains: [.drugs], level: .aggregate,
            leavesPlatform: false,
            cohortID: nil, until: Day.today + 30)
        let expected = [
            "celecoxib": 1800, "celecoxibAge40": 569, "celecoxibAge40Male": 266, "celecoxibCensored": 1750,
        ]
        for (name, subjects) in expected.sorted(by: { $0.key < $1.key }) {
            let json = try Data(contentsOf: try SharedData.file("eunomia-gibleed/cohorts/\(name).json"))
            let cohort = try await platform.createCohort(
                world.researcher, project: world.project, definition: json, name: name)
            #expect(cohort.subjects.count == subjects && cohort.entries.count == subjects, "\(name)")
            if name == "celecoxibAge40Male" {
                // Rule masks 0: 603, 1: 303, 2: 628, 3: 266 → remaining 569 then 266; own 569 and 894.
                #expect(cohort.attrition.map { $0.remaining.count } == [569, 266])
                #expect(cohort.attrition.map { $0.own.count } == [569, 894])
            }
        }
        // Outside the project, or without a drugs grant, no cohort.
        let json = try Data(contentsOf: try SharedData.file("eunomia-gibleed/cohorts/celecoxib.json"))
        await #expect(throws: PMAPError.self) {
            _ = try await platform.createCohort(
                world.outsider, project: world.project, definition: json, name: "x")
        }
    }

    @Test func badRowsAreQuarantinedWithTheirLine() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        try fixture.write(
            "cdm/person.csv",
            """
            person_id,gender_concept_id,year_of_birth,race_concept_id,ethnicity_concept_id,person_source_value
            1,8507,1950,8527,0,"a, quoted"
            2,8532,not-a-year,8527,0,x
            3,8532,1960,8527,0,y

            """)
        try fixture.write(
            "cdm/observation_period.csv",
            """
            observation_period_id,person_id,observation_period_start_date,observation_period_end_date,period_type_concept_id
            1,1,2000-01-01,2020-12-31,32817
            2,3,2001-02-30,2020-12-31,32817

            """)
        let report = try await fixture.ingest([fixture.folder.file("cdm")])
        #expect(report.read == 5 && report.loaded == 3 && report.quarantined == 2)
        let locations = try await fixture.platform.quarantinedRecords(fixture.admin).map(\.sourceLocation)
            .sorted()
        #expect(locations == ["line 3", "line 3"])
        #expect(report.quarantineReasons == ["invalid value": 1, "invalid date": 1])
    }

    @Test func v53ColumnsAreRenamed() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        try fixture.write(
            "cdm/visit_occurrence.csv",
            """
            visit_occurrence_id,person_id,visit_concept_id,visit_start_date,visit_end_date,visit_type_concept_id,admitting_source_concept_id,discharge_to_concept_id
            10,1,9201,2020-01-01,2020-01-03,32817,8870,8536

            """)
        let report = try await fixture.ingest([fixture.folder.file("cdm")])
        #expect(report.loaded == 1)
        #expect(try fixture.integers("SELECT admitted_from_concept_id FROM visit_occurrence") == [8870])
        #expect(try fixture.integers("SELECT discharged_to_concept_id FROM visit_occurrence") == [8536])
    }
}

extension OMOPCSVIngestTests {
    /// A quarantined CSV row keeps its file's header, so retry can replay it; a row that is
    /// still bad stays quarantined once (no second entry).
    @Test func quarantinedRowsReplayWithTheirHeader() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        try fixture.write(
            "cdm/person.csv",
            "person_id,gender_concept_id,year_of_birth,race_concept_id,ethnicity_concept_id\n1,8507,19x0,8527,0\n"
        )
        let report = try await fixture.ingest([fixture.folder.file("cdm")])
        #expect(report.quarantined == 1)
        let (_, content) = try await fixture.platform.quarantinedRecord(
            fixture.admin,
            id: try #require(try await fixture.platform.quarantinedRecords(fixture.admin).first).id,
            vault: fixture.vault)
        #expect(content.hasPrefix("person_id,gender_concept_id"))
        let retry = try await fixture.platform.retryQuarantine(fixture.admin, vault: fixture.vault)
        #expect(retry.retried == 1 && retry.stillQuarantined == 1 && retry.loaded == 0)
        #expect(try await fixture.platform.quarantinedRecords(fixture.admin).count == 1)
    }
}
