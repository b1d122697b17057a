import Foundation
import PMAPModel
import PMAPTestSupport
import Testing

@testable import PMAPStore

struct StoreWriteTests {
    private struct Boom: Error {}

    private func person(_ id: Int64) -> [SQLValue] { [.integer(id), 8507, 1960, 8527, 38_003_564] }
    private let personColumns = [
        "person_id", "gender_concept_id", "year_of_birth", "race_concept_id", "ethnicity_concept_id",
    ]

    @Test func batchLandsInOneTransaction() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("pmap.sqlite"), create: true)
        let rows = TableRows(table: "person", columns: personColumns, rows: (1...500).map(person))
        try await store.write { try $0.insert(rows, onConflict: .abort) }
        #expect(try await store.rowCounts().first { $0.table == "person" }?.rows == 500)
    }

    @Test func failureMidWayLeavesNothingBehind() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("pmap.sqlite"), create: true)
        let columns = personColumns
        await #expect(throws: Boom.self) {
            try await store.write { writer in
                try writer.insert(
                    TableRows(table: "person", columns: columns, rows: [[1, 8507, 1960, 8527, 0]]),
                    onConflict: .abort)
                throw Boom()
            }
        }
        // A duplicate key aborts the whole batch too.
        await #expect(throws: PMAPError.self) {
            try await store.write { writer in
                try writer.insert(
                    TableRows(
                        table: "person", columns: columns,
                        rows: [[2, 8507, 1960, 8527, 0], [2, 8532, 1970, 8527, 0]]),
                    onConflict: .abort)
            }
        }
        #expect(try await store.rowCounts().first { $0.table == "person" }?.rows == 0)
    }

    @Test func unknownTableOrColumnIsRefused() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("pmap.sqlite"), create: true)
        await #expect(throws: PMAPError.self) {
            try await store.write {
                try $0.insert(
                    TableRows(table: "persons; DROP TABLE person", columns: ["x"], rows: [[1]]),
                    onConflict: .abort)
            }
        }
        await #expect(throws: PMAPError.self) {
            try await store.write {
                try $0.insert(
                    TableRows(table: "person", columns: ["person_id\" --"], rows: [[1]]), onConflict: .abort)
            }
        }
        #expect(
            try await store.rowCounts().count == 39 + ExtensionSchema.tableNames.count
                + ExtensionSchema.ingestionTableNames.count + ExtensionSchema.sourceTableNames.count
                + ExtensionSchema.governanceTableNames.count + ExtensionSchema.cohortTableNames.count
                + ExtensionSchema.disclosureTableNames.count + ExtensionSchema.keyTableNames.count)
    }
}
