import Foundation
import PMAPCohort
import PMAPGovernance
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

    /// Quarantined records, newest first (open ones only unless `includeResolved`).
    func quarantinedRecords(includeResolved: Bool, limit: Int) async throws -> [QuarantinedRecord]

    /// One quarantined record.
    func quarantinedRecord(id: Int64) async throws -> QuarantinedRecord?

    /// Mapping coverage: per source vocabulary (from *_source_value prefixes it cannot know,
    /// so per CDM table), rows with and without a standard concept, and the most frequent
    /// unmapped source values.
    func mappingCoverage(topUnmapped: Int) async throws -> MappingCoverage

    /// Every person merge, oldest first.
    func personMerges() async throws -> [PersonMerge]

    /// A consistent online copy of the store in a new file (mode 0600).
    func backup(to destination: String) async throws
    /// The ids of the vault keys the store's ciphertexts were sealed with.
    func vaultKeyIDs() async throws -> Set<String>

    // MARK: Research reads (each needs the gate's authorization)

    /// Persons with `concept` or a descendant in `table`, excluding those who opted out of research.
    func persons(with concept: Int64, in table: ClinicalTable, authorization: Authorization) async throws
        -> [Int64]
    /// Runs a compiled cohort in one transaction: its rows replace the cohort's earlier ones.
    func generateCohort(_ compiled: CompiledCohort, definitionID: Int64, authorization: Authorization)
        async throws
        -> CohortRun
    /// Streams an extract table's rows for the consented persons of the population.
    func extractRows(
        _ table: ExtractTable, cohortID: Int64?, authorization: Authorization,
        _ body: @escaping @Sendable (ExtractRow) throws -> Void
    ) async throws -> Int
    /// Entries and subjects of a generated cohort, without persons who opted out since.
    func cohortPopulation(definitionID: Int64, authorization: Authorization) async throws -> (
        entries: Int, subjects: [Int64]
    )
}

/// How much of the loaded data carries a standard concept.
public struct MappingCoverage: Sendable {
    public struct Table: Sendable, Hashable {
        public let table: String
        public let rows: Int
        public let mapped: Int
    }
    public struct Unmapped: Sendable, Hashable {
        public let table: String
        public let sourceValue: String
        public let rows: Int
    }
    /// Rows by the vocabulary of their source code, and how many carry a standard concept.
    public struct Vocabulary: Sendable, Hashable {
        /// The source code's vocabulary, or nil when the code is not in the vocabulary at all.
        public let vocabularyID: String?
        public let rows: Int
        public let mapped: Int
    }
    public let tables: [Table]
    public let vocabularies: [Vocabulary]
    public let topUnmapped: [Unmapped]

    public init(tables: [Table], vocabularies: [Vocabulary], topUnmapped: [Unmapped]) {
        self.tables = tables
        self.vocabularies = vocabularies
        self.topUnmapped = topUnmapped
    }
}

/// The writing side of a store, valid inside ``Store/write(_:)`` only.
public protocol StoreWriter {
    /// Inserts rows into a CDM or extension table, with few statements; table and columns
    /// must exist.
    func insert(_ rows: TableRows, onConflict: ConflictPolicy) throws

    /// Deletes the vocabulary tables' rows, keeping local concepts (ids above 2,000,000,000)
    /// and every relationship or ancestry row that involves one when `keepingLocalConcepts`.
    func clearVocabulary(keepingLocalConcepts: Bool) throws

    /// Brings derived vocabulary structures (the concept search index) up to date.
    func vocabularyDidChange() throws

    // MARK: Ingestion

