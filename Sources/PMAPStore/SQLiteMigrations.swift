import GRDB
import PMAPModel

/// The store's schema history. Each migration runs once, in order, inside a transaction;
/// a published migration is never edited: changes come as new migrations.
enum SQLiteMigrations {
    static let cdmTables = "v1-omop-cdm-5.4-tables"
    static let cdmIndexes = "v2-omop-cdm-5.4-indexes"
    static let extensions = "v3-pmap-extension-tables"
    static let conceptSearch = "v4-concept-search-index"
    static let ingestion = "v5-pmap-ingestion-tables"
    static let sources = "v6-pmap-merge-and-inbox-tables"
    static let governance = "v7-pmap-governance-tables"
    static let cohorts = "v8-pmap-cohort-tables"
    static let disclosures = "v9-pmap-disclosure-tables"
    static let keys = "v10-pmap-key-rotation"
    static let rowRanges = "v11-pmap-source-record-row-ranges"

    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration(cdmTables) { db in
            for table in CDMSchema.tables {
                try db.execute(sql: SQLiteSchema.createTable(table))
            }
            try db.execute(
                sql: """
                    INSERT INTO cdm_source (cdm_source_name, cdm_source_abbreviation, cdm_holder, source_release_date,
                        cdm_release_date, cdm_version, cdm_version_concept_id, vocabulary_version)
                    VALUES ('PMAP store', 'PMAP', 'this institution', date('now'), date('now'), 'v5.4', 756265, 'none loaded')
                    """)
        }
        migrator.registerStatements(cdmIndexes, SQLiteSchema.indexes)
        migrator.registerStatements(extensions, ExtensionSchema.createStatements)
        migrator.registerStatements(
            conceptSearch,
            ExtensionSchema.conceptSearchStatements + [
                "INSERT INTO pmap_concept_search(pmap_concept_search) VALUES ('rebuild')"
            ])
        migrator.registerStatements(ingestion, ExtensionSchema.ingestionStatements)
        migrator.registerStatements(sources, ExtensionSchema.sourceStatements)
        migrator.registerStatements(governance, ExtensionSchema.governanceStatements)
        migrator.registerStatements(cohorts, ExtensionSchema.cohortStatements)
        migrator.registerStatements(disclosures, ExtensionSchema.disclosureStatements)
        migrator.registerStatements(keys, ExtensionSchema.keyStatements)
        migrator.registerMigration(rowRanges) { db in
            // The copy hashes each key as it goes (SQLite has no FNV-1a of its own).
            db.add(function: SourceRecordKey.sqlFunction)
            defer { db.remove(function: SourceRecordKey.sqlFunction) }
            for statement in ExtensionSchema.rowRangeStatements { try db.execute(sql: statement) }
        }
        return migrator
    }()
}

extension DatabaseMigrator {
    /// Registers a migration that runs `statements` in order.
    fileprivate mutating func registerStatements(_ identifier: String, _ statements: [String]) {
        registerMigration(identifier) { db in
            for statement in statements { try db.execute(sql: statement) }
        }
    }
}
