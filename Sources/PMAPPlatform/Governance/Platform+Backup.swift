import Foundation
import PMAPGovernance
import PMAPStore

/// What a backup holds and needs.
public struct BackupReport: Sendable {
    public let path: String
    public let bytes: Int
    /// Fingerprints of the vault keys its encrypted columns need (`pmap.key` files).
    public let keyIDs: [String]
}

/// What checking a backup against a key found.
public struct BackupCheck: Sendable {
    public let schemaVersion: Int
    public let persons: Int
    public let identitiesOpened: Int
    public let auditEntries: Int
}

extension Platform {
    /// Writes a consistent online backup of the store (admins); says which key files it needs.
    public func backup(_ context: AccessContext, to destination: String) async throws -> BackupReport {
        try await require(
            context, .manageUsers, auditAction: "backup", target: (destination as NSString).lastPathComponent)
        try await store.backup(to: destination)
        let attributes = try FileManager.default.attributesOfItem(atPath: destination)
        let keys = try await store.vaultKeyIDs()
        return BackupReport(
            path: destination, bytes: (attributes[.size] as? Int) ?? 0, keyIDs: keys.sorted())
    }

    /// Checks that a backup opens and that `vault` is its key: every identity decrypts and the
    /// audit chain verifies. Nothing is changed.
    public static func checkBackup(_ path: String, vault: IdentityVault) async throws -> BackupCheck {
        let platform = try Platform.open(storePath: path)
        let keys = try await platform.store.vaultKeyIDs()
        if !keys.isEmpty && !keys.contains(vault.key.id) {
            throw PMAPError(
                .permissionDenied,
                "the backup was sealed with key(s) \(keys.sorted().joined(separator: ", ")), not \(vault.key.id); give the matching --key-file"
            )
        }
        let (sealed, entries) = try await platform.store.write { writer in
            (
                try (1...max(1, try writer.maxID(table: "pmap_identity", column: "person_id"))).compactMap {
                    try writer.identity(personID: Int64($0))
                },
                try writer.auditEntries(project: nil)
            )
        }
        let persons = try await platform.store.rowCounts().first { $0.table == "person" }?.rows ?? 0
        for identity in sealed { _ = try vault.openIdentity(identity) }
        if case .broken(let sequence, let problem) = AuditChain(key: vault.key).verify(
            entries, expectedHead: nil)
        {
            throw PMAPError(.badInput, "the backup's audit chain is broken at entry \(sequence): \(problem)")
        }
        let schema = try await platform.store.schemaStatus()
        return BackupCheck(
            schemaVersion: schema.version, persons: persons, identitiesOpened: sealed.count,
            auditEntries: entries.count)
    }

    /// Restores a checked backup to a new store file (never over an existing one).
    public static func restore(_ backup: String, to storePath: String, vault: IdentityVault) async throws
        -> BackupCheck
    {
        guard !FileManager.default.fileExists(atPath: storePath) else {
            throw PMAPError(
                .badInput, "\(storePath) exists; restore to a new path, then swap the files yourself")
        }
        let check = try await checkBackup(backup, vault: vault)
        do {
            try FileManager.default.copyItem(atPath: backup, toPath: storePath)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: storePath)
        } catch {
            throw PMAPError(.badInput, "cannot write \(storePath); check the folder exists and is writable")
        }
        return check
    }
}
