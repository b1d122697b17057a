import Foundation
import Logging
import PMAPCohort
import PMAPModel
import PostgresNIO
import Testing

/// A schema on a real PostgreSQL holding the same rows as a ``TestStore``, where the PostgreSQL
/// dialect of each definition runs beside the SQLite one: every semantic test then checks
/// that both dialects give the same cohort rows and inclusion masks.
///
/// The server comes from `PMAP_TEST_POSTGRES` (`host:port`, user `postgres`, trust
/// authentication; `.ci/run` starts one). Without it only SQLite runs, unless
/// `PMAP_REQUIRE_POSTGRES=1`, which makes the tests fail instead.
final class PostgreSQLMirror {
    let connection: PostgresConnection
    let schema: String
    static let logger = Logger(label: "pmap.tests.postgresql")
    nonisolated(unsafe) static var nextConnectionID = 0

    /// A new schema with the CDM tables and PMAP's cohort-relevant extension tables, or nil when
    /// no server is configured.
    static func open() async throws -> PostgreSQLMirror? {
        let environment = ProcessInfo.processInfo.environment
        guard let endpoint = environment["PMAP_TEST_POSTGRES"], !endpoint.isEmpty else {
            if environment["PMAP_REQUIRE_POSTGRES"] == "1" {
                Issue.record("PMAP_REQUIRE_POSTGRES=1 but PMAP_TEST_POSTGRES (host:port) is not set")
            }
            return nil
        }
        let parts = endpoint.split(separator: ":")
        let host = String(parts[0])
        let port = parts.count > 1 ? Int(parts[1]) ?? 5432 : 5432
        nextConnectionID += 1
        let connection = try await PostgresConnection.connect(
            configuration: .init(
                host: host, port: port, username: "postgres", password: nil, database: "postgres",
                tls: .disable),
            id: nextConnectionID, logger: logger)
        let schema = "pmap_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        let mirror = PostgreSQLMirror(connection: connection, schema: schema)
        var ddl = ["CREATE SCHEMA \(schema)", "SET search_path TO \(schema)"]
        ddl += CDMSchema.tables.map(createTable) + extensionTables
        for statement in ddl { try await mirror.execute(statement) }
        return mirror
    }

    private init(connection: PostgresConnection, schema: String) {
        self.connection = connection
        self.schema = schema
    }

    deinit { Self.release(connection, schema: schema) }

    /// Drops the schema and closes the connection, in the background.
    private static func release(_ connection: PostgresConnection, schema: String) {
        Task {
            _ = try? await connection.query(
                PostgresQuery(unsafeSQL: "DROP SCHEMA \(schema) CASCADE"), logger: logger)
            try? await connection.close()
        }
    }

    /// The CDM table's PostgreSQL DDL (types as OHDSI's PostgreSQL DDL spells them).
    static func createTable(_ table: CDMTable) -> String {
        let columns = table.columns.map { column -> String in
            let type: String
            switch column.kind {
            case .integer: type = "INTEGER"
            case .bigint: type = "BIGINT"
            case .float: type = "NUMERIC"
            case .date: type = "DATE"
            case .datetime: type = "TIMESTAMP"
            case .varchar(let length?): type = "VARCHAR(\(length))"
            case .varchar(nil): type = "TEXT"
            }
            let constraint = column.isPrimaryKey ? " PRIMARY KEY" : column.isRequired ? " NOT NULL" : ""
            return "\"\(column.name)\" \(type)\(constraint)"
        }
        return "CREATE TABLE \(table.name) (\(columns.joined(separator: ", ")))"
    }

