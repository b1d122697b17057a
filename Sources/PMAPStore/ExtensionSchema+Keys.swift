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
