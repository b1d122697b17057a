import Foundation
import GRDB
import PMAPModel

/// The embedded store: one SQLite file in WAL mode, created readable by its owner only.
public final class SQLiteStore: Store {
    /// The store file's path.
    public let path: String
    public var location: String { path }
    let pool: DatabasePool

    /// Opens the store at `path`, upgrading an older schema.
    ///
    /// With `create`, a missing file (and missing parent folders) is created with mode 0600;
    /// without it a missing file is an error. Refuses, with ``PMAPError/Kind-swift.struct/unusableStore``
    /// and a message saying what to do, a path that is a folder or unreadable, a file that is
    /// not SQLite or is corrupt, an SQLite database that is not a PMAP store, and a store
    /// written by a newer PMAP. On refusal nothing in the file changes.
    public init(path: String, create: Bool = false) throws {
        self.path = path
        try Self.prepareFile(at: path, create: create)
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // CDM foreign keys are documented, not enforced (as in OHDSI's own DDL). FULL sync:
            // a commit (an acknowledged MLLP message, an ingest batch) survives a power cut too,
            // not only a crashed process.
            try db.execute(sql: "PRAGMA foreign_keys = OFF; PRAGMA synchronous = FULL")
            if !db.configuration.readonly {
                // The writer's page cache (SQLite's default is 2 MB): an ingest maintains several
                // indexes per table, and keeping their hot pages cached saves rereading and
                // rewriting them on every batch. A fixed bound, whatever the input's size.
                try db.execute(sql: "PRAGMA cache_size = -\(Self.writerCacheKiB)")
                // Checkpoint when the WAL holds ~40 MB instead of SQLite's 4 MB: an index page
                // that every batch changes is then copied into the database file once per
                // checkpoint rather than once per commit (on 1.27 M random-key inserts in
                // batches of 10,000: 10.6 s instead of 16.8 s). A bound, not growth.
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.walCheckpointPages)")
            }
        }
        do {
            // Check the file before WAL mode is switched on, so a foreign file is left as it was.
            let probe = try DatabaseQueue(path: path, configuration: Self.readOnly(configuration))
            try probe.read { db in try Self.checkIsPMAPStore(db, path: path) }
            try probe.close()
            pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteMigrations.migrator.migrate(pool)
        } catch let error as PMAPError {
            throw error
        } catch let error as DatabaseError {
            throw Self.storeError(error, path: path)
        }
    }

    /// The writer connection's page cache, in KiB.
    static let writerCacheKiB = 65_536
    /// WAL pages (4 KiB each) after which a commit checkpoints.
    static let walCheckpointPages = 10_000

    private static func readOnly(_ configuration: Configuration) -> Configuration {
        var copy = configuration
        copy.readonly = true
        return copy
    }

    /// Creates the file with owner-only permissions (SQLite gives its -wal and -shm files the
    /// same mode), or checks that an existing one is a readable and writable regular file.
    private static func prepareFile(at path: String, create: Bool) throws {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue {
            throw PMAPError(
                .unusableStore,
                "\(path) is a folder, not a store file; give --store the path of a file such as \(path)/pmap.sqlite"
            )
        }
        if !exists {
            guard create else {
                throw PMAPError(
                    .unusableStore,
                    "no PMAP store at \(path); create one with `pmap init --store \(path)` or point --store (or PMAP_STORE) at an existing store"
                )
            }
            let folder = (path as NSString).deletingLastPathComponent
            if !folder.isEmpty {
                do {
                    try FileManager.default.createDirectory(
                        atPath: folder, withIntermediateDirectories: true,
                        attributes: [.posixPermissions: 0o700])
                } catch {
                    throw PMAPError(
                        .unusableStore,
                        "cannot create the folder \(folder) for the store; check the path and its permissions"
                    )
                }
            }
            let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
            guard descriptor >= 0 else {
                throw PMAPError(
                    .unusableStore,
                    "cannot create the store file \(path) (\(String(cString: strerror(errno)))); check the folder's permissions"
                )
            }
            close(descriptor)
            return
        }
        guard access(path, R_OK | W_OK) == 0 else {
            throw PMAPError(
                .unusableStore,
                "cannot read and write the store file \(path); check its owner and permissions (PMAP creates it as mode 0600)"
            )
        }
    }

    /// Refuses an SQLite database that holds tables but is not a PMAP store, and a PMAP store
    /// from a newer PMAP.
    private static func checkIsPMAPStore(_ db: Database, path: String) throws {
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
        if tables.isEmpty { return }
        guard tables.contains("grdb_migrations") else {
            throw PMAPError(
                .unusableStore,
                "\(path) is an SQLite database but not a PMAP store; choose another --store path (PMAP does not write into foreign databases)"
            )
        }
        let migrator = SQLiteMigrations.migrator
        if try migrator.hasBeenSuperseded(db) {
            let known = Set(migrator.migrations)
            let unknown = try migrator.appliedIdentifiers(db).filter { !known.contains($0) }.sorted()
            throw PMAPError(
                .unusableStore,
                "\(path) was written by a newer PMAP (schema migrations \(unknown.joined(separator: ", ")) are unknown to this one); upgrade pmap to open it"
            )
        }
    }

    static func storeError(_ error: DatabaseError, path: String) -> PMAPError {
        switch error.resultCode {
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return PMAPError(
                .unusableStore,
                "\(path) is not a PMAP store or is corrupt (SQLite: \(error.resultCode)); restore it from a backup or choose another --store path"
            )
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_READONLY, .SQLITE_AUTH:
            return PMAPError(
                .unusableStore,
                "cannot open \(path) for reading and writing (SQLite: \(error.resultCode)); check the file's permissions"
            )
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return PMAPError(.failure, "\(path) is locked by another process; try again when it has finished")
        case .SQLITE_FULL:
            return PMAPError(
                .failure, "the disk holding \(path) is full; free space and try again (nothing was written)")
        default:
            return PMAPError(
                .failure,
                "the store \(path) failed (SQLite: \(error.resultCode): \(error.message ?? "no message")); nothing was written"
            )
        }
    }

    /// Runs a read, mapping SQLite failures to ``PMAPError``.
    func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try await pool.read(body)
        } catch let error as DatabaseError {
            throw Self.storeError(error, path: path)
        }
    }

    public func schemaStatus() async throws -> StoreSchemaStatus {
        let applied = try await read { db in try SQLiteMigrations.migrator.appliedMigrations(db) }
        return StoreSchemaStatus(
            version: applied.count, latestVersion: SQLiteMigrations.migrator.migrations.count,
            appliedMigrations: applied, cdmVersion: CDMSchema.version)
    }

    public func rowCounts() async throws -> [TableRowCount] {
        try await read { db in
            var counts: [TableRowCount] = []
            for name in CDMSchema.tableNames {
                let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(SQLiteSchema.quoted(name))") ?? 0
                counts.append(TableRowCount(table: name, rows: rows, isCDMTable: true))
            }
            for name in ExtensionSchema.allTableNames {
                let rows = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(SQLiteSchema.quoted(name))") ?? 0
                counts.append(TableRowCount(table: name, rows: rows, isCDMTable: false))
            }
            return counts
        }
    }

    /// Runs raw statements in one write transaction, mapping SQLite failures to ``PMAPError``.
    func writeTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(body)
        } catch let error as DatabaseError {
            throw Self.storeError(error, path: path)
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) throws -> T) async throws
        -> T
    {
        do {
            return try await pool.write { db in try body(SQLiteWriter(db: db)) }
        } catch let error as DatabaseError {
            throw Self.storeError(error, path: path)
        }
    }
}