    /// PMAP's tables that cohorts read (consent and genomic variants), as in the SQLite store.
    static let extensionTables = [
        """
        CREATE TABLE pmap_consent (person_id BIGINT PRIMARY KEY, research_opt_out INTEGER NOT NULL,
            decided_on DATE NOT NULL, source_name TEXT NOT NULL, source_record_key TEXT NOT NULL)
        """,
        """
        CREATE TABLE pmap_genomic_variant (genomic_variant_id BIGSERIAL PRIMARY KEY, person_id BIGINT NOT NULL,
            specimen_id BIGINT, variant_date DATE, genome_build VARCHAR(20) NOT NULL, chromosome VARCHAR(20) NOT NULL,
            position BIGINT NOT NULL, reference_allele TEXT NOT NULL, alternate_allele TEXT NOT NULL,
            gene_symbol VARCHAR(50), gene_concept_id BIGINT, hgvs_c TEXT, hgvs_p TEXT, zygosity VARCHAR(20),
            allele_fraction DOUBLE PRECISION, read_depth INTEGER, clinical_significance VARCHAR(50),
            sample_origin VARCHAR(20), data_load_id BIGINT)
        """,
    ]

    /// Runs one statement without parameters.
    func execute(_ statement: String) async throws {
        try await perform(PostgresQuery(unsafeSQL: statement))
    }

    /// Runs a query, turning PostgreSQL's error into one that shows the server's message.
    @discardableResult
    func perform(_ query: PostgresQuery) async throws -> PostgresRowSequence {
        do {
            return try await connection.query(query, logger: Self.logger)
        } catch {
            throw ServerError(
                description: "\(String(reflecting: error).prefix(1500))\nSQL: \(query.sql.prefix(3000))")
        }
    }

    struct ServerError: Error, CustomStringConvertible {
        let description: String
    }

    /// Inserts rows (test constants, written as SQL literals so PostgreSQL types them by column).
    func insert(_ table: String, _ columns: [String], _ rows: [[SQLValue]]) async throws {
        guard !rows.isEmpty else { return }
        let values = rows.map { row in "(" + row.map(Self.literal).joined(separator: ", ") + ")" }
        try await execute(
            "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(values.joined(separator: ", "))"
        )
    }

    static func literal(_ value: SQLValue) -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .text(let text): return "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        }
    }

    /// A compiled statement with its `?` placeholders numbered (`$1`, ...) and its arguments bound.
    static func query(_ statement: SQLStatement) throws -> PostgresQuery {
        var sql = ""
        var number = 0
        var quote: Character?
        for character in statement.sql {
            if let open = quote {
                if character == open { quote = nil }
                sql.append(character)
            } else if character == "'" || character == "\"" {
                quote = character
                sql.append(character)
            } else if character == "?" {
                number += 1
                sql += "$\(number)"
            } else {
                sql.append(character)
            }
        }
        var bindings = PostgresBindings()
        for argument in statement.arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .integer(let value): bindings.append(value)
            case .real(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            }
        }
        return PostgresQuery(unsafeSQL: sql, binds: bindings)
    }

    /// Runs the PostgreSQL dialect of `definition` in one transaction: its cohort rows and masks.
    func run(_ definition: CohortDefinition, id: Int64, excludeOptedOut: Bool) async throws -> (
        rows: [CohortRow], masks: [Int64: Int64]
    ) {
        let compiled = try CohortCompiler.compile(
            definition, cohortDefinitionID: id, dialect: .postgresql, excludeOptedOut: excludeOptedOut)
        try await execute("BEGIN")
        do {
            for statement in compiled.statements {
                try await perform(try Self.query(statement))
            }
            var masks: [Int64: Int64] = [:]
            for try await (mask, persons) in try await perform(try Self.query(compiled.inclusionMaskQuery))
                .decode((Int64, Int64).self)
            {
                masks[mask] = persons
            }
            for statement in compiled.cleanup {
                try await perform(try Self.query(statement))
            }
            var rows: [CohortRow] = []
            let cohort = PostgresQuery(
                unsafeSQL: """
                    SELECT CAST(subject_id AS BIGINT), to_char(cohort_start_date, 'YYYY-MM-DD'),
                        to_char(cohort_end_date, 'YYYY-MM-DD')
                    FROM cohort WHERE cohort_definition_id = \(id) ORDER BY 1, 2
                    """)
            for try await (subject, start, end) in try await perform(cohort).decode(
                (Int64, String, String).self)
            {
                rows.append(CohortRow(subject, start, end))
            }
            try await execute("COMMIT")
            return (rows, masks)
        } catch {
            try? await execute("ROLLBACK")
            throw error
        }
    }
}
