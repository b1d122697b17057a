import Foundation
import GRDB
import PMAPPlatform
import PMAPTestSupport
import Testing

/// A fresh store with its vault key in a temporary folder.
struct IngestFixture {
    let folder: TemporaryFolder
    let platform: Platform
    let vault: IdentityVault
    /// The store's first admin (operational use cases: ingest, status, quarantine).
    let admin: AccessContext
    /// The first admin's API token.
    let adminToken: String

    init() async throws {
        folder = try TemporaryFolder()
        (platform, _) = try await Platform.initialize(storePath: folder.file("pmap.sqlite"))
        try VaultKeyFile.createIfAbsent(folder.file("pmap.key"))
        vault = try VaultKeyFile.vault(
            explicit: folder.file("pmap.key"), storePath: folder.file("pmap.sqlite"))
        let first = try #require(try await platform.createFirstAdmin(vault: vault))
        admin = try await platform.context(token: first.token, vault: vault)
        adminToken = first.token
    }

    /// Row counts of every table but the audit chain (which grows with every action, this one too).
    func counts(as context: AccessContext? = nil) async throws -> [String: Int] {
        let status = try await platform.status(context ?? admin)
        return Dictionary(
            uniqueKeysWithValues: (status.cdmTables + status.extensionTables).filter {
                $0.name != "pmap_audit"
            }.map {
                ($0.name, $0.rows)
            })
    }

    /// Writes a file in the fixture's folder; its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = folder.file(name)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func ingest(
        _ paths: [String], format: IngestFormat = .auto, source: String = "test", dryRun: Bool = false,
        mrnSystem: String? = nil, mapping: String? = nil, sampleMap: String? = nil
    ) async throws
        -> IngestReport
    {
        var request = IngestRequest(paths: paths, format: format, sourceName: source, dryRun: dryRun)
        request.mrnSystem = mrnSystem
        request.mappingPath = mapping
        request.sampleMapPath = sampleMap
        return try await platform.ingest(admin, request, vault: vault)
    }

    /// Integers a query returns, read through a separate read-only connection.
    func integers(_ sql: String) throws -> [Int64] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: folder.file("pmap.sqlite"), configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { try Int64.fetchAll($0, sql: sql) }
    }

    /// Blobs a query returns, read through a separate read-only connection.
    func blobs(_ sql: String) throws -> [Data] {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: folder.file("pmap.sqlite"), configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { try Data.fetchAll($0, sql: sql) }
    }

    /// Every byte of the store (main file and WAL), to check what it does not contain.
    func storeBytes() throws -> Data {
        var data = try Data(contentsOf: folder.url.appendingPathComponent("pmap.sqlite"))
        if let wal = try? Data(contentsOf: folder.url.appendingPathComponent("pmap.sqlite-wal")) {
            data.append(wal)
        }
        return data
    }

    static let patient =
        #"{"resourceType":"Patient","id":"p1","meta":{"lastUpdated":"2024-01-01T00:00:00Z"},"identifier":[{"system":"urn:test:mrn","value":"MRN-UNIQUE-4711"}],"name":[{"family":"Zyxwvut","given":["Ann"]}],"gender":"female","birthDate":"1970-05-06","address":[{"line":["77 Uniquestreet"],"city":"Baltimore","state":"MD","postalCode":"21205"}]}"#
    static let observation =
        #"{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://loinc.org","code":"2857-1"}]},"effectiveDateTime":"2021-03-04","valueQuantity":{"value":5.2,"unit":"ng/mL","code":"ng/mL"}}"#
}

extension IngestFixture {
    /// An admin of the store in `folder` (created on first use, its token kept in the folder).
    static func admin(of platform: Platform, in folder: TemporaryFolder) async throws -> AccessContext {
        try VaultKeyFile.createIfAbsent(folder.file("pmap.key"))
        let vault = try VaultKeyFile.vault(
            explicit: folder.file("pmap.key"), storePath: folder.file("pmap.sqlite"))
        let tokenPath = folder.file("admin.token")
        if let saved = FileManager.default.contents(atPath: tokenPath) {
            return try await platform.context(token: String(decoding: saved, as: UTF8.self), vault: vault)
        }
        let first = try #require(try await platform.createFirstAdmin(vault: vault))
        try first.token.write(toFile: tokenPath, atomically: true, encoding: .utf8)
        return try await platform.context(token: first.token, vault: vault)
    }
}
