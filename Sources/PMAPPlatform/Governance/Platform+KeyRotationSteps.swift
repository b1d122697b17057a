import Foundation
import PMAPGovernance
import PMAPStore

/// The steps of a vault key rotation, each run inside one store transaction.
extension Platform {
    /// Refuses to start a rotation when some blind-index hash cannot be re-made: every hash
    /// must come from an identifier or a source reference in the identities of its person (and
    /// of the persons merged into it). Nothing is changed.
    func checkLookupsCanBeRebuilt(_ vault: IdentityVault, batchSize: Int) async throws {
        // A throwaway "next" key: every hash counts as stale, and nothing is applied.
        let ring = KeyRing(current: vault, next: IdentityVault(key: VaultKey.generate()))
        var after: Int64 = 0
        var unmatched = 0
        while true {
            let (last, missing) = try await store.write { [after] writer -> (Int64?, Int) in
                let values = try writer.sealedValues(.identity, notUnder: "", after: after, limit: batchSize)
                var missing = 0
                for value in values {
                    let identity = try ring.current.openIdentity(value.sealed)
                    missing += try Self.remakeLookups(
                        person: value.id, identity: identity, ring: ring, apply: false, writer
                    ).unmatched
                }
                return (values.last?.id, missing)
            }
            unmatched += missing
            guard let last else { break }
            after = last
        }
        guard unmatched == 0 else {
            throw PMAPError(
                .unusableStore,
                "\(unmatched) identity lookup hash(es) match no identifier or source reference of their person, so a new key could not re-make them; nothing was changed. Run pmap status and report this as a bug in PMAP"
            )
        }
    }

    /// Re-seals up to `batchSize` values of `kind` still under the current key; for identities
    /// also re-makes the person's blind-index hashes and the provenance keys built from them.
    /// Returns how many values and hashes were done.
    static func resealBatch(_ kind: SealedKind, ring: KeyRing, batchSize: Int, _ writer: any StoreWriter)
        throws
        -> (values: Int, lookups: Int)
    {
        let values = try writer.sealedValues(kind, notUnder: ring.next.key.id, after: 0, limit: batchSize)
        var lookups = 0
        for value in values {
            let plaintext = try ring.vault(for: value.keyID).open(value.sealed)
            if kind == .identity {
                let identity = try JSONDecoder().decode(PersonIdentity.self, from: plaintext)
                let result = try remakeLookups(
                    person: value.id, identity: identity, ring: ring, apply: true, writer)
                guard result.unmatched == 0 else {
                    throw PMAPError(
                        .unusableStore,
                        "person \(value.id) has \(result.unmatched) identity lookup hash(es) that no identifier re-makes; the rotation stopped with the store consistent. Report this as a bug in PMAP"
                    )
                }
                lookups += result.remade
            }
            try writer.reseal(
                kind, id: value.id, sealed: try ring.next.seal(plaintext), keyID: ring.next.key.id)
        }
        return (values.count, lookups)
    }

