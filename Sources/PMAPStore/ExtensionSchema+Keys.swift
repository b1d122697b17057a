extension ExtensionSchema {
    /// Key rotation (migration v10): which vault key each blind-index hash was made with, and
    /// each project's extract keys, sealed, so a rotation can re-key everything row by row.
    static let keyTableNames = ["pmap_project_key"]

    static let keyStatements: [String] = [
        // NULL for hashes written before v10: made with the store's key of that time.
        "ALTER TABLE pmap_identity_lookup ADD COLUMN key_id TEXT",
        """
        CREATE TABLE pmap_project_key (
            project_id INTEGER PRIMARY KEY,
            keys_ciphertext BLOB NOT NULL,
            key_id TEXT NOT NULL,
            created_at DATETIME NOT NULL
        )
        """,
    ]
}

extension ExtensionSchema {
    /// Source records, reshaped (migration v11).
    ///
    /// A source record whose rows went to one CDM table with consecutive ids names them as a
    /// range, with the file and location it was read from, instead of one `pmap_provenance`
    /// row per CDM row (which doubled the rows an ingest wrote); records whose rows do not form
    /// one range keep per-row provenance.
    ///
    /// The table becomes a rowid table indexed by a 64-bit hash of its key
    /// (``SourceRecordKey``) instead of a table clustered on the key: source keys (FHIR ids
    /// are often UUIDs) arrive in random order, and every insert into a key-ordered table
    /// rewrote a random page holding whole records; now records append in load order and only
    /// the narrow hash index takes random inserts. The writers keep one row per key.
    static let rowRangeStatements: [String] = [
        """
        CREATE TABLE pmap_source_record_v11 (
            source_record_id INTEGER PRIMARY KEY,
            key_hash INTEGER NOT NULL,
            source_name TEXT NOT NULL,
            record_key TEXT NOT NULL,
            record_version TEXT,
            content_hash TEXT NOT NULL,
            data_load_id INTEGER NOT NULL,
            source_file TEXT,
            source_location TEXT,
            cdm_table TEXT,
            first_row_id INTEGER,
            row_count INTEGER
        )
        """,
        """
        INSERT INTO pmap_source_record_v11 (key_hash, source_name, record_key, record_version, content_hash, data_load_id)
        SELECT pmap_source_key_hash(source_name, record_key), source_name, record_key, record_version,
            content_hash, data_load_id
        FROM pmap_source_record
        ORDER BY source_name, record_key
        """,
        "DROP TABLE pmap_source_record",
        "ALTER TABLE pmap_source_record_v11 RENAME TO pmap_source_record",
        "CREATE INDEX idx_pmap_source_record_key ON pmap_source_record (key_hash)",
        // Keys of OMOP rows loaded by earlier versions of PMAP (`omop:<table>:<hash>`), found by
        // prefix once per table and run.
        """
        CREATE INDEX idx_pmap_source_record_legacy_omop ON pmap_source_record (source_name, record_key)
        WHERE record_key LIKE 'omop:%'
        """,
        // Where a row came from: the range starting at or before its id (ids rise, so this
        // index grows at its end).
        """
        CREATE INDEX idx_pmap_source_record_rows ON pmap_source_record (cdm_table, first_row_id)
        WHERE cdm_table IS NOT NULL
        """,
    ]
}
