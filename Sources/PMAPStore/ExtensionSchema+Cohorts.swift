extension ExtensionSchema {
    /// Cohort tables (migration v8): which project a cohort definition belongs to, and one
    /// reproducibility record per generation. Definitions themselves go to the CDM's
    /// `cohort_definition`, rows to `cohort`.
    static let cohortTableNames = ["pmap_cohort_definition", "pmap_cohort_generation"]

    static let cohortStatements: [String] = [
        """
        CREATE TABLE pmap_cohort_definition (
            cohort_definition_id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL,
            name TEXT NOT NULL,
            definition_json TEXT NOT NULL,
            definition_hash TEXT NOT NULL,
            created_by INTEGER NOT NULL,
            created_at DATETIME NOT NULL
        )
        """,
        "CREATE INDEX idx_pmap_cohort_definition_project ON pmap_cohort_definition (project_id)",
        """
        CREATE TABLE pmap_cohort_generation (
            generation_id INTEGER PRIMARY KEY,
            cohort_definition_id INTEGER NOT NULL,
            subjects INTEGER NOT NULL,
            entries INTEGER NOT NULL,
            attrition_json TEXT NOT NULL,
            definition_hash TEXT NOT NULL,
            vocabulary_version TEXT,
            last_data_load_id INTEGER,
            pmap_version TEXT NOT NULL,
            generated_by INTEGER NOT NULL,
            generated_at DATETIME NOT NULL
        )
        """,
        "CREATE INDEX idx_pmap_cohort_generation_definition ON pmap_cohort_generation (cohort_definition_id, generation_id)",
    ]
}

extension ExtensionSchema {
    /// Disclosure records (migration v9): the populations behind exact counts already shown to a
    /// project, so a later count that differs from one by a few persons can be refused.
    static let disclosureTableNames = ["pmap_disclosure", "pmap_disclosed_population"]

    static let disclosureStatements: [String] = [
        """
        CREATE TABLE pmap_disclosure (
            disclosure_id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL,
            target TEXT NOT NULL,
            persons INTEGER NOT NULL,
            disclosed_at DATETIME NOT NULL
        )
        """,
        """
        CREATE TABLE pmap_disclosed_population (
            disclosure_id INTEGER NOT NULL,
            person_id INTEGER NOT NULL,
            PRIMARY KEY (disclosure_id, person_id)
        ) WITHOUT ROWID
        """,
        "CREATE INDEX idx_pmap_disclosure_project ON pmap_disclosure (project_id)",
    ]
}

extension ExtensionSchema {
    /// Every PMAP extension table, in migration order.
    static var allTableNames: [String] {
        tableNames + ingestionTableNames + sourceTableNames + governanceTableNames + cohortTableNames
            + disclosureTableNames + keyTableNames
    }
}