    /// Inserts `values` into `table`, or updates the row with the same `keyColumns` when it
    /// differs; returns the row's rowid when it was inserted or changed, nil when an identical
    /// row was already there (a duplicate). With no key columns, always inserts.
    func upsert(table: String, columns: [String], values: [SQLValue], keyColumns: [String]) throws -> Int64?
    /// Inserts a row unless its key is taken; the new rowid, or nil when the key was taken.
    func insertIfKeyFree(table: String, columns: [String], values: [SQLValue]) throws -> Int64?
    /// Inserts the rows whose key is free, with few statements; `keyColumn` must be the
    /// table's `INTEGER PRIMARY KEY`. Returns the keys inserted: a row whose key a stored row or
    /// an earlier row of `rows` holds is skipped.
    func insertWhereKeyFree(_ rows: TableRows, keyColumn: String) throws -> Set<Int64>
    /// Which of `keys` the provenance of `sourceName`'s rows names.
    func provenanceRecordKeys(sourceName: String, keys: [String]) throws -> Set<String>
    /// Whether `sourceName` has a source record whose key starts with `keyPrefix`.
    func hasSourceRecords(sourceName: String, keyPrefix: String) throws -> Bool
    /// The concept of `code` in `vocabularyID` and the standard concept it maps to.
    func resolveConcept(vocabularyID: String, code: String) throws -> ConceptResolution?
    /// The standard concept `id` resolves to (itself, or its "Maps to" target) with its domain.
    func resolveConcept(id: Int64) throws -> ConceptResolution?
    /// The largest value of an integer id column (0 for an empty table).
    func maxID(table: String, column: String) throws -> Int64
    /// The state of a source record loaded earlier, if any.
    func sourceRecord(sourceName: String, key: String) throws -> StoredSourceRecord?
    /// The states of many source records at once (those never loaded are absent).
    func sourceRecords(sourceName: String, keys: [String]) throws -> [String: StoredSourceRecord]
    /// Deletes a source record's bookkeeping row (before its newer version is recorded).
    func deleteSourceRecord(sourceName: String, key: String) throws
    /// The rows a source record produced: its row range and its per-row provenance.
    func rows(ofSourceRecord key: String, sourceName: String) throws -> [StoredRow]
    /// Forgets the row range of a source record whose rows were deleted.
    func forgetRowRange(ofSourceRecord key: String, sourceName: String) throws
    /// Where a CDM row came from (per-row provenance, else the row range holding it).
    func provenance(of row: StoredRow) throws -> RowProvenance?
    /// Deletes rows and their provenance (to replace an updated record's rows).
    func deleteRows(_ rows: [StoredRow]) throws
    /// The first rows of many source records' row ranges in `table` (records without a range
    /// there are absent; ask ``rowID(ofSourceRecord:sourceName:table:)`` for those).
    func rowIDs(ofSourceRecords keys: [String], sourceName: String, table: String) throws -> [String: Int64]
    /// The first row a source record produced in `table`, e.g. the visit of `Encounter/1`.
    func rowID(ofSourceRecord key: String, sourceName: String, table: String) throws -> Int64?
    /// Provenance for one written row.
    func recordProvenance(
        row: StoredRow, dataLoadID: Int64, sourceName: String, sourceFile: String, location: String,
        recordKey: String) throws
    /// Whether the person has a death record.
    func hasDeath(personID: Int64) throws -> Bool
    /// The person a blind-index hash points to.
    func person(lookupHash: Data) throws -> Int64?
    /// Links a blind-index hash made with vault key `keyID` to a person (replacing an earlier
    /// link of that hash).
    func saveLookup(hash: Data, personID: Int64, kind: String, keyID: String) throws
    /// The sealed identity of a person.
    func identity(personID: Int64) throws -> Data?
    /// Stores a person's sealed identity.
    func saveIdentity(personID: Int64, sealed: Data, keyID: String) throws
    /// Marks persons whose derived tables must be rebuilt.
    func markDirty(persons: [Int64]) throws
    /// The persons marked dirty, clearing the marks.
    func takeDirtyPersons() throws -> [Int64]
    /// Records a research consent decision (a later decision replaces an earlier one).
    func saveConsent(personID: Int64, optOut: Bool, decidedOn: String, sourceName: String, recordKey: String)
        throws
    /// Holds a record back with its reason.
    func quarantine(_ entry: QuarantineEntry) throws
    /// Marks a quarantined record as resolved.
    func resolveQuarantine(id: Int64, resolution: String) throws
    /// Starts an ingestion run; its id.
    func startDataLoad(sourceName: String) throws -> Int64
    /// Closes an ingestion run with its reconciliation.
    func finishDataLoad(id: Int64, read: Int, loaded: Int, quarantined: Int, summaryJSON: String) throws
    /// Rebuilds observation_period, condition_era and drug_era for these persons (all when nil)
    /// from their events, by OHDSI's rules (see `SQLiteDerivedTables` for the SQLite store).
    func rebuildDerivedTables(persons: [Int64]?) throws

