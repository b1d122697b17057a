import Foundation
import GRDB
import PMAPModel
import PMAPTestSupport
import Testing

@testable import PMAPStore

/// Each unusable store is refused with `unusableStore` and a message saying what to do, and
/// the file is left byte for byte as it was.
struct StoreErrorTests {
    private func expectRefused(_ path: String, mentioning phrase: String) {
        #expect {
            _ = try SQLiteStore(path: path)
        } throws: { error in
            guard let error = error as? PMAPError else { return false }
            return error.kind == .unusableStore && error.message.contains(phrase)
        }
    }

    @Test func missingStoreSaysHowToCreateOne() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        expectRefused(folder.file("absent.sqlite"), mentioning: "pmap init")
        #expect(!FileManager.default.fileExists(atPath: folder.file("absent.sqlite")))
    }

    @Test func storeUnderAFileCannotBeCreated() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try Data("x".utf8).write(to: folder.url.appendingPathComponent("plain-file"))
        #expect {
            _ = try SQLiteStore(path: folder.file("plain-file/pmap.sqlite"), create: true)
        } throws: { error in
            (error as? PMAPError)?.kind == .unusableStore && "\(error)".contains("cannot create the folder")
        }
    }

    @Test func folderIsNotAStore() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        expectRefused(folder.path, mentioning: "is a folder")
    }

    @Test func corruptFileIsRefusedAndLeftUnchanged() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("corrupt.sqlite")
        let bytes = Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        try bytes.write(to: URL(fileURLWithPath: path))
        expectRefused(path, mentioning: "corrupt")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == bytes)
    }

    @Test func truncatedStoreIsRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("pmap.sqlite")
        do {
            let store = try SQLiteStore(path: path, create: true)
            try store.pool.close()
        }
        let whole = try Data(contentsOf: URL(fileURLWithPath: path))
        try? FileManager.default.removeItem(atPath: path + "-wal")
        try? FileManager.default.removeItem(atPath: path + "-shm")
        var damaged = whole
        damaged.replaceSubrange(0..<16, with: Data(repeating: 0x41, count: 16))
        try damaged.write(to: URL(fileURLWithPath: path))
        expectRefused(path, mentioning: "corrupt")
    }

    @Test func foreignSQLiteDatabaseIsNotTouched() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("other.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { try $0.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)") }
        try queue.close()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        expectRefused(path, mentioning: "not a PMAP store")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func storeFromNewerPMAPIsRefusedAndLeftUnchanged() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("pmap.sqlite")
        do {
            let store = try SQLiteStore(path: path, create: true)
            try store.pool.write {
                try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-from-the-future')")
            }
            try store.pool.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        expectRefused(path, mentioning: "newer PMAP")
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test(.enabled(if: getuid() != 0, "root reads every file, so permissions cannot be tested as root"))
    func unreadableStoreIsRefused() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("pmap.sqlite")
        _ = try SQLiteStore(path: path, create: true)
        chmod(path, 0o000)
        expectRefused(path, mentioning: "permissions")
    }
}
