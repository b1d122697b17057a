import Foundation
import GRDB
import PMAPCohort
import PMAPGovernance
import PMAPModel

/// What one generation of a cohort produced.
public struct CohortRun: Sendable, Equatable {
    public let entries: Int
    /// The cohort's distinct subjects.
    public let subjectIDs: [Int64]
    /// Inclusion-rule bitmask of each person's best event → persons.
    public let masks: [Int: Int]

    public var subjects: Int { subjectIDs.count }
}

/// A cohort definition saved in the store, with its project.
public struct StoredCohortDefinition: Sendable, Equatable {
    public let id: Int64
    public let projectID: Int64
    public let name: String
    public let json: String
    public let hash: String
    public let createdBy: Int64
    public let createdAt: String
}

/// The reproducibility record of one generation.
public struct CohortGeneration: Sendable, Equatable {
    public let id: Int64
    public let definitionID: Int64
    public let subjects: Int
    public let entries: Int
    public let attritionJSON: String
    public let definitionHash: String
    public let vocabularyVersion: String?
    public let lastDataLoadID: Int64?
    public let pmapVersion: String
    public let generatedAt: String
}

extension SQLiteStore {
    public func generateCohort(_ compiled: CompiledCohort, definitionID: Int64, authorization: Authorization)
        async throws -> CohortRun
    {
        _ = authorization  // the type is the permission: only the gate makes one
        return try await writeTransaction { db in
            for statement in compiled.statements {
                try db.execute(
                    sql: statement.sql,
                    arguments: StatementArguments(statement.arguments.map(\.databaseValue)))
            }
            let entries =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM cohort WHERE cohort_definition_id = ?",
                    arguments: [definitionID])
                ?? 0
            let subjects = try Int64.fetchAll(
                db,
                sql:
                    "SELECT DISTINCT subject_id FROM cohort WHERE cohort_definition_id = ? ORDER BY subject_id",
                arguments: [definitionID])
            var masks: [Int: Int] = [:]
            for mask in try Row.fetchAll(
                db, sql: compiled.inclusionMaskQuery.sql,
                arguments: StatementArguments(compiled.inclusionMaskQuery.arguments.map(\.databaseValue)))
            {
                masks[mask[0] as Int, default: 0] += mask[1] as Int
            }
            for statement in compiled.cleanup {
                try db.execute(
                    sql: statement.sql,
                    arguments: StatementArguments(statement.arguments.map(\.databaseValue)))
            }
            return CohortRun(entries: entries, subjectIDs: subjects, masks: masks)
        }
    }

    public func cohortPopulation(definitionID: Int64, authorization: Authorization) async throws -> (
        entries: Int, subjects: [Int64]
    ) {
        _ = authorization
        return try await read { db in
            // Persons who opted out after the generation leave every result at once.
            let consented = """
                cohort_definition_id = ?
                AND NOT EXISTS (SELECT 1 FROM pmap_consent k WHERE k.person_id = c.subject_id AND k.research_opt_out = 1)
                """
            let entries =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM cohort c WHERE \(consented)", arguments: [definitionID])
                ?? 0
            let subjects = try Int64.fetchAll(
                db, sql: "SELECT DISTINCT subject_id FROM cohort c WHERE \(consented) ORDER BY subject_id",
                arguments: [definitionID])
            return (entries, subjects)
        }
    }
}

extension SQLiteWriter {
    func saveCohortDefinition(projectID: Int64, name: String, json: String, hash: String, createdBy: Int64)
        throws
        -> Int64
    {
        let next =
            (try Int64.fetchOne(db, sql: "SELECT max(cohort_definition_id) FROM pmap_cohort_definition") ?? 0)
            + 1
        try db.execute(
            sql: """
                INSERT INTO pmap_cohort_definition (cohort_definition_id, project_id, name, definition_json, definition_hash, created_by, created_at)
                VALUES (?, ?, ?, ?, ?, ?, datetime('now'))
                """, arguments: [next, projectID, name, json, hash, createdBy])
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO cohort_definition (cohort_definition_id, cohort_definition_name, definition_type_concept_id,
                    cohort_definition_syntax, subject_concept_id, cohort_initiation_date)
                VALUES (?, ?, 0, ?, 0, date('now'))
                """, arguments: [next, String(name.prefix(255)), json])
        return next
    }

    func cohortDefinition(id: Int64) throws -> StoredCohortDefinition? {
        try Row.fetchOne(
            db, sql: "SELECT * FROM pmap_cohort_definition WHERE cohort_definition_id = ?", arguments: [id]
        )
        .map(Self.storedDefinition)
    }

    func cohortDefinitions(project: Int64) throws -> [StoredCohortDefinition] {
        try Row.fetchAll(
            db,
            sql: "SELECT * FROM pmap_cohort_definition WHERE project_id = ? ORDER BY cohort_definition_id",
            arguments: [project]
        ).map(Self.storedDefinition)
    }

    static func storedDefinition(_ row: Row) -> StoredCohortDefinition {
        StoredCohortDefinition(
            id: row["cohort_definition_id"], projectID: row["project_id"], name: row["name"],
            json: row["definition_json"], hash: row["definition_hash"], createdBy: row["created_by"],
            createdAt: row["created_at"])
    }

    func saveCohortGeneration(
        definitionID: Int64, run: CohortRun, attritionJSON: String, definitionHash: String,
        pmapVersion: String,
        generatedBy: Int64
    ) throws -> CohortGeneration {
        let vocabulary = try String.fetchOne(db, sql: "SELECT vocabulary_version FROM cdm_source LIMIT 1")
        let load = try Int64.fetchOne(
            db, sql: "SELECT max(data_load_id) FROM pmap_data_load WHERE status = 'finished'")
        try db.execute(
            sql: """
                INSERT INTO pmap_cohort_generation (cohort_definition_id, subjects, entries, attrition_json, definition_hash,
                    vocabulary_version, last_data_load_id, pmap_version, generated_by, generated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, datetime('now'))
                """,
            arguments: [
                definitionID, run.subjects, run.entries, attritionJSON, definitionHash, vocabulary, load,
                pmapVersion,
                generatedBy,
            ])
        return try latestGeneration(definitionID: definitionID)!
    }

    func latestGeneration(definitionID: Int64) throws -> CohortGeneration? {
        try Row.fetchOne(
            db,
            sql:
                "SELECT * FROM pmap_cohort_generation WHERE cohort_definition_id = ? ORDER BY generation_id DESC LIMIT 1",
            arguments: [definitionID]
        ).map {
            CohortGeneration(
                id: $0["generation_id"], definitionID: $0["cohort_definition_id"], subjects: $0["subjects"],
                entries: $0["entries"], attritionJSON: $0["attrition_json"],
                definitionHash: $0["definition_hash"],
                vocabularyVersion: $0["vocabulary_version"], lastDataLoadID: $0["last_data_load_id"],
                pmapVersion: $0["pmap_version"], generatedAt: $0["generated_at"])
        }
    }
}
