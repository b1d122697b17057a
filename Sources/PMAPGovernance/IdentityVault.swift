import Crypto
import Foundation
import PMAPModel

/// Encrypts direct identifiers (names, MRNs, addresses, phones, e-mails, exact birth dates)
/// with AES-GCM under the institution's ``VaultKey``, and derives keyed lookup hashes ("blind
/// indexes") so a person can be found by MRN without decrypting anything.
public struct IdentityVault: Sendable {
    public let key: VaultKey
    private let indexKey: SymmetricKey

    public init(key: VaultKey) {
        self.key = key
        indexKey = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key.key, info: Data("pmap blind index v1".utf8), outputByteCount: 32)
    }

    /// AES-GCM ciphertext of `plaintext` (nonce, ciphertext and tag in one blob).
    public func seal(_ plaintext: Data) throws -> Data {
        do {
            guard let combined = try AES.GCM.seal(plaintext, using: key.key).combined else {
                throw PMAPError(.failure, "AES-GCM produced no combined ciphertext; this is a bug in PMAP")
            }
            return combined
        } catch let error as PMAPError {
            throw error
        } catch {
            throw PMAPError(.failure, "encrypting for the identity vault failed; this is a bug in PMAP")
        }
    }

    /// The plaintext of a blob from ``seal(_:)``; fails when the key is wrong or the blob was altered.
    public func open(_ sealed: Data) throws -> Data {
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: sealed), using: key.key)
        } catch {
            throw PMAPError(
                .permissionDenied,
                "a vault entry cannot be decrypted with key \(key.id): the key file is not the one this store was written with, or the entry was altered"
            )
        }
    }

    /// A keyed hash (HMAC-SHA256) of an identifier, e.g. kind `mrn` and value `system|MRN123`:
    /// equal inputs give equal hashes under one key, and nothing can be learnt without the key.
    public func blindIndex(kind: String, value: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data("\(kind)\u{0}\(value)".utf8), using: indexKey))
    }

    /// Seals a person's identity record.
    public func seal(_ identity: PersonIdentity) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try seal(try encoder.encode(identity))
    }

    /// Opens a sealed identity record.
    public func openIdentity(_ sealed: Data) throws -> PersonIdentity {
        try JSONDecoder().decode(PersonIdentity.self, from: try open(sealed))
    }
}

/// A person's direct identifiers as the sources gave them; lives only inside the vault.
public struct PersonIdentity: Codable, Sendable, Hashable {
    public struct Identifier: Codable, Sendable, Hashable {
        public var system: String
        public var value: String
        public var type: String?
        public init(system: String, value: String, type: String? = nil) {
            self.system = system
            self.value = value
            self.type = type
        }
    }

    public var identifiers: [Identifier] = []
    public var familyName: String?
    public var givenNames: [String] = []
    public var birthDate: String?
    public var deathDate: String?
    public var addressLines: [String] = []
    public var city: String?
    public var state: String?
    public var postalCode: String?
    public var phones: [String] = []
    public var emails: [String] = []
    /// Source record keys (e.g. `fhir:Patient/123`) that contributed to this identity.
    public var sources: [String] = []

    public init() {}

    /// This identity with `other`'s values added (identifiers and contacts unioned; single
    /// values taken from `other` when it has them, as the newer record).
    public func merged(with other: PersonIdentity) -> PersonIdentity {
        var result = self
        for identifier in other.identifiers where !result.identifiers.contains(identifier) {
            result.identifiers.append(identifier)
        }
        result.familyName = other.familyName ?? familyName
        if !other.givenNames.isEmpty { result.givenNames = other.givenNames }
        result.birthDate = other.birthDate ?? birthDate
        result.deathDate = other.deathDate ?? deathDate
        if !other.addressLines.isEmpty { result.addressLines = other.addressLines }
        result.city = other.city ?? city
        result.state = other.state ?? state
        result.postalCode = other.postalCode ?? postalCode
        for phone in other.phones where !result.phones.contains(phone) { result.phones.append(phone) }
        for email in other.emails where !result.emails.contains(email) { result.emails.append(email) }
        for source in other.sources where !result.sources.contains(source) { result.sources.append(source) }
        return result
    }
}