    /// Matches a person's hashes made with the current key to the inputs their identities can
    /// give (identifiers; source references under every source name), and with `apply` replaces
    /// each by the new key's hash, and renames provenance keys that embed an identifier's hash.
    static func remakeLookups(
        person: Int64, identity: PersonIdentity, ring: KeyRing, apply: Bool, _ writer: any StoreWriter
    ) throws -> (remade: Int, unmatched: Int) {
        let stale = try writer.lookups(personID: person).filter { $0.keyID != ring.next.key.id }
        guard !stale.isEmpty || apply else { return (0, 0) }
        var identities = [identity]
        for prior in try writer.personsMerged(into: person) {
            guard let sealed = try writer.identity(personID: prior) else { continue }
            identities.append(
                try (try? ring.current.openIdentity(sealed)) ?? ring.next.openIdentity(sealed))
        }
        let sourceNames = try writer.sourceNames()
        var inputs: [Data: (kind: String, value: String)] = [:]
        var identifierValues: [String] = []
        for identity in identities {
            for identifier in identity.identifiers where !identifier.system.isEmpty {
                let value = "\(identifier.system)|\(identifier.value)"
                identifierValues.append(value)
                inputs[ring.current.blindIndex(kind: "identifier", value: value)] = ("identifier", value)
            }
            for source in identity.sources {
                guard let colon = source.firstIndex(of: ":") else { continue }
                let reference = source[source.index(after: colon)...]
                for name in sourceNames {
                    let value = "\(name)|\(reference)"
                    inputs[ring.current.blindIndex(kind: "source", value: value)] = ("source", value)
                }
            }
        }
        var remade = 0
        var unmatched = 0
        for entry in stale {
            guard let input = inputs[entry.hash] else {
                unmatched += 1
                continue
            }
            if apply {
                try writer.replaceLookup(
                    entry.hash, with: ring.next.blindIndex(kind: input.kind, value: input.value),
                    keyID: ring.next.key.id)
            }
            remade += 1
        }
        if apply {
            for value in Set(identifierValues) {
                let old = RecordWriter.identifierProvenanceKey(
                    ring.current.blindIndex(kind: "identifier", value: value))
                let new = RecordWriter.identifierProvenanceKey(
                    ring.next.blindIndex(kind: "identifier", value: value))
                for name in sourceNames {
                    try writer.renameProvenanceKey(sourceName: name, from: old, to: new)
                }
            }
        }
        return (remade, unmatched)
    }

    /// Checks the audit chain under the current key, re-makes every MAC under the new key,
    /// appends the rotation's own entry, and records the new key as the store's: one
    /// transaction, so the chain is wholly under one key at every moment. Returns the number of
    /// entries re-keyed.
    static func finishRotation(ring: KeyRing, actor: Actor, _ writer: any StoreWriter) throws -> Int {
        // A process still holding the old key may have sealed something since the last batch.
        for kind in SealedKind.allCases
        where !(try writer.sealedValues(kind, notUnder: ring.next.key.id, after: 0, limit: 1)).isEmpty {
            throw PMAPError(
                .unusableStore,
                "a \(kind.rawValue) was sealed under the old key while the rotation ran (stop pmap listen and ingests); run pmap keys rotate again to finish"
            )
        }
        let left = try writer.lookupCount(notUnder: ring.next.key.id)
        guard left == 0 else {
            throw PMAPError(
                .unusableStore,
                "\(left) identity lookup hash(es) belong to no identity, so the new key cannot re-make them; the rotation stopped with the store consistent. Report this as a bug in PMAP"
            )
        }
        let entries = try writer.auditEntries(project: nil)
        let oldHead: Data
        switch AuditChain(key: ring.current.key).verify(entries, expectedHead: nil) {
        case .broken(let sequence, let problem):
            throw PMAPError(
                .unusableStore,
                "the audit chain is broken at entry \(sequence) (\(problem)); a rotation never re-keys a broken chain. Investigate with pmap audit verify and restore the store from a backup; the rotation resumes when run again"
            )
        case .intact(_, let head): oldHead = head
        }
        let chain = AuditChain(key: ring.next.key)
        let rekeyed = chain.chain(entries.map(\.entry))
        try writer.replaceAuditMACs(rekeyed.map { ($0.entry.sequence, $0.mac) })
        let entry = AuditEntry(
            sequence: Int64(entries.count + 1), time: auditTime(), userID: actor.userID, projectID: nil,
            action: "keys.rotated", target: "vault key \(ring.next.key.id)", rows: entries.count,
            allowed: true,
            reason:
                "vault key \(ring.current.key.id) replaced by \(ring.next.key.id); \(entries.count) entries re-keyed; head under the old key was \(AuditChain.hex(oldHead))"
        )
        try writer.setSetting(vaultKeySetting, ring.next.key.id)
        try writer.setSetting(rotationTargetSetting, nil)
        try writer.appendAudit(
            entry, mac: chain.mac(of: entry, previous: rekeyed.last?.mac ?? AuditChain.genesis),
            keyID: ring.next.key.id)
        return entries.count
    }
}
