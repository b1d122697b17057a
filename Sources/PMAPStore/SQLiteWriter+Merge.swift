import Foundation
import GRDB
import PMAPModel

extension SQLiteWriter {
    /// Tables whose rows belong to a person (besides `person` itself), moved by a merge.
    static let personOwnedTables: [String] =
        CDMSchema.tables.filter { $0.name != "person" && $0.column(named: "person_id") != nil }.map(\.name)
        + ["pmap_genomic_variant", "pmap_consent"]

    func mergePersons(prior: Int64, into survivor: Int64, sourceName: String, recordKey: String) throws
        -> Int64
    {
        guard prior != survivor else {
            throw PMAPError(.badInput, "a person cannot be merged into itself")
        }
        try db.execute(
            sql: """
                INSERT INTO pmap_person_merge (survivor_person_id, prior_person_id, source_name, source_record_key, merged_at)
                VALUES (?, ?, ?, ?, datetime('now'))
                """, arguments: [survivor, prior, sourceName, recordKey])
        let mergeID = db.lastInsertedRowID
        // Consent: the survivor keeps its own decision, but an opt-out of either record wins.
        let survivorConsent = try Int.fetchOne(
            db, sql: "SELECT research_opt_out FROM pmap_consent WHERE person_id = ?", arguments: [survivor])
        if survivorConsent != nil {
            try db.execute(
                sql: """
                    UPDATE pmap_consent SET research_opt_out = 1
                    WHERE person_id = ? AND EXISTS (SELECT 1 FROM pmap_consent WHERE person_id = ? AND research_opt_out = 1)
                    """, arguments: [survivor, prior])
        }
        let recordRow = try db.cachedStatement(
            sql: "INSERT INTO pmap_person_merge_row (merge_id, cdm_table, cdm_row_id) VALUES (?, ?, ?)")
        for table in Self.personOwnedTables where !(table == "pmap_consent" && survivorConsent != nil) {
            let moved = try Int64.fetchAll(
                db,
                sql:
                    "UPDATE \(SQLiteSchema.quoted(table)) SET person_id = ? WHERE person_id = ? RETURNING rowid",
                arguments: [survivor, prior])
            for rowID in moved { try recordRow.execute(arguments: [mergeID, table, rowID]) }
        }
        let lookups = try Data.fetchAll(
            db,
            sql: "UPDATE pmap_identity_lookup SET person_id = ? WHERE person_id = ? RETURNING lookup_hash",
            arguments: [survivor, prior])
        for hash in lookups {
            try db.execute(
                sql: "INSERT INTO pmap_person_merge_lookup (merge_id, lookup_hash) VALUES (?, ?)",
                arguments: [mergeID, hash])
        }
        try db.execute(
            sql: "INSERT INTO pmap_merged_person SELECT ?, * FROM person WHERE person_id = ?",
            arguments: [mergeID, prior])
        try db.execute(sql: "DELETE FROM person WHERE person_id = ?", arguments: [prior])
        try markDirty(persons: [survivor, prior])
        return mergeID
    }