    // MARK: Merges and inbound messages

    /// Moves every row of `prior` (events, variants, consent, identity lookups) to `survivor`,
    /// keeps what is needed to undo it, and removes the prior person row; the merge's id.
    func mergePersons(prior: Int64, into survivor: Int64, sourceName: String, recordKey: String) throws
        -> Int64
    /// Undoes a merge: the moved rows, lookups and person row return to the prior person.
    func undoMerge(id: Int64, reason: String) throws -> PersonMerge
    /// Persons whose residence ZIP3 is `zip3` and who are inside an observation period on `date`.
    func personsLiving(inZIP3 zip3: String, underObservationOn date: String) throws -> [Int64]
    /// Stores a received message (already sealed) before it is acknowledged; its id.
    func saveInboundMessage(channel: String, sealed: Data, keyID: String) throws -> Int64
    /// Stored inbound messages of a channel in a state (`received`, `processed`, `unreadable`), oldest first.
    func inboundMessages(state: String, channel: String, limit: Int) throws -> [InboundMessage]
    /// Records what became of an inbound message.
    func markInboundMessage(id: Int64, state: String, dataLoadID: Int64?) throws

    // MARK: Keys

    /// A store-wide setting (no patient data), nil when unset.
    func setting(_ key: String) throws -> String?
    /// Sets a store-wide setting; nil removes it.
    func setSetting(_ key: String, _ value: String?) throws
    /// A project's extract keys, sealed, with the vault key they are sealed under.
    func projectKeys(project: Int64) throws -> SealedValue?
    /// Stores a project's sealed extract keys (once; a later call for the project is ignored).
    func saveProjectKeys(project: Int64, sealed: Data, keyID: String) throws
    /// Up to `limit` sealed values of `kind` with ids above `id`, not sealed under `keyID`, by id.
    func sealedValues(_ kind: SealedKind, notUnder keyID: String, after id: Int64, limit: Int) throws
        -> [SealedValue]
    /// Replaces one sealed value with the same plaintext sealed under `keyID`.
    func reseal(_ kind: SealedKind, id: Int64, sealed: Data, keyID: String) throws
    /// The blind-index hashes that point to a person, with the key each was made with.
    func lookups(personID: Int64) throws -> [BlindIndexEntry]
    /// Replaces a blind-index hash by one made with another key, in the lookup table and in
    /// the merge records that name it.
    func replaceLookup(_ old: Data, with new: Data, keyID: String) throws
    /// How many blind-index hashes were not made with `keyID`.
    func lookupCount(notUnder keyID: String) throws -> Int
    /// Renames a provenance record key (a key that embeds a blind-index hash) of a source.
    func renameProvenanceKey(sourceName: String, from old: String, to new: String) throws
    /// The names of every source ever loaded.
    func sourceNames() throws -> [String]
    /// The persons merged into `survivor` (merges not undone), directly or through others.
    func personsMerged(into survivor: Int64) throws -> [Int64]
    /// Replaces the MAC of every audit entry (sequence → MAC), e.g. after a key rotation.
    func replaceAuditMACs(_ macs: [(sequence: Int64, mac: Data)]) throws

    // MARK: Governance (records only; decisions are PMAPGovernance's)

