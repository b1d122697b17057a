import Foundation
import PMAPModel
import Testing

@testable import PMAPGovernance

struct IdentityVaultTests {
    @Test func sealedIdentityOpensOnlyWithItsKey() throws {
        let vault = IdentityVault(key: .generate())
        var identity = PersonIdentity()
        identity.identifiers = [
            .init(system: "https://hospital.example.org/mrn", value: "MRN123", type: "MR")
        ]
        identity.familyName = "O'Brien"
        identity.birthDate = "1961-04-02"
        let sealed = try vault.seal(identity)
        #expect(try vault.openIdentity(sealed) == identity)
        #expect(
            !String(decoding: sealed, as: UTF8.self).contains("MRN123"),
            "ciphertext must not hold the plaintext")
        #expect(try vault.seal(identity) != sealed, "a fresh nonce for every seal")

        let other = IdentityVault(key: .generate())
        #expect(throws: PMAPError.self) { _ = try other.openIdentity(sealed) }
        var tampered = sealed
        tampered[tampered.count - 1] ^= 0x01
        #expect(throws: PMAPError.self) { _ = try vault.open(tampered) }
    }

    @Test func blindIndexIsStablePerKeyAndDiffersAcrossKeys() {
        let key = VaultKey.generate()
        let a = IdentityVault(key: key).blindIndex(kind: "identifier", value: "sys|MRN1")
        let b = IdentityVault(key: key).blindIndex(kind: "identifier", value: "sys|MRN1")
        let c = IdentityVault(key: .generate()).blindIndex(kind: "identifier", value: "sys|MRN1")
        let d = IdentityVault(key: key).blindIndex(kind: "identifier", value: "sys|MRN2")
        #expect(a == b && a != c && a != d && a.count == 32)
    }

    @Test func keyFileRoundTripsAndBadFilesAreRefused() throws {
        let key = VaultKey.generate()
        let again = try VaultKey(fileContents: key.fileContents(), fileName: "pmap.key")
        #expect(again.id == key.id)
        #expect(throws: PMAPError.self) {
            _ = try VaultKey(fileContents: Data("not a key".utf8), fileName: "pmap.key")
        }
        #expect(throws: PMAPError.self) {
            _ = try VaultKey(fileContents: Data("pmap-vault-key-v1\nAAAA\n".utf8), fileName: "pmap.key")
        }
    }

    @Test func mergingIdentitiesKeepsEveryIdentifier() {
        var first = PersonIdentity()
        first.identifiers = [.init(system: "a", value: "1")]
        first.phones = ["555-0100"]
        var second = PersonIdentity()
        second.identifiers = [.init(system: "b", value: "2")]
        second.phones = ["555-0101"]
        second.familyName = "Lee"
        let merged = first.merged(with: second)
        #expect(
            merged.identifiers.count == 2 && merged.phones == ["555-0100", "555-0101"]
                && merged.familyName == "Lee")
    }
}