    func undoMerge(id: Int64, reason: String) throws -> PersonMerge {
        guard let merge = try Self.merges(db, where: "merge_id = ?", [id]).first else {
            throw PMAPError(.notFound, "there is no merge \(id); see pmap merge list")
        }
        guard merge.undoneAt == nil else {
            throw PMAPError(.badInput, "merge \(id) was already undone")
        }
        let later = try Int64.fetchOne(
            db,
            sql: """
                SELECT merge_id FROM pmap_person_merge WHERE merge_id > ? AND undone_at IS NULL
                AND (survivor_person_id IN (?, ?) OR prior_person_id IN (?, ?)) ORDER BY merge_id DESC LIMIT 1
                """,
            arguments: [
                id, merge.priorPersonID, merge.survivorPersonID, merge.priorPersonID, merge.survivorPersonID,
            ])
        if let later {
            throw PMAPError(
                .badInput, "merge \(later) involves the same persons and came later; undo it first")
        }
        let rows = try Row.fetchAll(
            db, sql: "SELECT cdm_table, cdm_row_id FROM pmap_person_merge_row WHERE merge_id = ?",
            arguments: [id])
        for row in rows {
            let table: String = row["cdm_table"]
            try checkNames(table: table, columns: ["person_id"])
            try db.execute(
                sql:
                    "UPDATE \(SQLiteSchema.quoted(table)) SET person_id = ? WHERE rowid = ? AND person_id = ?",
                arguments: [merge.priorPersonID, row["cdm_row_id"] as Int64, merge.survivorPersonID])
        }
        try db.execute(
            sql: """
                UPDATE pmap_identity_lookup SET person_id = ?
                WHERE lookup_hash IN (SELECT lookup_hash FROM pmap_person_merge_lookup WHERE merge_id = ?)
                """, arguments: [merge.priorPersonID, id])
        let columns = CDMSchema.table(named: "person")!.columns.map { SQLiteSchema.quoted($0.name) }
            .joined(separator: ", ")
        try db.execute(
            sql:
                "INSERT INTO person (\(columns)) SELECT \(columns) FROM pmap_merged_person WHERE merge_id = ?",
            arguments: [id])
        try db.execute(sql: "DELETE FROM pmap_merged_person WHERE merge_id = ?", arguments: [id])
        try db.execute(
            sql:
                "UPDATE pmap_person_merge SET undone_at = datetime('now'), undo_reason = ? WHERE merge_id = ?",
            arguments: [reason, id])
        try markDirty(persons: [merge.survivorPersonID, merge.priorPersonID])
        return try Self.merges(db, where: "merge_id = ?", [id])[0]
    }

    static func merges(_ db: Database, where condition: String, _ arguments: StatementArguments) throws
        -> [PersonMerge]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT m.*, (SELECT count(*) FROM pmap_person_merge_row r WHERE r.merge_id = m.merge_id) AS moved
                FROM pmap_person_merge m WHERE \(condition) ORDER BY merge_id
                """, arguments: arguments
        ).map {
            PersonMerge(
                id: $0["merge_id"], survivorPersonID: $0["survivor_person_id"],
                priorPersonID: $0["prior_person_id"],
                sourceName: $0["source_name"], mergedAt: $0["merged_at"], rowsMoved: $0["moved"],
                undoneAt: $0["undone_at"], undoReason: $0["undo_reason"])
        }
    }

    func personsLiving(inZIP3 zip3: String, underObservationOn date: String) throws -> [Int64] {
        try Int64.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT DISTINCT p.person_id FROM person p JOIN location l ON l.location_id = p.location_id
                    JOIN observation_period op ON op.person_id = p.person_id
                    WHERE l.zip = ? AND ? BETWEEN op.observation_period_start_date AND op.observation_period_end_date
                    ORDER BY p.person_id
                    """), arguments: [zip3, date])
    }

    func saveInboundMessage(channel: String, sealed: Data, keyID: String) throws -> Int64 {
        try requireVaultKey(keyID)
        try db.execute(
            sql: """
                INSERT INTO pmap_inbound_message (channel, received_at, message_ciphertext, key_id, state)
                VALUES (?, datetime('now'), ?, ?, 'received')
                """, arguments: [channel, sealed, keyID])
        return db.lastInsertedRowID
    }

    func inboundMessages(state: String, channel: String, limit: Int) throws -> [InboundMessage] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT inbound_message_id, channel, message_ciphertext FROM pmap_inbound_message
                WHERE state = ? AND channel = ? ORDER BY inbound_message_id LIMIT ?
                """, arguments: [state, channel, limit]
        ).map {
            InboundMessage(
                id: $0["inbound_message_id"], channel: $0["channel"], sealed: $0["message_ciphertext"])
        }
    }

    func markInboundMessage(id: Int64, state: String, dataLoadID: Int64?) throws {
        try db.execute(
            sql: "UPDATE pmap_inbound_message SET state = ?, data_load_id = ? WHERE inbound_message_id = ?",
            arguments: [state, dataLoadID, id])
    }
}

/// A merge of two persons' records (HL7 ADT^A40).
public struct PersonMerge: Sendable, Hashable {
    public let id: Int64
    public let survivorPersonID: Int64
    public let priorPersonID: Int64
    public let sourceName: String
    public let mergedAt: String
    public let rowsMoved: Int
    public let undoneAt: String?
    public let undoReason: String?
}

/// A message the MLLP listener stored before acknowledging it, still sealed.
public struct InboundMessage: Sendable {
    public let id: Int64
    public let channel: String
    public let sealed: Data
}
