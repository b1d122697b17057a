import Crypto
import Foundation

/// API tokens: random, shown once, stored only as a hash.
///
/// A token is `pmap_` and 43 base64url characters (32 random bytes, no padding). The store keeps
/// only ``hash(_:)`` of it, so a copy of the database lets no one sign in.
public enum APIToken {
    /// The prefix every token starts with (so secret scanners and people can recognise one).
    public static let prefix = "pmap_"

    /// A new token from 32 bytes of the system's secure random generator.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let base64url = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + base64url
    }

    /// The SHA-256 of the token's UTF-8 bytes: what the store keeps and looks tokens up by.
    public static func hash(_ token: String) -> Data {
        Data(SHA256.hash(data: Data(token.utf8)))
    }

    /// Whether `text` has a token's shape (prefix and 43 base64url characters); a quick check
    /// before any lookup, not a proof the token exists.
    public static func isWellFormed(_ text: String) -> Bool {
        guard text.hasPrefix(prefix) else { return false }
        let body = text.utf8.dropFirst(prefix.utf8.count)
        return body.count == 43
            && body.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"):
                    true
                default: false
                }
            }
    }
}
