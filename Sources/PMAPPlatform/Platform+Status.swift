import PMAPStore

/// What `pmap status` reports: where the store is, its schema version and its row counts.
public struct StoreStatus: Sendable {
    /// One table and its row count.
    public struct Table: Sendable, Hashable {
        public let name: String
        public let rows: Int
    }

    public let location: String
    public let schemaVersion: Int
    public let latestSchemaVersion: Int
    public let cdmVersion: String
    /// Every CDM table, in specification order.
    public let cdmTables: [Table]
    /// PMAP's own tables.
    public let extensionTables: [Table]
}

extension Platform {
    /// The store's location, schema version and row counts of every table (operational
    /// roles: admins and data engineers).
    public func status(_ context: AccessContext) async throws -> StoreStatus {
        try await require(context, .viewOperations, auditAction: "status", target: "store")
        return try await storeStatus()
    }

    func storeStatus() async throws -> StoreStatus {
        let schema = try await store.schemaStatus()
        let counts = try await store.rowCounts()
        return StoreStatus(
            location: store.location, schemaVersion: schema.version,
            latestSchemaVersion: schema.latestVersion,
            cdmVersion: schema.cdmVersion,
            cdmTables: counts.filter(\.isCDMTable).map { .init(name: $0.table, rows: $0.rows) },
            extensionTables: counts.filter { !$0.isCDMTable }.map { .init(name: $0.table, rows: $0.rows) })
    }
}
