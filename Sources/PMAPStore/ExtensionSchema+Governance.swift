extension ExtensionSchema {
    /// Governance tables (migration v7): users and tokens, centers, projects with their IRB
    /// protocols, Data Trust requests, reviews and grants, and the audit chain.
    static let governanceTableNames = [
        "pmap_user", "pmap_api_token", "pmap_center", "pmap_center_member", "pmap_project",
        "pmap_irb_protocol",
        "pmap_project_member", "pmap_data_request", "pmap_request_review", "pmap_grant", "pmap_audit",
    ]

    static let governanceStatements: [String] = [
        """
        CREATE TABLE pmap_user (
            user_id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL,
            created_at DATETIME NOT NULL
        )
        """,
        // API tokens are stored only as SHA-256 hashes; the token itself is shown once.
        """
        CREATE TABLE pmap_api_token (
            token_hash BLOB PRIMARY KEY,
            user_id INTEGER NOT NULL,
            created_at DATETIME NOT NULL,
            revoked_at DATETIME
        ) WITHOUT ROWID
        """,
        "CREATE TABLE pmap_center (center_id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at DATETIME NOT NULL)",
        """
        CREATE TABLE pmap_center_member (
            center_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            PRIMARY KEY (center_id, user_id)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE pmap_project (
            project_id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            center_id INTEGER NOT NULL,
            pi_user_id INTEGER NOT NULL,
            purpose TEXT NOT NULL,
            created_at DATETIME NOT NULL
        )
        """,
        // The project's current IRB protocol; personnel is the comma-separated list of user ids it names.
        """
        CREATE TABLE pmap_irb_protocol (
            project_id INTEGER PRIMARY KEY,
            number TEXT NOT NULL,
            approved_on DATE NOT NULL,
            expires_on DATE NOT NULL,
            personnel TEXT NOT NULL,
            waiver_of_consent INTEGER NOT NULL DEFAULT 0,
            recorded_at DATETIME NOT NULL
        )
        """,
        """
        CREATE TABLE pmap_project_member (
            project_id INTEGER NOT NULL,
            user_id INTEGER NOT NULL,
            added_at DATETIME NOT NULL,
            PRIMARY KEY (project_id, user_id)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE pmap_data_request (
            request_id INTEGER PRIMARY KEY,
            project_id INTEGER NOT NULL,
            requested_by INTEGER NOT NULL,
            domains TEXT NOT NULL,
            level TEXT NOT NULL,
            leaves_platform INTEGER NOT NULL,
            cohort_id INTEGER,
            valid_until DATE NOT NULL,
            tier TEXT NOT NULL,
            required_approvals INTEGER NOT NULL,
            status TEXT NOT NULL,
            submitted_at DATETIME NOT NULL,
            decided_at DATETIME
        )
        """,
        """
        CREATE TABLE pmap_request_review (
            request_id INTEGER NOT NULL,
            reviewer_id INTEGER NOT NULL,
            decision TEXT NOT NULL,
            reason TEXT NOT NULL,
            reviewed_at DATETIME NOT NULL,
            PRIMARY KEY (request_id, reviewer_id)
        ) WITHOUT ROWID
        """,
        """
        CREATE TABLE pmap_grant (
            grant_id INTEGER PRIMARY KEY,
            request_id INTEGER NOT NULL,
            project_id INTEGER NOT NULL,
            domains TEXT NOT NULL,
            level TEXT NOT NULL,
            leaves_platform INTEGER NOT NULL,
            cohort_id INTEGER,
            valid_from DATE NOT NULL,
            valid_until DATE NOT NULL,
            revoked_on DATE,
            revoked_by INTEGER,
            revoke_reason TEXT
        )
        """,
        "CREATE INDEX idx_pmap_grant_project ON pmap_grant (project_id)",
        // The audit chain: every decision and data access, each entry MACed with the previous one's.
        """
        CREATE TABLE pmap_audit (
            sequence INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            user_id INTEGER,
            project_id INTEGER,
            action TEXT NOT NULL,
            target TEXT NOT NULL,
            rows_returned INTEGER,
            allowed INTEGER NOT NULL,
            reason TEXT NOT NULL,
            mac BLOB NOT NULL
        )
        """,
        "CREATE INDEX idx_pmap_audit_project ON pmap_audit (project_id, sequence)",
        // Append-only in normal use; the MAC chain catches whoever drops these triggers.
        """
        CREATE TRIGGER pmap_audit_no_update BEFORE UPDATE ON pmap_audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
        """,
        """
        CREATE TRIGGER pmap_audit_no_delete BEFORE DELETE ON pmap_audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
        """,
    ]
}
