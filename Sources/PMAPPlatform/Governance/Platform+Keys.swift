import Foundation
import PMAPGovernance
import PMAPStore

/// What a vault key rotation did.
public struct KeyRotationReport: Sendable {
    public let previousKeyID: String
    public let keyID: String
    /// Whether this run finished a rotation an earlier run started.
    public let resumed: Bool
    /// Values re-sealed, by kind (identities, quarantined records, inbound messages, project keys).
    public let resealed: [SealedKind: Int]
    /// Blind-index hashes re-made under the new key.
    public let lookups: Int
    /// Audit entries whose MAC was re-made under the new key.
    public let auditEntries: Int
    /// Where the previous key was kept: older backups need it.
    public let retiredKeyFile: String
}

extension Platform {
    /// The setting naming the vault key the store is sealed under.
    static let vaultKeySetting = "vault_key_id"
    /// The setting naming the key an unfinished rotation moves to.
    static let rotationTargetSetting = "vault_key_rotation_target"

    /// Refuses a vault whose key is not the store's, and any use during an unfinished rotation;
    /// records the key of a store that has none recorded yet (made before keys were recorded).
    func checkVaultKey(_ vault: IdentityVault) async throws {
        let (recorded, target) = try await store.write {
            (try $0.setting(Self.vaultKeySetting), try $0.setting(Self.rotationTargetSetting))
        }
        if let target {
            throw PMAPError(
                .unusableStore,
                "a vault key rotation (to key \(target)) is unfinished; an admin must run pmap keys rotate again to finish it before the store can be used"
            )
        }
        if let recorded {
            guard recorded == vault.key.id else {
                throw PMAPError(
                    .permissionDenied,
                    "the key file holds vault key \(vault.key.id) but this store is under key \(recorded); give the store's key file with --key-file or PMAP_KEY_FILE"
                )
            }
            return
        }
        // Only a store from before keys were recorded gets here (once): learn its key from what
        // it sealed, a scan of the sealed tables kept off every later command's path.
        let sealedUnder = try await store.vaultKeyIDs()
        guard sealedUnder.isSubset(of: [vault.key.id]) else {
            throw PMAPError(
                .permissionDenied,
                "the key file holds vault key \(vault.key.id) but the store's data is sealed under \(sealedUnder.sorted().joined(separator: ", ")); give the store's key file with --key-file or PMAP_KEY_FILE"
            )
        }
        try await store.write { writer in
            if try writer.setting(Self.vaultKeySetting) == nil {
                try writer.setSetting(Self.vaultKeySetting, vault.key.id)
            }
        }
    }

    /// A project's extract keys: stored sealed on first use, so rotations keep them.
    func projectKeys(_ project: Int64, vault: IdentityVault) async throws -> ProjectKeys {
        try await store.write { writer in
            if let stored = try writer.projectKeys(project: project) {
                return try ProjectKeys.open(stored.sealed, vault: vault)
            }
            let keys = ProjectKeys.initial(projectID: project, key: vault.key)
            try writer.saveProjectKeys(
                project: project, sealed: try keys.sealed(by: vault), keyID: vault.key.id)
            return keys
        }
    }

