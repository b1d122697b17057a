import Foundation
import GRDB
import PMAPModel

extension SealedKind {
    /// Table, id column and ciphertext column.
    var storage: (table: String, id: String, ciphertext: String) {
        switch self {
        case .identity: return ("pmap_identity", "person_id", "identity_ciphertext")
        case .quarantinedRecord: return ("pmap_quarantine", "quarantine_id", "record_ciphertext")
        case .inboundMessage: return ("pmap_inbound_message", "inbound_message_id", "message_ciphertext")
        case .projectKeys: return ("pmap_project_key", "project_id", "keys_ciphertext")
        }
    }
}

extension SQLiteWriter {
    /// Refuses to seal or MAC under a key that is not the store's: a process that kept running
    /// through a key rotation (a listener, a long ingest) stops instead of writing values the
    /// store's key cannot open. Checked once per transaction.
    func requireVaultKey(_ keyID: String?) throws {
        guard let keyID, keyID != checkedVaultKeyID else { return }
        if let recorded = try setting("vault_key_id"), recorded != keyID {
            throw PMAPError(
                .unusableStore,
                "the store is now under vault key \(recorded), not \(keyID) (the key was rotated while this process ran); start it again with the store's key file"
            )
        }
        checkedVaultKeyID = keyID
    }

    func setting(_ key: String) throws -> String? {
        try String.fetchOne(
            db, sql: "SELECT setting_value FROM pmap_setting WHERE setting_key = ?", arguments: [key])
    }

    func setSetting(_ key: String, _ value: String?) throws {
        if let value {
            try db.execute(
                sql: "INSERT OR REPLACE INTO pmap_setting (setting_key, setting_value) VALUES (?, ?)",
                arguments: [key, value])
        } else {
            try db.execute(sql: "DELETE FROM pmap_setting WHERE setting_key = ?", arguments: [key])
        }
    }

    func projectKeys(project: Int64) throws -> SealedValue? {
        try Row.fetchOne(
            db, sql: "SELECT keys_ciphertext, key_id FROM pmap_project_key WHERE project_id = ?",
            arguments: [project]
        ).map { SealedValue(id: project, sealed: $0["keys_ciphertext"], keyID: $0["key_id"]) }
    }

    func saveProjectKeys(project: Int64, sealed: Data, keyID: String) throws {
        try requireVaultKey(keyID)
        try db.execute(
            sql: """
                INSERT OR IGNORE INTO pmap_project_key (project_id, keys_ciphertext, key_id, created_at)
                VALUES (?, ?, ?, datetime('now'))
                """, arguments: [project, sealed, keyID])
    }

    func sealedValues(_ kind: SealedKind, notUnder keyID: String, after id: Int64, limit: Int) throws
        -> [SealedValue]
    {
        let (table, idColumn, ciphertext) = kind.storage
        return try Row.fetchAll(
            db,
            sql: """
                SELECT \(idColumn) AS id, \(ciphertext) AS sealed, key_id FROM \(table)
                WHERE \(idColumn) > ? AND \(ciphertext) IS NOT NULL AND (key_id IS NULL OR key_id <> ?)
                ORDER BY \(idColumn) LIMIT ?
                """, arguments: [id, keyID, limit]
        ).map { SealedValue(id: $0["id"], sealed: $0["sealed"], keyID: $0["key_id"]) }
    }

    func reseal(_ kind: SealedKind, id: Int64, sealed: Data, keyID: String) throws {
        let (table, idColumn, ciphertext) = kind.storage
        try db.execute(
            sql: "UPDATE \(table) SET \(ciphertext) = ?, key_id = ? WHERE \(idColumn) = ?",
            arguments: [sealed, keyID, id])
        guard db.changesCount == 1 else {
            throw PMAPError(
                .failure, "\(table) row \(id) vanished while being re-sealed; this is a bug in PMAP")
        }
    }

    func lookups(personID: Int64) throws -> [BlindIndexEntry] {
        try Row.fetchAll(
            db,
            sql: "SELECT lookup_hash, identifier_kind, key_id FROM pmap_identity_lookup WHERE person_id = ?",
            arguments: [personID]
        ).map { BlindIndexEntry(hash: $0["lookup_hash"], kind: $0["identifier_kind"], keyID: $0["key_id"]) }
    }

    func replaceLookup(_ old: Data, with new: Data, keyID: String) throws {
        try db.execute(
            sql: "UPDATE pmap_identity_lookup SET lookup_hash = ?, key_id = ? WHERE lookup_hash = ?",
            arguments: [new, keyID, old])
        try db.execute(
            sql: "UPDATE pmap_person_merge_lookup SET lookup_hash = ? WHERE lookup_hash = ?",
            arguments: [new, old])
    }

    func lookupCount(notUnder keyID: String) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT COUNT(*) FROM pmap_identity_lookup WHERE key_id IS NULL OR key_id <> ?",
            arguments: [keyID]) ?? 0
    }

    func renameProvenanceKey(sourceName: String, from old: String, to new: String) throws {
        try db.execute(
            sql:
                "UPDATE pmap_provenance SET source_record_key = ? WHERE source_name = ? AND source_record_key = ?",
            arguments: [new, sourceName, old])
    }

    func sourceNames() throws -> [String] {
        try String.fetchAll(
            db,
            sql: """
                SELECT source_name FROM pmap_data_load UNION SELECT source_name FROM pmap_person_merge
                ORDER BY 1
                """)
    }

    func personsMerged(into survivor: Int64) throws -> [Int64] {
        try Int64.fetchAll(
            db,
            sql: """
                WITH RECURSIVE merged(person_id) AS (
                    SELECT prior_person_id FROM pmap_person_merge WHERE survivor_person_id = ? AND undone_at IS NULL
                    UNION
                    SELECT m.prior_person_id FROM pmap_person_merge m JOIN merged ON m.survivor_person_id = merged.person_id
                    WHERE m.undone_at IS NULL
                )
                SELECT person_id FROM merged ORDER BY person_id
                """, arguments: [survivor])
    }

    /// The append-only trigger is lifted for this one statement set and restored in the same
    /// transaction, so no other writer ever sees the log without it.
    func replaceAuditMACs(_ macs: [(sequence: Int64, mac: Data)]) throws {
        guard
            let trigger = try String.fetchOne(
                db,
                sql: "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'pmap_audit_no_update'")
        else {
            throw PMAPError(
                .unusableStore,
                "the audit log's append-only trigger is missing: the store was altered; restore it from a backup"
            )
        }
        try db.execute(sql: "DROP TRIGGER pmap_audit_no_update")
        let update = try db.makeStatement(sql: "UPDATE pmap_audit SET mac = ? WHERE sequence = ?")
        for (sequence, mac) in macs { try update.execute(arguments: [mac, sequence]) }
        try db.execute(sql: trigger)
    }
}
