/// PMAP's own tables beside the CDM. They carry the `pmap_` prefix and never change a CDM
/// table's columns, so OHDSI tools see a plain CDM.
enum ExtensionSchema {
    /// The extension tables of the first extension migration, in creation order.
    static let tableNames = [
        "pmap_setting", "pmap_data_load", "pmap_provenance", "pmap_quarantine", "pmap_identity",
        "pmap_identity_lookup", "pmap_genomic_variant",
    ]

    static let createStatements: [String] = [
        // Store-wide settings (store id, creation time, vocabulary source); no patient data.
        """
        CREATE TABLE pmap_setting (
            setting_key TEXT PRIMARY KEY,
            setting_value TEXT NOT NULL
        )
        """,
        // One row per ingestion run, with its reconciliation.
        """
        CREATE TABLE pmap_data_load (
            data_load_id INTEGER PRIMARY KEY,
            source_name TEXT NOT NULL,
            started_at DATETIME NOT NULL,
            finished_at DATETIME,
            status TEXT NOT NULL,
            records_read INTEGER NOT NULL DEFAULT 0,
            records_loaded INTEGER NOT NULL DEFAULT 0,
            records_quarantined INTEGER NOT NULL DEFAULT 0,
            summary_json TEXT
        )
        """,
        // Where every CDM row came from: source, file and location within the file.
        """
        CREATE TABLE pmap_provenance (
            provenance_id INTEGER PRIMARY KEY,
            cdm_table TEXT NOT NULL,
            cdm_row_id INTEGER NOT NULL,
            data_load_id INTEGER NOT NULL,
            source_name TEXT NOT NULL,
            source_file TEXT NOT NULL,
            source_location TEXT NOT NULL,
            source_record_key TEXT
        )
        """,
        "CREATE UNIQUE INDEX idx_pmap_provenance_row ON pmap_provenance (cdm_table, cdm_row_id)",
        "CREATE INDEX idx_pmap_provenance_key ON pmap_provenance (source_name, source_record_key)",
        // Records held back with a reason; the record itself is kept encrypted.
        """
        CREATE TABLE pmap_quarantine (
            quarantine_id INTEGER PRIMARY KEY,
            data_load_id INTEGER,
            source_name TEXT NOT NULL,
            source_file TEXT NOT NULL,
            source_location TEXT NOT NULL,
            record_type TEXT,
            reason_code TEXT NOT NULL,
            reason TEXT NOT NULL,
            record_ciphertext BLOB,
            key_id TEXT,
            created_at DATETIME NOT NULL,
            resolved_at DATETIME,
            resolution TEXT
        )
        """,
        "CREATE INDEX idx_pmap_quarantine_open ON pmap_quarantine (resolved_at, reason_code)",
        // The identity vault: a person's direct identifiers, encrypted (AES-GCM) under the
        // institution's key; the CDM sees only person_id.
        """
        CREATE TABLE pmap_identity (
            person_id INTEGER PRIMARY KEY,
            identity_ciphertext BLOB NOT NULL,
            key_id TEXT NOT NULL,
            created_at DATETIME NOT NULL,
            updated_at DATETIME NOT NULL
        )
        """,
        // Keyed hashes (blind index) of identifiers such as MRN + system, to find a person
        // without decrypting the vault.
        """
        CREATE TABLE pmap_identity_lookup (
            lookup_hash BLOB PRIMARY KEY,
            person_id INTEGER NOT NULL,
            identifier_kind TEXT NOT NULL
        ) WITHOUT ROWID
        """,
        "CREATE INDEX idx_pmap_identity_lookup_person ON pmap_identity_lookup (person_id)",
        // Genomic variants found in a person's specimens (germline panels, tumour sequencing).
        """
        CREATE TABLE pmap_genomic_variant (
            genomic_variant_id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL,
            specimen_id INTEGER,
            variant_date DATE,
            genome_build VARCHAR(20) NOT NULL,
            chromosome VARCHAR(20) NOT NULL,
            position INTEGER NOT NULL,
            reference_allele TEXT NOT NULL,
            alternate_allele TEXT NOT NULL,
            gene_symbol VARCHAR(50),
            gene_concept_id INTEGER,
            hgvs_c TEXT,
            hgvs_p TEXT,
            zygosity VARCHAR(20),
            allele_fraction FLOAT,
            read_depth INTEGER,
            clinical_significance VARCHAR(50),
            sample_origin VARCHAR(20),
            data_load_id INTEGER
        )
        """,
        "CREATE INDEX idx_pmap_genomic_variant_person ON pmap_genomic_variant (person_id, variant_date)",
        "CREATE INDEX idx_pmap_genomic_variant_gene ON pmap_genomic_variant (gene_symbol, clinical_significance)",
    ]

    /// Full-text index over concept names and codes (SQLite FTS5, external content on
    /// `concept`), rebuilt after every vocabulary load.
    static let conceptSearchStatements = [
        """
        CREATE VIRTUAL TABLE pmap_concept_search USING fts5(
            concept_name, concept_code, content='concept', content_rowid='concept_id'
        )
        """
    ]
}

extension ExtensionSchema {
    /// Tables of the ingestion pipeline (migration v5): what each source record was, persons
    /// whose derived tables need rebuilding, and research consent.
    static let ingestionTableNames = ["pmap_source_record", "pmap_dirty_person", "pmap_consent"]

    static let ingestionStatements: [String] = [
        // One row per source record loaded (FHIR resource, mapped CSV row), for idempotency and
        // updates. OMOP CSV rows no longer get one: the key in their provenance serves (rows an
        // earlier version loaded keep theirs, which are still honoured).
        """
        CREATE TABLE pmap_source_record (
            source_name TEXT NOT NULL,
            record_key TEXT NOT NULL,
            record_version TEXT,
            content_hash TEXT NOT NULL,
            data_load_id INTEGER NOT NULL,
            PRIMARY KEY (source_name, record_key)
        ) WITHOUT ROWID
        """,
        // Persons an ingest touched whose observation periods and eras must be rebuilt; written
        // in the same transaction as their records, so a crash loses no rebuild.
        "CREATE TABLE pmap_dirty_person (person_id INTEGER PRIMARY KEY)",
        // Research consent decisions the governance gate honours (latest per person wins).
        """
        CREATE TABLE pmap_consent (
            person_id INTEGER PRIMARY KEY,
            research_opt_out INTEGER NOT NULL,
            decided_on DATE NOT NULL,
            source_name TEXT NOT NULL,
            source_record_key TEXT NOT NULL
        )
        """,
    ]
}
