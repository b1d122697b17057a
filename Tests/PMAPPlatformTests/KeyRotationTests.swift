import Foundation
import PMAPGovernance
import PMAPPlatform
import PMAPTestSupport
import Testing

/// `rotateVaultKey` re-seals every sealed value, re-makes every blind-index hash and re-keys
/// the audit chain, so that after it the old key opens nothing and everything still works:
/// re-ingesting finds every patient again, merges still resolve old MRNs, extracts keep their
/// pseudonyms and date shifts.
struct KeyRotationTests {
    typealias HL7 = MultiSourceIngestTests

    static let pid3 = "PID|1||M3^^^HOSP&urn:test:mrn&URI^MR||Poe^Ed||19620303|M|||3 Road^^Town^MD^21203"

    @Test func rotationReKeysEverythingAndKeepsPseudonyms() async throws {
        let world = try await GovernanceTests.World()
        let fixture = world.fixture
        defer { fixture.folder.remove() }
        let platform = fixture.platform
        let export = fixture.folder.file("synth")
        _ = try Synthesis.run(patients: 30, seed: 9, formats: [.fhir], folder: export, force: false)
        _ = try await fixture.ingest([export], source: "ehr")
        // An HL7 feed: two patients merged (A40), one known only to HL7, and a merge naming an
        // unknown patient, which waits in quarantine.
        let feed = try fixture.write(
            "feed.hl7",
            HL7.adt("A1", HL7.pid1) + HL7.adt("A2", HL7.pid2) + HL7.oru("R1", Self.pid3, value: "3.3")
                + "MSH|^~\\&|REG|HOSP|PMAP|HOSP|20240201080000||ADT^A40^ADT_A39|M40|P|2.5.1\r\(HL7.pid1)\rMRG|M2^^^HOSP&urn:test:mrn&URI^MR\r"
                + "MSH|^~\\&|REG|HOSP|PMAP|HOSP|20240201080000||ADT^A40^ADT_A39|M41|P|2.5.1\r\(HL7.pid1)\rMRG|M9^^^HOSP&urn:test:mrn&URI^MR\r"
        )
        let fed = try await fixture.ingest([feed], source: "lab")
        #expect(fed.quarantined == 1)
        // A live-feed message stored but not yet loaded.
        _ = try await platform.receiveHL7Message(
            fixture.admin, Array(HL7.oru("R2", HL7.pid1, value: "4.4").utf8), channel: "mllp",
            sourceName: "lab",
            vault: fixture.vault)
        let project = try await ExportTests.project(world, name: "Rotation", level: .dateShifted)
        let before = fixture.folder.file("extract-before")
        _ = try await platform.export(world.researcher, project: project, to: before, vault: fixture.vault)
        let counts = try await fixture.counts()

        let keyFile = fixture.folder.file("pmap.key")
        let old = fixture.vault
        let report = try await platform.rotateVaultKey(
            token: fixture.adminToken, keyFile: keyFile, batchSize: 7)
        let new = try VaultKeyFile.vault(explicit: keyFile, storePath: fixture.folder.file("pmap.sqlite"))
        #expect(report.previousKeyID == old.key.id && report.keyID == new.key.id && new.key.id != old.key.id)
        #expect(try VaultKeyFile.load(report.retiredKeyFile).id == old.key.id)
        #expect(report.resealed[.identity] == counts["pmap_identity"])
        #expect(report.resealed[.quarantinedRecord] == 1 && report.resealed[.inboundMessage] == 1)
        #expect(report.lookups == counts["pmap_identity_lookup"])

        // Every sealed value is under the new key: it opens with the new key and not with the old.
        for table in ["pmap_identity", "pmap_quarantine", "pmap_inbound_message", "pmap_project_key"] {
            #expect(
                try fixture.integers("SELECT count(*) FROM \(table) WHERE key_id IS NOT '\(new.key.id)'") == [
                    0
                ],
                "\(table)")
        }
        #expect(
            try fixture.integers(
                "SELECT count(*) FROM pmap_identity_lookup WHERE key_id IS NOT '\(new.key.id)'") == [0])
        let identities = try fixture.blobs("SELECT identity_ciphertext FROM pmap_identity")
        #expect(identities.count == counts["pmap_identity"])
        for sealed in identities {
            #expect(throws: Never.self) { _ = try new.openIdentity(sealed) }
            #expect(throws: PMAPError.self) { _ = try old.openIdentity(sealed) }
        }

        // Provenance of the HL7-only patient names the keyed hash of its MRN under the new key.
        func provenanceKey(_ vault: IdentityVault) -> String {
            "Patient/identifier-hash:"
                + vault.blindIndex(kind: "identifier", value: "urn:test:mrn|M3").prefix(16).map {
                    String(format: "%02x", $0)
                }.joined()
        }
        for (vault, expected) in [(old, 0), (new, 1)] {
            #expect(
                try fixture.integers(
                    "SELECT count(*) FROM pmap_provenance WHERE cdm_table = 'person' AND source_record_key = '\(provenanceKey(vault))'"
                ) == [Int64(expected)])
        }

        // A process that kept running with the old key (its context made before the rotation)
        // is stopped before it seals or audits anything under that key.
        let stale = IngestRequest(paths: [feed], format: .auto, sourceName: "lab", dryRun: false)
        await #expect(throws: PMAPError.self) {
            _ = try await platform.ingest(fixture.admin, stale, vault: old)
        }
        await #expect(throws: PMAPError.self) {
            _ = try await platform.receiveHL7Message(
                fixture.admin, Array(HL7.oru("R5", HL7.pid1, value: "4.4").utf8), channel: "mllp",
                sourceName: "lab", vault: old)
        }

        // The old key is refused; with the new one the audit chain verifies, rotation included.
        await #expect(throws: PMAPError.self) {
            _ = try await platform.context(token: fixture.adminToken, vault: old)
        }
        let admin = try await platform.context(token: fixture.adminToken, vault: new)
        guard case .intact = try await platform.verifyAudit(admin, expectedHead: nil) else {
            Issue.record("the audit chain does not verify under the new key")
            return
        }
        #expect(try await platform.auditLog(admin, project: nil).contains { $0.action == "keys.rotated" })

        // Blind indexes work: the same inputs again add nothing; the merged MRN reaches the survivor.
        var again = IngestRequest(paths: [export], format: .auto, sourceName: "ehr", dryRun: false)
        #expect(try await platform.ingest(admin, again, vault: new).loaded == 0)
        again = IngestRequest(paths: [feed], format: .auto, sourceName: "lab", dryRun: false)
        #expect(try await platform.ingest(admin, again, vault: new).loaded == 0)
        let late = try fixture.write(
            "late.hl7", HL7.oru("R3", HL7.pid2, value: "8.0") + HL7.oru("R4", Self.pid3, value: "2.0"))
        again = IngestRequest(paths: [late], format: .auto, sourceName: "lab", dryRun: false)
        #expect(try await platform.ingest(admin, again, vault: new).loaded == 2)
        #expect(try await fixture.counts(as: admin)["person"] == counts["person"])
        // Quarantined and inbound records open with the new key.
        let loaded = try await platform.loadInboundMessages(admin, vault: new, sourceName: "lab")
        #expect(loaded.loaded == 1)
        let quarantined = try await platform.quarantinedRecords(admin, includeResolved: false, limit: 10)
        #expect(
            try await platform.quarantinedRecord(admin, id: quarantined[0].id, vault: new).1.contains("M9"))

        // The project's pseudonyms and date shifts did not change: the same extract, byte for byte.
        let researcher = try await platform.context(token: world.researcherToken, vault: new)
        let after = fixture.folder.file("extract-after")
        _ = try await platform.export(researcher, project: project, to: after, vault: new)
        #expect(try ExportTests.rows(before, "person.csv") == ExportTests.rows(after, "person.csv"))
    }

    @Test func aStoreRefusesAKeyFileThatIsNotItsOwn() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let other = IdentityVault(key: VaultKey.generate())
        await #expect(throws: PMAPError.self) {
            _ = try await fixture.platform.context(token: fixture.adminToken, vault: other)
        }
    }
}
