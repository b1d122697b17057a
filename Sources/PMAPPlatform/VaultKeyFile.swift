import Foundation
import PMAPGovernance

/// The vault key file: `--key-file`, else `$PMAP_KEY_FILE`, else `pmap.key` beside the store.
/// Created (mode 0600) by `pmap init` when absent; never stored in the database.
public enum VaultKeyFile {
    /// The key file path for a store.
    public static func path(explicit: String?, storePath: String) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PMAP_KEY_FILE"],
            !fromEnvironment.isEmpty
        {
            return fromEnvironment
        }
        let folder = (storePath as NSString).deletingLastPathComponent
        return folder.isEmpty ? "pmap.key" : (folder as NSString).appendingPathComponent("pmap.key")
    }

    /// Reads the key; throws (unusable store) with what to do when the file is missing or wrong.
    public static func load(_ path: String) throws -> VaultKey {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw PMAPError(
                .unusableStore,
                "no vault key at \(path); give the institution's key with --key-file or PMAP_KEY_FILE (pmap init creates one for a new store)"
            )
        }
        return try VaultKey(fileContents: contents, fileName: path)
    }

    /// Creates a new key file with mode 0600 unless one exists; whether it created one.
    @discardableResult
    public static func createIfAbsent(_ path: String) throws -> Bool {
        if FileManager.default.fileExists(atPath: path) { return false }
        try write(VaultKey.generate(), to: path)
        return true
    }

    /// Writes a new key file (mode 0600, never over an existing file) and flushes it and its
    /// folder to disk, so the key survives a power cut once this returns.
    public static func write(_ key: VaultKey, to path: String) throws {
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard descriptor >= 0 else {
            throw PMAPError(
                .unusableStore,
                "cannot create the vault key file \(path); check the folder's permissions and that no file of that name exists"
            )
        }
        let data = key.fileContents()
        let written = data.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, data.count) }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard written == data.count, synced else {
            throw PMAPError(.failure, "writing the vault key file \(path) failed; remove it and try again")
        }
        syncFolder(of: path)
    }

    /// Where a rotation keeps the new key until the store is re-keyed.
    static func nextPath(for keyFile: String) -> String { keyFile + ".next" }

    /// Where a rotation keeps the replaced key (older backups need it).
    static func retiredPath(for keyFile: String, keyID: String) -> String { keyFile + ".retired-" + keyID }

    /// Keeps `old` at `retiredPath`, then moves the key at `nextPath` over `keyFile` (atomic).
    static func install(_ nextPath: String, as keyFile: String, keeping old: VaultKey, at retiredPath: String)
        throws
    {
        if !FileManager.default.fileExists(atPath: retiredPath) { try write(old, to: retiredPath) }
        guard rename(nextPath, keyFile) == 0 else {
            throw PMAPError(
                .failure,
                "cannot move \(nextPath) to \(keyFile); move it by hand (it is the store's key now) and keep \(retiredPath)"
            )
        }
        syncFolder(of: keyFile)
    }

    private static func syncFolder(of path: String) {
        let folder = (path as NSString).deletingLastPathComponent
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}

extension VaultKeyFile {
    /// The vault of a store, from its key file.
    public static func vault(explicit: String?, storePath: String) throws -> IdentityVault {
        IdentityVault(key: try load(path(explicit: explicit, storePath: storePath)))
    }
}
