import PMAPModel

/// The storage PMAP's use cases talk to: an OMOP CDM v5.4 database with PMAP's extension
/// tables. ``SQLiteStore`` is the embedded implementation; a PostgreSQL one can follow without
/// touching callers.
public protocol Store: Sendable {
    /// Where the store lives (a file path, or a connection description without secrets).
    var location: String { get }

    /// The schema version the store is at and the newest this build knows.
    func schemaStatus() async throws -> StoreSchemaStatus

    /// Row counts of every CDM table (all 39) and every PMAP extension table.
    func rowCounts() async throws -> [TableRowCount]

    /// Runs `body` in one transaction: everything it writes lands, or (when it throws) nothing.
    func write<T: Sendable>(_ body: @escaping @Sendable (any StoreWriter) throws -> T) async throws -> T

    /// The concept with this id, if the vocabulary has it.
    func concept(_ id: ConceptID) async throws -> Concept?

    /// Concepts whose name matches every word of `text` (by word prefix), or whose code or id
    /// equals `text`; standard concepts first.
    func searchConcepts(_ text: String, limit: Int) async throws -> [Concept]

    /// Ancestors or descendants of a concept from `concept_ancestor`, nearest first,
    /// excluding the concept itself.
    func relatives(of id: ConceptID, _ direction: HierarchyDirection) async throws -> [ConceptRelative]

    /// The concept's relationships from `concept_relationship` (e.g. "Maps to"), with the
    /// related concept.
    func relationships(of id: ConceptID) async throws -> [ConceptLink]
}

/// The writing side of a store, valid inside ``Store/write(_:)`` only.
public protocol StoreWriter {
    /// Inserts rows into a CDM or extension table; table and columns must exist.
    func insert(_ rows: TableRows, onConflict: ConflictPolicy) throws

    /// Deletes the vocabulary tables' rows, keeping local concepts (ids above 2,000,000,000)
    /// and every relationship or ancestry row that involves one when `keepingLocalConcepts`.
    func clearVocabulary(keepingLocalConcepts: Bool) throws

    /// Brings derived vocabulary structures (the concept search index) up to date.
    func vocabularyDidChange() throws
}

/// What an insert does with a row whose key already exists.
public enum ConflictPolicy: Sendable {
    /// Fail, and so roll the whole transaction back.
    case abort
    /// Replace the existing row.
    case replace
    /// Keep the existing row and skip the new one.
    case ignore
}

/// The number of rows in one table.
public struct TableRowCount: Sendable, Hashable {
    public let table: String
    public let rows: Int
    /// Whether the table belongs to the OMOP CDM (otherwise it is a PMAP extension table).
    public let isCDMTable: Bool

    public init(table: String, rows: Int, isCDMTable: Bool) {
        self.table = table
        self.rows = rows
        self.isCDMTable = isCDMTable
    }
}

/// The schema version of a store.
public struct StoreSchemaStatus: Sendable, Hashable {
    /// The number of schema migrations applied to the store.
    public let version: Int
    /// The number of schema migrations this build of PMAP knows.
    public let latestVersion: Int
    /// The identifiers of the applied migrations, oldest first.
    public let appliedMigrations: [String]
    /// The OMOP CDM version of the store's patient tables.
    public let cdmVersion: String

    public init(version: Int, latestVersion: Int, appliedMigrations: [String], cdmVersion: String) {
        self.version = version
        self.latestVersion = latestVersion
        self.appliedMigrations = appliedMigrations
        self.cdmVersion = cdmVersion
    }
}
