import Crypto
import Foundation
import PMAPModel

/// A project's secrets for its extracts: one for patient pseudonyms, one for date shifts.
///
/// They are made once per project and then kept sealed in the store under the vault key, so a
/// key rotation re-seals them without changing a single pseudonym or shift: a project's
/// extracts from before and after a rotation still link.
public struct ProjectKeys: Sendable {
    let pseudonymKey: SymmetricKey
    let shiftKey: SymmetricKey

    /// A project's keys when they are first needed: derived (HKDF) from the vault key in use and
    /// the project id. This is how extracts were keyed before the keys were stored, so projects
    /// that exported earlier keep their pseudonyms.
    public static func initial(projectID: Int64, key: VaultKey) -> ProjectKeys {
        ProjectKeys(
            pseudonymKey: HKDF<SHA256>.deriveKey(
                inputKeyMaterial: key.key, info: Data("pmap project pseudonym v1 \(projectID)".utf8),
                outputByteCount: 32),
            shiftKey: HKDF<SHA256>.deriveKey(
                inputKeyMaterial: key.key, info: Data("pmap project date shift v1 \(projectID)".utf8),
                outputByteCount: 32))
    }

    /// The keys sealed by `vault`, for the store.
    public func sealed(by vault: IdentityVault) throws -> Data {
        var bytes = pseudonymKey.withUnsafeBytes { Data($0) }
        bytes.append(shiftKey.withUnsafeBytes { Data($0) })
        return try vault.seal(bytes)
    }

    /// Keys from ``sealed(by:)``.
    public static func open(_ sealed: Data, vault: IdentityVault) throws -> ProjectKeys {
        let bytes = try vault.open(sealed)
        guard bytes.count == 64 else {
            throw PMAPError(
                .unusableStore, "a stored project key has the wrong length; restore the store from a backup")
        }
        return ProjectKeys(
            pseudonymKey: SymmetricKey(data: bytes.prefix(32)), shiftKey: SymmetricKey(data: bytes.suffix(32))
        )
    }
}
