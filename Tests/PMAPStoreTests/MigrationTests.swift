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

    /// Source records written before v11 are found after it: their keys are hashed by the
    /// migration, and the legacy OMOP keys stay findable by prefix.
    @Test func sourceRecordsOfAnEarlierStoreAreFoundAfterTheUpgrade() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("old.sqlite")
        let queue = try DatabaseQueue(path: path)
        try SQLiteMigrations.migrator.migrate(queue, upTo: SQLiteMigrations.keys)
        try await queue.write { db in
            for (source, key) in [
                ("fhir", "Observation/9f1c"), ("csv", "omop:person:ab12"), ("fhir", "Patient/1"),
            ] {
                try db.execute(
                    sql: """
                        INSERT INTO pmap_source_record (source_name, record_key, record_version, content_hash, data_load_id)
                        VALUES (?, ?, '3', ?, 1)
                        """, arguments: [source, key, "hash-of-\(key)"])
            }
        }
        try queue.close()
        let store = try SQLiteStore(path: path)
        try await store.write { writer in
            #expect(
                try writer.sourceRecord(sourceName: "fhir", key: "Observation/9f1c")
                    == StoredSourceRecord(version: "3", contentHash: "hash-of-Observation/9f1c"))
            #expect(try writer.sourceRecord(sourceName: "csv", key: "Observation/9f1c") == nil)
            let found = try writer.sourceRecords(
                sourceName: "fhir", keys: ["Patient/1", "Patient/2", "Observation/9f1c"])
            #expect(Set(found.keys) == ["Patient/1", "Observation/9f1c"])
            #expect(try writer.hasSourceRecords(sourceName: "csv", keyPrefix: "omop:person:"))
            #expect(try !writer.hasSourceRecords(sourceName: "csv", keyPrefix: "omop:measurement:"))
            #expect(try writer.hasSourceRecords(sourceName: "fhir", keyPrefix: "Patient/"))
            try writer.deleteSourceRecord(sourceName: "fhir", key: "Patient/1")
            #expect(try writer.sourceRecord(sourceName: "fhir", key: "Patient/1") == nil)
        }
        let hashes = try await store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT source_name, record_key, key_hash FROM pmap_source_record")
        }
        for row in hashes {
            #expect(
                row["key_hash"] as Int64
                    == SourceRecordKey.hash(sourceName: row["source_name"], key: row["record_key"]))
        }
        // The legacy OMOP look-up probes the partial index instead of scanning.
        let plan = try await store.pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    EXPLAIN QUERY PLAN SELECT 1 FROM pmap_source_record WHERE source_name = 'csv'
                    AND record_key >= 'omop:person:' AND record_key < 'omop:person;' AND record_key LIKE 'omop:%' LIMIT 1
                    """
            ).map { $0["detail"] as String }.joined()
        }
        #expect(plan.contains("idx_pmap_source_record_legacy_omop"), "\(plan)")
    }

    /// A key whose hash another key shares is not mistaken for it: look-ups compare the key.
    @Test func aKeySharingAnotherKeysHashIsToldApart() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteStore(path: folder.file("pmap.sqlite"), create: true)
        // `B/2` stored under the hash of `A/1`, as if the two keys collided.
        let shared = SourceRecordKey.hash(sourceName: "s", key: "A/1")
        try await store.write { writer in
            try writer.insert(
                TableRows(
                    table: "pmap_source_record",
                    columns: [
                        "key_hash", "source_name", "record_key", "content_hash", "data_load_id", "cdm_table",
                        "first_row_id", "row_count",
                    ],
                    rows: [
                        [
                            .integer(shared), .text("s"), .text("B/2"), .text("b"), .integer(1),
                            .text("visit_occurrence"), .integer(7), .integer(1),
                        ]
                    ]),
                onConflict: .abort)
        }
        try await store.write { writer in
            #expect(try writer.sourceRecord(sourceName: "s", key: "A/1") == nil)
            #expect(try writer.sourceRecords(sourceName: "s", keys: ["A/1"]).isEmpty)
            #expect(try writer.rows(ofSourceRecord: "A/1", sourceName: "s").isEmpty)
            #expect(
                try writer.rowID(ofSourceRecord: "A/1", sourceName: "s", table: "visit_occurrence") == nil)
            #expect(
                try writer.rowIDs(ofSourceRecords: ["A/1"], sourceName: "s", table: "visit_occurrence")
                    .isEmpty)
            #expect(
                try writer.rowIDs(ofSourceRecords: ["B/2"], sourceName: "s", table: "visit_occurrence")
                    .isEmpty,
                "B/2 is stored under A/1's hash, so a look-up by its own hash does not reach it")
            try writer.deleteSourceRecord(sourceName: "s", key: "A/1")
        }
        #expect(
            try await store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM pmap_source_record") }
                == 1)
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
