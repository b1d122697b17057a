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
                FROM pmap_disclosure d WHERE d.project_id = ?
                ORDER BY CASE WHEN difference = 0 THEN 1 ELSE 0 END, difference LIMIT 1
                """, arguments: [project])
        guard let row, let difference = row["difference"] as Int?, difference > 0 else { return nil }
        return (row["id"], difference)
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
