extension ExtensionSchema {
    /// Tables for HL7 v2 sources (migration v6): reversible person merges and the durable
    /// inbox of the MLLP listener.
    static let sourceTableNames = [
        "pmap_person_merge", "pmap_person_merge_row", "pmap_person_merge_lookup", "pmap_merged_person",
        "pmap_inbound_message",
    ]

    static let sourceStatements: [String] = [
        // A merge of two persons (HL7 ADT^A40): the prior person's rows moved to the survivor.
        """
        CREATE TABLE pmap_person_merge (
            merge_id INTEGER PRIMARY KEY,
            survivor_person_id INTEGER NOT NULL,
            prior_person_id INTEGER NOT NULL,
            source_name TEXT NOT NULL,
            source_record_key TEXT NOT NULL,
            merged_at DATETIME NOT NULL,
            undone_at DATETIME,
            undo_reason TEXT
        )
        """,
        "CREATE INDEX idx_pmap_person_merge_prior ON pmap_person_merge (prior_person_id)",
        // The rows a merge moved (by table and rowid), so an admin can undo it.
        """
        CREATE TABLE pmap_person_merge_row (
            merge_id INTEGER NOT NULL,
            cdm_table TEXT NOT NULL,
            cdm_row_id INTEGER NOT NULL,
            PRIMARY KEY (merge_id, cdm_table, cdm_row_id)
        ) WITHOUT ROWID
        """,
        // The identity lookups a merge pointed at the survivor.
        """
        CREATE TABLE pmap_person_merge_lookup (
            merge_id INTEGER NOT NULL,
            lookup_hash BLOB NOT NULL,
            PRIMARY KEY (merge_id, lookup_hash)
        ) WITHOUT ROWID
        """,
        // The prior person's CDM row as it was before the merge (same columns as person).
        "CREATE TABLE pmap_merged_person AS SELECT 0 AS merge_id, * FROM person WHERE 0",
        // Messages the MLLP listener acknowledged, stored encrypted before the ACK and kept
        // until loaded, so a crash loses nothing that was acknowledged.
        """
        CREATE TABLE pmap_inbound_message (
            inbound_message_id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            received_at DATETIME NOT NULL,
            message_ciphertext BLOB NOT NULL,
            key_id TEXT NOT NULL,
            state TEXT NOT NULL,
            data_load_id INTEGER
        )
        """,
        "CREATE INDEX idx_pmap_inbound_message_state ON pmap_inbound_message (state, inbound_message_id)",
    ]
}
