import Foundation
import GRDB
import PMAPModel

extension SQLiteStore {
    /// A consistent online copy of the whole store (SQLite's backup API: writers may go on),
    /// written to a new file created with mode 0600.
    public func backup(to destination: String) async throws {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw PMAPError(.badInput, "\(destination) exists already; give a new file for the backup")
        }
        guard
            FileManager.default.createFile(
                atPath: destination, contents: nil, attributes: [.posixPermissions: 0o600])
        else {
            throw PMAPError(
                .badInput, "cannot create \(destination); check the folder exists and is writable")
        }
        do {
            let target = try DatabaseQueue(path: destination)
            try pool.backup(to: target)
            try target.close()
        } catch let error as DatabaseError {
            try? FileManager.default.removeItem(atPath: destination)
            throw Self.storeError(error, path: path)
        }
    }

    /// The key ids the store's ciphertexts were sealed with (identity vault, quarantine, inbox,
    /// project keys).
    public func vaultKeyIDs() async throws -> Set<String> {
        try await read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT key_id FROM pmap_identity UNION SELECT key_id FROM pmap_quarantine WHERE key_id IS NOT NULL
                        UNION SELECT key_id FROM pmap_inbound_message UNION SELECT key_id FROM pmap_project_key
                        """))
        }
    }
}
