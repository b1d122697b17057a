import PMAPModel

/// DDL for the CDM tables on SQLite, built from the ``CDMSchema`` catalog.
///
/// Column types are declared as the specification spells them (`INTEGER`, `VARCHAR(50)`,
/// `DATE`, `DATETIME`, `FLOAT`), so tools reading the schema see OMOP's types; `varchar(MAX)`
/// becomes `TEXT`. Integer primary keys are `INTEGER PRIMARY KEY` (SQLite's row id).
/// Dates are stored as ISO-8601 text (`YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`), which SQLite's
/// date functions read.
enum SQLiteSchema {
    static func createTable(_ table: CDMTable) -> String {
        let columns = table.columns.map { column -> String in
            var definition = "\(quoted(column.name)) \(sqlType(column))"
            if column.isPrimaryKey {
                definition += " NOT NULL PRIMARY KEY"
            } else if column.isRequired {
                definition += " NOT NULL"
            }
            return definition
        }
        return "CREATE TABLE \(quoted(table.name)) (\n    \(columns.joined(separator: ",\n    "))\n)"
    }

    static func sqlType(_ column: CDMColumn) -> String {
        switch column.kind {
        case .integer: return "INTEGER"
        case .bigint: return "BIGINT"
        case .float: return "FLOAT"
        case .date: return "DATE"
        case .datetime: return "DATETIME"
        case .varchar(let maxLength?): return "VARCHAR(\(maxLength))"
        case .varchar(nil): return "TEXT"
        }
    }

    /// An identifier in double quotes; callers pass only names from the schema catalog.
    static func quoted(_ identifier: String) -> String {
        "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The indexes of the CDM tables: person + date on every event table, the main concept
    /// column of each clinical table, visit links, and the vocabulary look-ups; unique
    /// indexes on the natural keys of the key-less vocabulary tables.
    static let indexes: [String] = {
        var statements: [String] = []
        let personDate: [(String, String)] = [
            ("observation_period", "observation_period_start_date"), ("visit_occurrence", "visit_start_date"),
            ("visit_detail", "visit_detail_start_date"), ("condition_occurrence", "condition_start_date"),
            ("drug_exposure", "drug_exposure_start_date"), ("procedure_occurrence", "procedure_date"),
            ("device_exposure", "device_exposure_start_date"), ("measurement", "measurement_date"),
            ("observation", "observation_date"), ("death", "death_date"), ("note", "note_date"),
            ("specimen", "specimen_date"), ("payer_plan_period", "payer_plan_period_start_date"),
            ("drug_era", "drug_era_start_date"), ("dose_era", "dose_era_start_date"),
            ("condition_era", "condition_era_start_date"), ("episode", "episode_start_date"),
        ]
        for (table, date) in personDate {
            statements.append("CREATE INDEX idx_\(table)_person_date ON \(table) (person_id, \(date))")
        }
        let concepts: [(String, String)] = [
            ("visit_occurrence", "visit_concept_id"), ("visit_detail", "visit_detail_concept_id"),
            ("condition_occurrence", "condition_concept_id"), ("drug_exposure", "drug_concept_id"),
            ("procedure_occurrence", "procedure_concept_id"), ("device_exposure", "device_concept_id"),
            ("measurement", "measurement_concept_id"), ("observation", "observation_concept_id"),
            ("specimen", "specimen_concept_id"), ("note", "note_type_concept_id"),
            ("drug_era", "drug_concept_id"),
            ("dose_era", "drug_concept_id"), ("condition_era", "condition_concept_id"),
            ("episode", "episode_concept_id"),
            ("death", "cause_concept_id"),
        ]
        for (table, column) in concepts {
            statements.append("CREATE INDEX idx_\(table)_concept ON \(table) (\(column))")
        }
        for table in [
            "condition_occurrence", "drug_exposure", "procedure_occurrence", "device_exposure", "measurement",
            "observation",
            "visit_detail", "note",
        ] {
            statements.append("CREATE INDEX idx_\(table)_visit ON \(table) (visit_occurrence_id)")
        }
        statements += [
            "CREATE INDEX idx_concept_code ON concept (concept_code, vocabulary_id)",
            "CREATE INDEX idx_concept_domain ON concept (domain_id, standard_concept)",
            "CREATE UNIQUE INDEX idx_concept_relationship_key ON concept_relationship (concept_id_1, relationship_id, concept_id_2)",
            "CREATE INDEX idx_concept_relationship_id_2 ON concept_relationship (concept_id_2)",
            "CREATE UNIQUE INDEX idx_concept_ancestor_key ON concept_ancestor (ancestor_concept_id, descendant_concept_id)",
            "CREATE INDEX idx_concept_ancestor_descendant ON concept_ancestor (descendant_concept_id)",
            "CREATE INDEX idx_concept_synonym_concept ON concept_synonym (concept_id)",
            "CREATE INDEX idx_drug_strength_drug ON drug_strength (drug_concept_id, ingredient_concept_id)",
            "CREATE INDEX idx_source_to_concept_map_source ON source_to_concept_map (source_vocabulary_id, source_code)",
            "CREATE INDEX idx_cohort_subject ON cohort (cohort_definition_id, subject_id, cohort_start_date)",
            "CREATE INDEX idx_fact_relationship_1 ON fact_relationship (domain_concept_id_1, fact_id_1)",
        ]
        return statements
    }()
}
