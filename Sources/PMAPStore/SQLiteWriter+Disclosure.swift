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
        let candidates = try Int.fetchOne(db, sql: "SELECT count(*) FROM pmap_candidate_population") ?? 0
        // |new Δ earlier| = |new| + |earlier| − 2·|new ∩ earlier|, per earlier disclosure of the
        // project, each counted by a scan of that disclosure's rows with a key look-up in the
        // candidates (never a correlated NOT IN, which rebuilt a population per person).
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT d.disclosure_id AS id,
                    (SELECT count(*) FROM pmap_disclosed_population p WHERE p.disclosure_id = d.disclosure_id) AS earlier,
                    (SELECT count(*) FROM pmap_disclosed_population p
                        JOIN pmap_candidate_population c ON c.person_id = p.person_id
                        WHERE p.disclosure_id = d.disclosure_id) AS shared
                FROM pmap_disclosure d WHERE d.project_id = ? AND d.target NOT LIKE 'export:%'
                """, arguments: [project])
        // The smallest non-zero difference (the earliest disclosure on a tie).
        var closest: (disclosureID: Int64, difference: Int)?
        for row in rows {
            let difference = candidates + (row["earlier"] as Int) - 2 * (row["shared"] as Int)
            guard difference > 0 else { continue }
            if closest == nil || difference < closest!.difference { closest = (row["id"], difference) }
        }
        return closest
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
