import Foundation
import GRDB
import PMAPCohort
import PMAPTestSupport
import Testing

@testable import PMAPStore

/// The acceptance test: OHDSI's four Eunomia GiBleed cohorts give the counts CohortGenerator
/// recorded on the same database (see shared/data/README.md).
struct EunomiaCohortTests {
    static let tables = [
        "person", "observation_period", "drug_era", "concept", "concept_ancestor", "concept_relationship",
    ]

    @Test(.enabled(if: SharedData.shouldRun, Comment(rawValue: SharedData.skipMessage)))
    func eunomiaCohortsMatchOHDSICounts() async throws {
        let store = try TestStore()
        var loaded: [Int] = []
        for table in Self.tables {
            loaded.append(
                try await store.load(try SharedData.file("eunomia-gibleed/cdm/\(table).csv"), into: table))
        }
        #expect(loaded[0] == 2694)
        #expect(loaded[2] == 52508)

        let expected: [(Int64, String, Int)] = [
            (1, "celecoxib", 1800), (2, "celecoxibAge40", 569), (3, "celecoxibAge40Male", 266),
            (4, "celecoxibCensored", 1750),
        ]
        for (id, name, entries) in expected {
            let json = try Data(contentsOf: try SharedData.file("eunomia-gibleed/cohorts/\(name).json"))
            let definition = try CohortDefinition.parse(json)
            let persons: Set<String> = id == 2 || id == 3 ? ["person"] : []
            #expect(definition.tablesRead == persons.union(["drug_era", "observation_period"]))
            let run = try await store.run(definition, id: id)
            #expect(run.rows.count == entries, "\(name)")
            #expect(Set(run.rows.map(\.subject)).count == entries, "\(name)")
            #expect(run.leftoverTables.isEmpty)
            if name == "celecoxibAge40Male" {
                #expect(run.masks == [0: 603, 1: 303, 2: 628, 3: 266])
            }
            if name == "celecoxibCensored" {
                #expect(run.rows.allSatisfy { $0.start >= "2000-01-01" && $0.start <= $0.end })
            }
        }
        // Generating again replaces the cohort's rows instead of adding to them.
        let again = try await store.run(
            try CohortDefinition.parse(
                Data(contentsOf: try SharedData.file("eunomia-gibleed/cohorts/celecoxib.json"))),
            id: 1)
        #expect(again.rows.count == 1800)
    }
}
