import Foundation
import GRDB
import PMAPGovernance
import PMAPModel

extension SQLiteWriter {
    // MARK: Users and centers

    func createUser(name: String, role: Role, tokenHash: Data) throws -> Int64 {
        guard
            try Int64.fetchOne(db, sql: "SELECT user_id FROM pmap_user WHERE name = ?", arguments: [name])
                == nil
        else {
            throw PMAPError(.badInput, "a user named \(name) exists already; choose another name")
        }
        try db.execute(
            sql: "INSERT INTO pmap_user (name, role, created_at) VALUES (?, ?, datetime('now'))",
            arguments: [name, role.rawValue])
        let id = db.lastInsertedRowID
        try db.execute(
            sql:
                "INSERT INTO pmap_api_token (token_hash, user_id, created_at) VALUES (?, ?, datetime('now'))",
            arguments: [tokenHash, id])
        return id
    }

    func userCount() throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM pmap_user") ?? 0
    }

    func revokeTokens(user: Int64) throws -> Int {
        try db.execute(
            sql:
                "UPDATE pmap_api_token SET revoked_at = datetime('now') WHERE user_id = ? AND revoked_at IS NULL",
            arguments: [user])
        return db.changesCount
    }

    func addToken(user: Int64, tokenHash: Data) throws {
        try db.execute(
            sql:
                "INSERT INTO pmap_api_token (token_hash, user_id, created_at) VALUES (?, ?, datetime('now'))",
            arguments: [tokenHash, user])
    }

    func user(tokenHash: Data) throws -> UserRecord? {
        guard
            let id = try Int64.fetchOne(
                db, sql: "SELECT user_id FROM pmap_api_token WHERE token_hash = ? AND revoked_at IS NULL",
                arguments: [tokenHash])
        else { return nil }
        return try user(id: id)
    }

    func user(id: Int64) throws -> UserRecord? {
        guard
            let row = try Row.fetchOne(db, sql: "SELECT * FROM pmap_user WHERE user_id = ?", arguments: [id])
        else { return nil }
        return try userRecord(row)
    }

    func user(named name: String) throws -> UserRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM pmap_user WHERE name = ?", arguments: [name])
        else { return nil }
        return try userRecord(row)
    }

    func users() throws -> [UserRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM pmap_user ORDER BY user_id").map(userRecord)
    }

    private func userRecord(_ row: Row) throws -> UserRecord {
        let id: Int64 = row["user_id"]
        let centers = try Int64.fetchAll(
            db, sql: "SELECT center_id FROM pmap_center_member WHERE user_id = ?", arguments: [id])
        return UserRecord(
            id: id, name: row["name"], role: Role(rawValue: row["role"]) ?? .researcher, centers: Set(centers)
        )
    }

    func createCenter(name: String) throws -> Int64 {
        guard
            try Int64.fetchOne(db, sql: "SELECT center_id FROM pmap_center WHERE name = ?", arguments: [name])
                == nil
        else {
            throw PMAPError(.badInput, "a center named \(name) exists already")
        }
        try db.execute(
            sql: "INSERT INTO pmap_center (name, created_at) VALUES (?, datetime('now'))", arguments: [name])
        return db.lastInsertedRowID
    }

    func addCenterMember(center: Int64, user: Int64) throws {
        try db.execute(
            sql: "INSERT OR IGNORE INTO pmap_center_member (center_id, user_id) VALUES (?, ?)",
            arguments: [center, user])
    }

    func center(id: Int64) throws -> CenterRecord? {
        guard
            let name = try String.fetchOne(
                db, sql: "SELECT name FROM pmap_center WHERE center_id = ?", arguments: [id])
        else { return nil }
        let members = try Int64.fetchAll(
            db, sql: "SELECT user_id FROM pmap_center_member WHERE center_id = ? ORDER BY user_id",
            arguments: [id])
        return CenterRecord(id: id, name: name, members: members)
    }

    func centers() throws -> [CenterRecord] {
        try Int64.fetchAll(db, sql: "SELECT center_id FROM pmap_center ORDER BY center_id").compactMap(
            center(id:))
    }

    // MARK: Projects

    func createProject(name: String, center: Int64, principalInvestigator: Int64, purpose: String) throws
        -> Int64
    {
        guard
            try Int64.fetchOne(
                db, sql: "SELECT project_id FROM pmap_project WHERE name = ?", arguments: [name]) == nil
        else {
            throw PMAPError(.badInput, "a project named \(name) exists already")
        }
        try db.execute(
            sql: """
                INSERT INTO pmap_project (name, center_id, pi_user_id, purpose, created_at)
                VALUES (?, ?, ?, ?, datetime('now'))
                """, arguments: [name, center, principalInvestigator, purpose])
        return db.lastInsertedRowID
    }

    func saveIRB(project: Int64, _ irb: IRBProtocol) throws {
        try db.execute(
            sql: """
                INSERT INTO pmap_irb_protocol (project_id, number, approved_on, expires_on, personnel, waiver_of_consent, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, datetime('now'))
                ON CONFLICT(project_id) DO UPDATE SET number = excluded.number, approved_on = excluded.approved_on,
                    expires_on = excluded.expires_on, personnel = excluded.personnel,
                    waiver_of_consent = excluded.waiver_of_consent, recorded_at = excluded.recorded_at
                """,
            arguments: [
                project, irb.number, irb.approved.iso, irb.expires.iso,
                irb.personnel.sorted().map(String.init).joined(separator: ","), irb.waiverOfConsent ? 1 : 0,
            ])
    }

    func addProjectMember(project: Int64, user: Int64) throws {
        try db.execute(
            sql:
                "INSERT OR IGNORE INTO pmap_project_member (project_id, user_id, added_at) VALUES (?, ?, datetime('now'))",
            arguments: [project, user])
    }

    func project(id: Int64) throws -> ProjectRecord? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM pmap_project WHERE project_id = ?", arguments: [id])
        else { return nil }
        var irb: IRBProtocol?
        if let protocolRow = try Row.fetchOne(
            db, sql: "SELECT * FROM pmap_irb_protocol WHERE project_id = ?", arguments: [id]),
            let approved = Day(iso: protocolRow["approved_on"]),
            let expires = Day(iso: protocolRow["expires_on"])
        {
            let personnel = (protocolRow["personnel"] as String).split(separator: ",").compactMap {
                Int64($0)
            }
            irb = IRBProtocol(
                number: protocolRow["number"], approved: approved, expires: expires,
                personnel: Set(personnel),
                waiverOfConsent: (protocolRow["waiver_of_consent"] as Int) == 1)
        }
        let members = try Int64.fetchAll(
            db, sql: "SELECT user_id FROM pmap_project_member WHERE project_id = ?", arguments: [id])
        return ProjectRecord(
            state: ProjectState(
                id: id, centerID: row["center_id"], principalInvestigator: row["pi_user_id"], irb: irb,
                members: Set(members)),
            name: row["name"], purpose: row["purpose"])
    }

    func project(named name: String) throws -> ProjectRecord? {
        try Int64.fetchOne(db, sql: "SELECT project_id FROM pmap_project WHERE name = ?", arguments: [name])
            .flatMap(project(id:))
    }

    func projects() throws -> [ProjectRecord] {
        try Int64.fetchAll(db, sql: "SELECT project_id FROM pmap_project ORDER BY project_id").compactMap(
            project(id:))
    }

    // MARK: Requests and grants

    func submitRequest(
        project: Int64, requestedBy: Int64, domains: Set<DataDomain>, level: DisclosureLevel,
        leavesPlatform: Bool,
        cohortID: Int64?, validUntil: Day, assessment: TierAssessment
    ) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO pmap_data_request (project_id, requested_by, domains, level, leaves_platform, cohort_id,
                    valid_until, tier, required_approvals, status, submitted_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', datetime('now'))
                """,
            arguments: [
                project, requestedBy, domains.map(\.rawValue).sorted().joined(separator: ","), level.rawValue,
                leavesPlatform ? 1 : 0, cohortID, validUntil.iso, assessment.tier.rawValue,
                assessment.requiredApprovals,
            ])
        return db.lastInsertedRowID
    }

    func saveReview(request: Int64, reviewer: Int64, approved: Bool, reason: String) throws {
        guard
            try Int.fetchOne(
                db, sql: "SELECT 1 FROM pmap_request_review WHERE request_id = ? AND reviewer_id = ?",
                arguments: [request, reviewer]) == nil
        else {
            throw PMAPError(.badInput, "user \(reviewer) has already reviewed request \(request)")
        }
        try db.execute(
            sql: """
                INSERT INTO pmap_request_review (request_id, reviewer_id, decision, reason, reviewed_at)
                VALUES (?, ?, ?, ?, datetime('now'))
                """, arguments: [request, reviewer, approved ? "approve" : "deny", reason])
    }

    func setRequestStatus(_ request: Int64, status: String) throws {
        try db.execute(
            sql: "UPDATE pmap_data_request SET status = ?, decided_at = datetime('now') WHERE request_id = ?",
            arguments: [status, request])
    }

    func request(id: Int64) throws -> RequestRecord? {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM pmap_data_request WHERE request_id = ?", arguments: [id])
        else { return nil }
        return try requestRecord(row)
    }

    func requests() throws -> [RequestRecord] {
        try Row.fetchAll(db, sql: "SELECT * FROM pmap_data_request ORDER BY request_id").map(requestRecord)
    }

    private func requestRecord(_ row: Row) throws -> RequestRecord {
        let id: Int64 = row["request_id"]
        let reviews = try Row.fetchAll(
            db,
            sql: "SELECT * FROM pmap_request_review WHERE request_id = ? ORDER BY reviewed_at, reviewer_id",
            arguments: [id]
        ).map {
            RequestRecord.Review(
                reviewerID: $0["reviewer_id"], approved: ($0["decision"] as String) == "approve",
                reason: $0["reason"])
        }
        return RequestRecord(
            id: id, projectID: row["project_id"], requestedBy: row["requested_by"],
            domains: Self.domains(row["domains"]),
            level: DisclosureLevel(rawValue: row["level"]) ?? .aggregate,
            leavesPlatform: (row["leaves_platform"] as Int) == 1, cohortID: row["cohort_id"],
            validUntil: Day(iso: row["valid_until"]) ?? Day(iso: "1970-01-01")!,
            tier: RiskTier(rawValue: row["tier"]) ?? .c, requiredApprovals: row["required_approvals"],
            status: row["status"], reviews: reviews, submittedAt: row["submitted_at"])
    }

    static func domains(_ text: String) -> Set<DataDomain> {
        Set(text.split(separator: ",").compactMap { DataDomain(rawValue: String($0)) })
    }

    func createGrant(from request: RequestRecord, validFrom: Day) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO pmap_grant (request_id, project_id, domains, level, leaves_platform, cohort_id, valid_from, valid_until)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                request.id, request.projectID,
                request.domains.map(\.rawValue).sorted().joined(separator: ","),
                request.level.rawValue, request.leavesPlatform ? 1 : 0, request.cohortID, validFrom.iso,
                request.validUntil.iso,
            ])
        return db.lastInsertedRowID
    }

    func revokeGrant(id: Int64, on day: Day, by user: Int64, reason: String) throws {
        try db.execute(
            sql: """
                UPDATE pmap_grant SET revoked_on = ?, revoked_by = ?, revoke_reason = ?
                WHERE grant_id = ? AND revoked_on IS NULL
                """, arguments: [day.iso, user, reason, id])
    }

    func grants(project: Int64?) throws -> [GrantRecord] {
        try Row.fetchAll(
            db,
            sql: "SELECT * FROM pmap_grant \(project == nil ? "" : "WHERE project_id = ?") ORDER BY grant_id",
            arguments: project.map { [$0] } ?? []
        ).map { row in
            GrantRecord(
                state: GrantState(
                    id: row["grant_id"], projectID: row["project_id"], domains: Self.domains(row["domains"]),
                    level: DisclosureLevel(rawValue: row["level"]) ?? .aggregate,
                    leavesPlatform: (row["leaves_platform"] as Int) == 1, cohortID: row["cohort_id"],
                    validFrom: Day(iso: row["valid_from"]) ?? Day(iso: "1970-01-01")!,
                    validUntil: Day(iso: row["valid_until"]) ?? Day(iso: "1970-01-01")!,
                    revokedOn: (row["revoked_on"] as String?).flatMap { Day(iso: $0) }),
                requestID: row["request_id"], revokeReason: row["revoke_reason"])
        }
    }

    // MARK: Audit

    func lastAuditMAC() throws -> (sequence: Int64, mac: Data)? {
        try Row.fetchOne(db, sql: "SELECT sequence, mac FROM pmap_audit ORDER BY sequence DESC LIMIT 1").map {
            ($0["sequence"], $0["mac"])
        }
    }

    func appendAudit(_ entry: AuditEntry, mac: Data, keyID: String) throws {
        try requireVaultKey(keyID)
        try db.execute(
            sql: """
                INSERT INTO pmap_audit (sequence, time, user_id, project_id, action, target, rows_returned, allowed, reason, mac)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                entry.sequence, entry.time, entry.userID, entry.projectID, entry.action, entry.target,
                entry.rows,
                entry.allowed ? 1 : 0, entry.reason, mac,
            ])
    }

    func auditEntries(project: Int64?) throws -> [(entry: AuditEntry, mac: Data)] {
        try Row.fetchAll(
            db,
            sql: "SELECT * FROM pmap_audit \(project == nil ? "" : "WHERE project_id = ?") ORDER BY sequence",
            arguments: project.map { [$0] } ?? []
        ).map { row in
            (
                AuditEntry(
                    sequence: row["sequence"], time: row["time"], userID: row["user_id"],
                    projectID: row["project_id"],
                    action: row["action"], target: row["target"], rows: row["rows_returned"],
                    allowed: (row["allowed"] as Int) == 1, reason: row["reason"]),
                row["mac"]
            )
        }
    }
}
