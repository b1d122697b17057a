import Foundation
import GRDB
import PMAPModel

extension SQLiteWriter {
    func closestDisclosure(project: Int64, persons: [Int64]) throws -> (disclosureID: Int64, difference: Int)?
    {
        try db.execute(
            sql:
                "CREATE TEMPORARY TABLE IF NOT EXISTS pmap_candidate_population (person_id INTEGER PRIMARY KEY)"
        )
        try db.execute(sql: "DELETE FROM pmap_candidate_population")
        let insert = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO pmap_candidate_population (person_id) VALUES (?)")
        for person in persons { try insert.execute(arguments: [person]) }
        defer { try? db.execute(sql: "DELETE FROM pmap_candidate_population") }
        // |new Δ earlier| for every earlier disclosure of the project; the smallest non-zero one.
        let row = try Row.fetchOne(
            db,
            sql: """
                SELECT d.disclosure_id AS id,
                    (SELECT count(*) FROM pmap_candidate_population c WHERE c.person_id NOT IN
                        (SELECT person_id FROM pmap_disclosed_population p WHERE p.disclosure_id = d.disclosure_id))
                  + (SELECT count(*) FROM pmap_disclosed_population p WHERE p.disclosure_id = d.disclosure_id
                        AND p.person_id NOT IN (SELECT person_id FROM pmap_candidate_population)) AS difference
                FROM pmap_disclosure d WHERE d.project_id = ? AND d.target NOT LIKE 'export:%' 
                ORDER BY CASE WHEN difference = 0 THEN 1 ELSE 0 END, difference LIMIT 1
                """, arguments: [project])
        guard let row, let difference = row["difference"] as Int?, difference > 0 else { return nil }
        return (row["id"], difference)
    }

    func extracts(project: Int64) throws -> [ExtractRecord] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT d.disclosure_id, d.target, d.persons, d.disclosed_at,
                    (SELECT count(*) FROM pmap_disclosed_population p JOIN pmap_consent c ON c.person_id = p.person_id
                     WHERE p.disclosure_id = d.disclosure_id AND c.research_opt_out = 1) AS withdrawn
                FROM pmap_disclosure d WHERE d.project_id = ? AND d.target LIKE 'export:%' ORDER BY d.disclosure_id
                """, arguments: [project]
        ).map {
            ExtractRecord(
                id: $0["disclosure_id"], name: String(($0["target"] as String).dropFirst("export:".count)),
                persons: $0["persons"], createdAt: $0["disclosed_at"], withdrawnSince: $0["withdrawn"])
        }
    }

    func recordDisclosure(project: Int64, target: String, persons: [Int64]) throws -> Int64 {
        try db.execute(
            sql:
                "INSERT INTO pmap_disclosure (project_id, target, persons, disclosed_at) VALUES (?, ?, ?, datetime('now'))",
            arguments: [project, target, persons.count])
        let id = db.lastInsertedRowID
        let insert = try db.cachedStatement(
            sql: "INSERT OR IGNORE INTO pmap_disclosed_population (disclosure_id, person_id) VALUES (?, ?)")
        for person in persons { try insert.execute(arguments: [id, person]) }
        return id
    }
}

/// An extract made for a project, and how many of its patients have withdrawn consent since.
public struct ExtractRecord: Sendable, Equatable {
    public let id: Int64
    public let name: String
    public let persons: Int
    public let createdAt: String
    public let withdrawnSince: Int
}
