import Crypto
import Foundation
import PMAPModel

/// The institution's key for the identity vault: 256 random bits, kept in a key file outside
/// the database (`pmap.key` beside the store by default, mode 0600).
///
/// File format: the line `pmap-vault-key-v1` then the key in base64 on the next line.
public struct VaultKey: Sendable {
    let key: SymmetricKey
    /// A short public fingerprint of the key (recorded beside ciphertexts to detect a wrong key).
    public let id: String

    init(key: SymmetricKey) {
        self.key = key
        let digest = SHA256.hash(data: key.withUnsafeBytes { Data($0) })
        id = digest.prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    /// A new random key.
    public static func generate() -> VaultKey {
        VaultKey(key: SymmetricKey(size: .bits256))
    }

    private static let header = "pmap-vault-key-v1"

    /// Reads a key file's contents; `fileName` only names the file in errors.
    public init(fileContents: Data, fileName: String) throws {
        let lines = String(decoding: fileContents, as: UTF8.self).split(whereSeparator: \.isNewline)
        guard lines.count >= 2, lines[0] == Self.header, let bytes = Data(base64Encoded: String(lines[1])),
            bytes.count == 32
        else {
            throw PMAPError(
                .badInput,
                "\(fileName) is not a PMAP vault key (expected '\(Self.header)' and a base64 256-bit key); restore the institution's key file, never create a new one for an existing store"
            )
        }
        self.init(key: SymmetricKey(data: bytes))
    }

    /// The key file's contents.
    public func fileContents() -> Data {
        let base64 = key.withUnsafeBytes { Data($0) }.base64EncodedString()
        return Data("\(Self.header)\n\(base64)\n".utf8)
    }
}