    /// Rotates the vault key (admins): a new key file is made beside the old one, every sealed
    /// value is re-sealed and every blind-index hash re-made under it in batches (each value
    /// records its key, so a crash loses nothing and running this again finishes the job), the
    /// audit chain is checked and re-keyed in one transaction, and then the new key replaces the
    /// old in `keyFile`; the old key is kept as `keyFile.retired-<id>` for older backups.
    ///
    /// Stop listeners and ingests first: they hold the old key.
    public func rotateVaultKey(
        token: String, keyFile: String, batchSize: Int = 500,
        checkpoint: @Sendable (String) -> Void = { _ in }
    ) async throws -> KeyRotationReport {
        guard batchSize > 0 else { throw PMAPError(.usage, "give a batch size above 0") }
        let current = IdentityVault(key: try VaultKeyFile.load(keyFile))
        let nextPath = VaultKeyFile.nextPath(for: keyFile)
        let retiredPath = VaultKeyFile.retiredPath(for: keyFile, keyID: current.key.id)
        let (recorded, target) = try await store.write {
            (try $0.setting(Self.vaultKeySetting), try $0.setting(Self.rotationTargetSetting))
        }
        var next: IdentityVault?
        if FileManager.default.fileExists(atPath: nextPath) {
            let key = try VaultKeyFile.load(nextPath)
            next = IdentityVault(key: key)
            if recorded == key.id && target == nil {
                // The store was re-keyed; only the key files remain to be swapped.
                let context = try await authenticate(token: token, vault: next!)
                try await require(
                    context, .manageUsers, auditAction: "keys.rotate", target: "vault key \(key.id)")
                try VaultKeyFile.install(nextPath, as: keyFile, keeping: current.key, at: retiredPath)
                return KeyRotationReport(
                    previousKeyID: current.key.id, keyID: key.id, resumed: true, resealed: [:], lookups: 0,
                    auditEntries: 0, retiredKeyFile: retiredPath)
            }
            guard target == key.id || (target == nil && (recorded ?? current.key.id) == current.key.id) else {
                throw PMAPError(
                    .unusableStore,
                    "\(nextPath) holds key \(key.id), which is neither this store's key nor the one its rotation moves to; move that file away and run pmap keys rotate again"
                )
            }
        } else if let target {
            throw PMAPError(
                .unusableStore,
                "a rotation to vault key \(target) was interrupted and its new key file \(nextPath) is missing; put that file back (from wherever it was copied) and run pmap keys rotate again"
            )
        }
        let resumed = target != nil
        let context = try await authenticate(token: token, vault: current)
        if !resumed { try await checkVaultKey(current) }
        try await require(
            context, .manageUsers, auditAction: "keys.rotate", target: "vault key \(current.key.id)")
        if !resumed {
            try await checkLookupsCanBeRebuilt(current, batchSize: batchSize)
            if next == nil {
                let key = VaultKey.generate()
                try VaultKeyFile.write(key, to: nextPath)
                next = IdentityVault(key: key)
            }
            checkpoint("new-key-written")
            try await store.write { [next] writer in
                // Projects get their extract keys under the old key first, so their pseudonyms survive.
                for project in try writer.projects().map(\.state.id)
                where try writer.projectKeys(project: project) == nil {
                    let keys = ProjectKeys.initial(projectID: project, key: current.key)
                    try writer.saveProjectKeys(
                        project: project, sealed: try keys.sealed(by: current), keyID: current.key.id)
                }
                try writer.setSetting(Self.rotationTargetSetting, next!.key.id)
            }
        }
        let ring = KeyRing(current: current, next: next!)
        var resealed: [SealedKind: Int] = [:]
        var lookups = 0
        var batch = 0
        for kind in SealedKind.allCases {
            while true {
                let (count, remade) = try await store.write { writer in
                    try Self.resealBatch(kind, ring: ring, batchSize: batchSize, writer)
                }
                guard count > 0 else { break }
                resealed[kind, default: 0] += count
                lookups += remade
                batch += 1
                checkpoint("batch-\(batch)")
            }
        }
        let auditEntries = try await store.write { writer in
            try Self.finishRotation(ring: ring, actor: context.actor, writer)
        }
        checkpoint("store-rotated")
        try VaultKeyFile.install(nextPath, as: keyFile, keeping: current.key, at: retiredPath)
        return KeyRotationReport(
            previousKeyID: current.key.id, keyID: ring.next.key.id, resumed: resumed, resealed: resealed,
            lookups: lookups, auditEntries: auditEntries, retiredKeyFile: retiredPath)
    }

}

/// The two vault keys of a rotation.
struct KeyRing: Sendable {
    let current: IdentityVault
    let next: IdentityVault

    /// The vault for a value's key id (nil: written before key ids were recorded, so the current key).
    func vault(for keyID: String?) throws -> IdentityVault {
        switch keyID {
        case nil, current.key.id?: return current
        case next.key.id?: return next
        default:
            throw PMAPError(
                .unusableStore,
                "a value is sealed under vault key \(keyID!), which is neither the store's key \(current.key.id) nor the new key \(next.key.id); give the key file it was sealed with"
            )
        }
    }
}
