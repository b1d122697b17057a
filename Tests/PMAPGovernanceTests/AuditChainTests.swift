import Crypto
import Foundation
import Testing

@testable import PMAPGovernance

struct AuditChainTests {
    typealias Chain = [(entry: AuditEntry, mac: Data)]

    let key = VaultKey.generate()
    var chain: AuditChain { AuditChain(key: key) }

    /// 20 entries of varied shapes: platform actions without a user, refusals, reads with row counts.
    static let entries: [AuditEntry] = (1...20).map { n in
        AuditEntry(
            sequence: Int64(n), time: "2026-03-15T10:\(n < 10 ? "0" : "")\(n):00Z",
            userID: n.isMultiple(of: 5) ? nil : Int64(n % 4 + 1), projectID: n.isMultiple(of: 3) ? 12 : nil,
            action: n.isMultiple(of: 2) ? "read" : "ingest", target: "grant \(n % 3)",
            rows: n.isMultiple(of: 4) ? nil : n * 10, allowed: !n.isMultiple(of: 7), reason: "reason \(n)")
    }

    var sealed: Chain { chain.chain(Self.entries) }

    func brokenAt(_ result: AuditVerification) -> Int64? {
        if case .broken(let sequence, _) = result { return sequence }
        return nil
    }

    func problem(_ result: AuditVerification) -> String {
        if case .broken(_, let problem) = result { return problem }
        return ""
    }

