import Foundation
import GRDB
import PMAPModel
import PMAPTestSupport
import Testing

@testable import PMAPStore

struct MigrationTests {
    /// Every object's DDL as SQLite keeps it, to compare two stores' schemas.
    private func schema(at path: String) throws -> [String] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            try String.fetchAll(
                db,
                sql:
                    "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
            )
        }
    }

    @Test func emptyStoreGetsAll39CDMTablesWithSpecificationTypes() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("pmap.sqlite"), create: true)
        try store.pool.read { db in
            for table in CDMSchema.tables {
                let columns = try db.columns(in: table.name)
                #expect(columns.map(\.name) == table.columns.map(\.name), "columns of \(table.name)")
                for (column, spec) in zip(columns, table.columns) {
                    #expect(column.type == SQLiteSchema.sqlType(spec), "\(table.name).\(spec.name) type")
                    #expect(
                        column.isNotNull == (spec.isRequired || spec.isPrimaryKey),
                        "\(table.name).\(spec.name) NOT NULL")
                }
            }
            for table in ExtensionSchema.tableNames {
                #expect(try db.tableExists(table), "extension table \(table)")
            }
            let journal = try String.fetchOne(db, sql: "PRAGMA journal_mode")
            #expect(journal == "wal")
            #expect(
                try db.indexes(on: "condition_occurrence").contains {
                    $0.columns == ["person_id", "condition_start_date"]
                })
            #expect(
                try db.indexes(on: "concept_ancestor").contains {
                    $0.columns == ["ancestor_concept_id", "descendant_concept_id"]
                })
        }
    }

    @Test func storeFileIsReadableByItsOwnerOnly() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("nested/pmap.sqlite")
        _ = try SQLiteStore(path: path, create: true)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        for suffix in ["-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            let side = try FileManager.default.attributesOfItem(atPath: path + suffix)
            #expect((side[.posixPermissions] as? Int) == 0o600, "\(suffix) file mode")
        }
    }

    /// Upgrading from each earlier schema version gives exactly the schema of a new store.
    @Test(arguments: SQLiteMigrations.migrator.migrations.dropLast())
    func upgradeFromEarlierVersionMatchesFreshStore(lastApplied: String) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let fresh = folder.file("fresh.sqlite")
        _ = try SQLiteStore(path: fresh, create: true)

        let old = folder.file("old.sqlite")
        let queue = try DatabaseQueue(path: old)
        try SQLiteMigrations.migrator.migrate(queue, upTo: lastApplied)
        try queue.close()
        let store = try SQLiteStore(path: old)
        let status = try store.pool.read { try SQLiteMigrations.migrator.appliedMigrations($0) }
        #expect(status == SQLiteMigrations.migrator.migrations)
        #expect(try schema(at: old) == schema(at: fresh))
    }

    @Test func schemaStatusReportsVersions() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("pmap.sqlite"), create: true)
        let status = try await store.schemaStatus()
        #expect(status.version == status.latestVersion)
        #expect(status.version == 11)
        #expect(status.cdmVersion == "5.4")
        let counts = try await store.rowCounts()
        #expect(counts.filter(\.isCDMTable).count == 39)
        #expect(counts.first { $0.table == "cdm_source" }?.rows == 1)
    }
}
