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
        let descriptor = open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
        guard descriptor >= 0 else {
            throw PMAPError(
                .unusableStore, "cannot create the vault key file \(path); check the folder's permissions")
        }
        let data = VaultKey.generate().fileContents()
        let written = data.withUnsafeBytes { write(descriptor, $0.baseAddress, data.count) }
        close(descriptor)
        guard written == data.count else {
            throw PMAPError(
                .failure, "writing the vault key file \(path) failed; remove it and run pmap init again")
        }
        return true
    }
}

extension VaultKeyFile {
    /// The vault of a store, from its key file.
    public static func vault(explicit: String?, storePath: String) throws -> IdentityVault {
        IdentityVault(key: try load(path(explicit: explicit, storePath: storePath)))
    }
}