    /// Creates a user with one API token (stored as its hash); the user's id.
    func createUser(name: String, role: Role, tokenHash: Data) throws -> Int64
    /// Revokes every valid API token of a user; how many.
    func revokeTokens(user: Int64) throws -> Int
    /// Gives a user another API token (stored as its hash).
    func addToken(user: Int64, tokenHash: Data) throws
    func userCount() throws -> Int
    /// The user holding an unrevoked token with this hash.
    func user(tokenHash: Data) throws -> UserRecord?
    func user(id: Int64) throws -> UserRecord?
    func user(named name: String) throws -> UserRecord?
    func users() throws -> [UserRecord]
    func createCenter(name: String) throws -> Int64
    func addCenterMember(center: Int64, user: Int64) throws
    func center(id: Int64) throws -> CenterRecord?
    func centers() throws -> [CenterRecord]
    func createProject(name: String, center: Int64, principalInvestigator: Int64, purpose: String) throws
        -> Int64
    /// Records (or replaces) a project's IRB protocol.
    func saveIRB(project: Int64, _ irb: IRBProtocol) throws
    func addProjectMember(project: Int64, user: Int64) throws
    func project(id: Int64) throws -> ProjectRecord?
    func project(named name: String) throws -> ProjectRecord?
    func projects() throws -> [ProjectRecord]
    func submitRequest(
        project: Int64, requestedBy: Int64, domains: Set<DataDomain>, level: DisclosureLevel,
        leavesPlatform: Bool,
        cohortID: Int64?, validUntil: Day, assessment: TierAssessment
    ) throws -> Int64
    func saveReview(request: Int64, reviewer: Int64, approved: Bool, reason: String) throws
    func setRequestStatus(_ request: Int64, status: String) throws
    func request(id: Int64) throws -> RequestRecord?
    func requests() throws -> [RequestRecord]
    func createGrant(from request: RequestRecord, validFrom: Day) throws -> Int64
    func revokeGrant(id: Int64, on day: Day, by user: Int64, reason: String) throws
    /// Grants of a project (all grants when nil), oldest first.
    func grants(project: Int64?) throws -> [GrantRecord]
    /// The last audit entry's sequence and MAC, nil for an empty log.
    func lastAuditMAC() throws -> (sequence: Int64, mac: Data)?
    /// Appends an entry MAC'd under vault key `keyID` (refused when that is not the store's key).
    func appendAudit(_ entry: AuditEntry, mac: Data, keyID: String) throws
    /// Audit entries (of one project, or all), by sequence.
    func auditEntries(project: Int64?) throws -> [(entry: AuditEntry, mac: Data)]

    // MARK: Differencing defence

    /// The project's earlier exact disclosure whose population differs least (but not at all
    /// equal) from `persons`, with the size of the symmetric difference; nil when none differs.
    func closestDisclosure(project: Int64, persons: [Int64]) throws -> (disclosureID: Int64, difference: Int)?
    /// The extracts made for a project, with their patients who withdrew consent since.
    func extracts(project: Int64) throws -> [ExtractRecord]
    /// Records the population behind an exact count shown to a project; its id.
    func recordDisclosure(project: Int64, target: String, persons: [Int64]) throws -> Int64

    // MARK: Cohorts

    /// Saves a definition for a project (also in the CDM's cohort_definition); its id.
    func saveCohortDefinition(projectID: Int64, name: String, json: String, hash: String, createdBy: Int64)
        throws
        -> Int64
    func cohortDefinition(id: Int64) throws -> StoredCohortDefinition?
    func cohortDefinitions(project: Int64) throws -> [StoredCohortDefinition]
    /// Records a generation (with the vocabulary version and last data load it saw).
    func saveCohortGeneration(
        definitionID: Int64, run: CohortRun, attritionJSON: String, definitionHash: String,
        pmapVersion: String,
        generatedBy: Int64
    ) throws -> CohortGeneration
    func latestGeneration(definitionID: Int64) throws -> CohortGeneration?
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