    @Test func anUntouchedChainIsIntact() {
        let sealed = sealed
        let head = sealed.last!.mac
        #expect(chain.verify(sealed, expectedHead: nil) == .intact(count: 20, head: head))
        #expect(chain.verify(sealed, expectedHead: head) == .intact(count: 20, head: head))
        #expect(Set(sealed.map(\.mac)).count == 20 && sealed.allSatisfy { $0.mac.count == 32 })
        #expect(chain.verify([], expectedHead: nil) == .intact(count: 0, head: AuditChain.genesis))
        #expect(
            chain.verify([], expectedHead: AuditChain.genesis) == .intact(count: 0, head: AuditChain.genesis))
        #expect(AuditChain.genesis == Data(repeating: 0, count: 32))
    }

    @Test func theSameKeyFileGivesTheSameChain() throws {
        let reloaded = try VaultKey(fileContents: key.fileContents(), fileName: "pmap.key")
        let head = sealed.last!.mac
        #expect(
            AuditChain(key: reloaded).verify(sealed, expectedHead: head) == .intact(count: 20, head: head))
    }

    @Test func theMACKeyIsDerivedFromTheVaultKeyWithHKDF() {
        let entry = Self.entries[0]
        let bytes = AuditChain.canonical(entry, previous: AuditChain.genesis)
        let derived = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: key.key, info: Data("pmap audit chain v1".utf8), outputByteCount: 32)
        let expected = Data(HMAC<SHA256>.authenticationCode(for: bytes, using: derived))
        let raw = Data(HMAC<SHA256>.authenticationCode(for: bytes, using: key.key))
        #expect(chain.mac(of: entry, previous: AuditChain.genesis) == expected)
        #expect(expected != raw, "the vault key itself is never the MAC key")
    }

    @Test func editingAnyFieldOfEntry7IsDetected() {
        let edits: [(String, (inout AuditEntry) -> Void)] = [
            ("time", { $0.time = "2026-03-15T10:07:01Z" }),
            ("userID", { $0.userID = 99 }),
            ("userID removed", { $0.userID = nil }),
            ("projectID", { $0.projectID = 12 }),
            ("action", { $0.action = "export" }),
            ("target", { $0.target = "grant 9" }),
            ("rows", { $0.rows = 71 }),
            ("rows removed", { $0.rows = nil }),
            ("allowed", { $0.allowed.toggle() }),
            ("reason", { $0.reason = "reason 7 " }),
        ]
        for (field, edit) in edits {
            var tampered = sealed
            edit(&tampered[6].entry)
            #expect(tampered[6].entry != Self.entries[6], "\(field) edit must change the entry")
            let result = chain.verify(tampered, expectedHead: sealed.last!.mac)
            #expect(brokenAt(result) == 7, "\(field): \(result)")
            #expect(problem(result).contains("entry 7's MAC does not match"))
        }
        var renumbered = sealed
        renumbered[6].entry.sequence = 70
        #expect(brokenAt(chain.verify(renumbered, expectedHead: nil)) == 7)
        var badMAC = sealed
        badMAC[6].mac[0] ^= 1
        #expect(brokenAt(chain.verify(badMAC, expectedHead: nil)) == 7)
    }

    @Test func deletingEntry7IsDetected() {
        var gap = sealed
        gap.remove(at: 6)
        let result = chain.verify(gap, expectedHead: sealed.last!.mac)
        #expect(
            result
                == .broken(
                    sequence: 7, problem: "entry 7 is missing or out of place: after entry 6 comes entry 8"))

        // Renumbering the entries after it to close the gap breaks their MACs instead.
        var closed = gap
        for index in 6..<closed.count { closed[index].entry.sequence -= 1 }
        #expect(brokenAt(chain.verify(closed, expectedHead: nil)) == 7)
    }

    @Test func aForgedEntryIsDetected() {
        // The forger has the database (entries and MACs) but not the vault key.
        let forger = AuditChain(key: .generate())
        let sealed = sealed
        let forged = AuditEntry(
            sequence: 8, time: "2026-03-15T10:07:30Z", userID: 2, projectID: 12, action: "grant.approve",
            target: "request 3", allowed: true, reason: "approved")
        let forgedMAC = forger.mac(of: forged, previous: sealed[6].mac)

        // Inserted after entry 7, the entries after it renumbered.
        var inserted = sealed
        for index in 7..<inserted.count { inserted[index].entry.sequence += 1 }
        inserted.insert((forged, forgedMAC), at: 7)
        #expect(brokenAt(chain.verify(inserted, expectedHead: nil)) == 8)

        // Even re-sealing every later entry with the forger's key does not help.
        var resealed = Array(inserted.prefix(7))
        var previous = sealed[6].mac
        for item in inserted.dropFirst(7) {
            let mac = forger.mac(of: item.entry, previous: previous)
            resealed.append((item.entry, mac))
            previous = mac
        }
        #expect(brokenAt(chain.verify(resealed, expectedHead: previous)) == 8)

        // Inserted without renumbering: entry 8 appears twice, the forged one first.
        var duplicate = sealed
        duplicate.insert((forged, forgedMAC), at: 7)
        #expect(brokenAt(chain.verify(duplicate, expectedHead: nil)) == 8)

        // Appended at the end.
        var forged21 = forged
        forged21.sequence = 21
        let appended = sealed + [(entry: forged21, mac: forger.mac(of: forged21, previous: sealed[19].mac))]
        #expect(brokenAt(chain.verify(appended, expectedHead: nil)) == 21)
    }

    @Test func aRepeatedEntryIsDetected() {
        var repeated = sealed
        repeated.insert(sealed[6], at: 7)
        let result = chain.verify(repeated, expectedHead: nil)
        #expect(brokenAt(result) == 8 && problem(result).contains("found entry 7 again"))
    }

    @Test func reorderingEntries7And8IsDetected() {
        var swapped = sealed
        swapped.swapAt(6, 7)
        let result = chain.verify(swapped, expectedHead: nil)
        #expect(brokenAt(result) == 7, "\(result)")

        // Swapping their contents but keeping the sequence numbers in place.
        var relabelled = swapped
        relabelled[6].entry.sequence = 7
        relabelled[7].entry.sequence = 8
        #expect(brokenAt(chain.verify(relabelled, expectedHead: nil)) == 7)
    }

    @Test func aTruncatedTailIsDetectedWithTheHead() {
        let sealed = sealed
        let truncated = Array(sealed.prefix(15))
        // Without the recorded head a cut-off tail looks like a shorter chain…
        #expect(chain.verify(truncated, expectedHead: nil) == .intact(count: 15, head: sealed[14].mac))
        // …with it, the cut is found.
        let result = chain.verify(truncated, expectedHead: sealed.last!.mac)
        #expect(brokenAt(result) == 16, "\(result)")
        #expect(problem(result).contains("the chain ends at entry 15 but the recorded head is not its MAC"))

        #expect(brokenAt(chain.verify([], expectedHead: sealed.last!.mac)) == 1)
        // A head lagging behind the entries is reported where the chain passes it.
        let lagging = chain.verify(sealed, expectedHead: sealed[14].mac)
        #expect(brokenAt(lagging) == 16 && problem(lagging).contains("continues to entry 20"))
    }

    @Test func aChainRebuiltWithAnotherKeyFails() {
        let other = AuditChain(key: .generate()).chain(Self.entries)
        #expect(brokenAt(chain.verify(other, expectedHead: nil)) == 1)
        #expect(brokenAt(chain.verify(other, expectedHead: other.last!.mac)) == 1)
    }

    @Test func theEncodingIsUnambiguous() {
        let base = AuditEntry(
            sequence: 1, time: "t", userID: 5, projectID: nil, action: "ab", target: "c", rows: nil,
            allowed: true,
            reason: "r")
        var shifted = base
        shifted.action = "a"
        shifted.target = "bc"
        var swappedIDs = base
        swappedIDs.userID = nil
        swappedIDs.projectID = 5
        var rows = base
        rows.rows = 5
        rows.userID = nil
        let macs = [base, shifted, swappedIDs, rows].map { chain.mac(of: $0, previous: AuditChain.genesis) }
        #expect(Set(macs).count == 4)
        #expect(chain.mac(of: base, previous: AuditChain.genesis) != chain.mac(of: base, previous: macs[1]))
    }

    @Test func hexRoundTrips() throws {
        #expect(AuditChain.hex(AuditChain.genesis) == String(repeating: "0", count: 64))
        #expect(AuditChain.hex(Data([0x00, 0x0f, 0xa5, 0xff])) == "000fa5ff")
        let head = sealed.last!.mac
        #expect(AuditChain.data(hex: AuditChain.hex(head)) == head)
        #expect(AuditChain.data(hex: "000FA5ff") == Data([0x00, 0x0f, 0xa5, 0xff]))
        #expect(AuditChain.data(hex: "") == Data())
        #expect(AuditChain.data(hex: "abc") == nil)
        #expect(AuditChain.data(hex: "zz") == nil)
    }

    @Test func entriesRoundTripThroughJSON() throws {
        let json = try JSONEncoder().encode(Self.entries)
        #expect(try JSONDecoder().decode([AuditEntry].self, from: json) == Self.entries)
    }
}
