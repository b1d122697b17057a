import Foundation
import PMAPGovernance
import PMAPIngest
import PMAPStore

/// Writes mapped facts (FHIR, HL7 v2, VCF, mapped CSV) into the store inside a transaction: resolves references and
/// codes, assigns ids, keeps identities in the vault, records provenance.
/// One instance lives for a whole ingest run and carries its caches.
final class RecordWriter: @unchecked Sendable {
    let sourceName: String
    let vault: IdentityVault
    let dataLoadID: Int64
    private var personBySourceKey: [String: Int64] = [:]
    private var visitBySourceKey: [String: Int64] = [:]
    /// Visits looked up for the current batch (``prefetchVisits``); bounded by its size.
    private var batchVisits: [String: Int64] = [:]
    private var concepts: [String: ConceptResolution] = [:]
    private var nextIDs: [String: Int64] = [:]
    private var locationByPlace: [String: Int64] = [:]
    /// Rows written per table in this run.
    var rowsByTable: [String: Int] = [:]
    /// Persons touched in the current batch, marked dirty once at its end.
    private var dirtyPersons: Set<Int64> = []
    /// Provenance and source-record rows of the current batch, written together at its end.
    private var pendingProvenance: [[SQLValue]] = []
    private var pendingRows: [String: (table: String, columns: [String], rows: [[SQLValue]])] = [:]
    private var pendingSourceRecords: [[SQLValue]] = []
    /// The rows queued for the record being loaded, in order: when the record is done they
    /// become its row range, or per-row provenance when they do not form one.
    private var recordRows: [(signature: String, row: StoredRow, key: String)] = []

    static let provenanceColumns = [
        "cdm_table", "cdm_row_id", "data_load_id", "source_name", "source_file", "source_location",
        "source_record_key",
    ]
    static let sourceRecordColumns = [
        "key_hash", "source_name", "record_key", "record_version", "content_hash", "data_load_id",
        "source_file",
        "source_location", "cdm_table", "first_row_id", "row_count",
    ]

    /// Queues the bookkeeping row of a loaded source record. The rows it queued become its row
    /// range when they are one table's consecutive ids (one bookkeeping row instead of one
    /// provenance row per CDM row), else each gets its provenance row.
    func recordSource(key: String, version: String?, hash: String, file: String, location: String) {
        var range: [SQLValue] = [.null, .null, .null]
        if let first = recordRows.first?.row,
            recordRows.indices.allSatisfy({
                recordRows[$0].row.table == first.table && recordRows[$0].row.rowID == first.rowID + Int64($0)
            })
        {
            range = [.text(first.table), .integer(first.rowID), .integer(Int64(recordRows.count))]
        } else {
            for queued in recordRows {
                provenance(
                    queued.row.table, queued.row.rowID, record: queued.key, file: file, location: location)
            }
        }
        recordRows.removeAll(keepingCapacity: true)
        pendingSourceRecords.append(
            [
                .integer(SourceRecordKey.hash(sourceName: sourceName, key: key)), .text(sourceName),
                .text(key),
                version.map(SQLValue.text) ?? .null, .text(hash),
                .integer(dataLoadID), .text(file), .text(location),
            ] + range)
    }

    /// Drops the rows queued for a record that is quarantined instead of loaded.
    func discardRecord() {
        // Rows already flushed (a merge flushes mid-record) are in the store, like rows
        // written directly: only rows still queued can be dropped.
        for queued in recordRows.reversed()
        where pendingRows[queued.signature]?.rows.last?.first == .integer(queued.row.rowID) {
            pendingRows[queued.signature]?.rows.removeLast()
            rowsByTable[queued.row.table, default: 0] -= 1
        }
        recordRows.removeAll(keepingCapacity: true)
    }

    /// Writes the batch's queued CDM rows, provenance and source records.
    func flushPending(_ writer: any StoreWriter) throws {
        for (_, pending) in pendingRows.sorted(by: { $0.key < $1.key }) {
            try writer.insert(
                TableRows(table: pending.table, columns: pending.columns, rows: pending.rows),
                onConflict: .abort)
        }
        try writer.insert(
            TableRows(table: "pmap_provenance", columns: Self.provenanceColumns, rows: pendingProvenance),
            onConflict: .replace)
        try writer.insert(
            TableRows(
                table: "pmap_source_record", columns: Self.sourceRecordColumns, rows: pendingSourceRecords),
            onConflict: .abort)
        pendingRows.removeAll(keepingCapacity: true)
        pendingProvenance.removeAll(keepingCapacity: true)
        pendingSourceRecords.removeAll(keepingCapacity: true)
    }

    /// Starts a batch (a transaction): forgets touches of a batch that was rolled back.
    func beginBatch() {
        // Ids come from the store again in every transaction: another process (a listener, a
        // second ingest) may have taken some since the last batch.
        nextIDs.removeAll(keepingCapacity: true)
        locationByPlace.removeAll(keepingCapacity: true)
        dirtyPersons.removeAll(keepingCapacity: true)
        pendingProvenance.removeAll(keepingCapacity: true)
        pendingSourceRecords.removeAll(keepingCapacity: true)
        pendingRows.removeAll(keepingCapacity: true)
        recordRows.removeAll(keepingCapacity: true)
        batchVisits.removeAll(keepingCapacity: true)
    }

    /// Marks the batch's touched persons dirty, in the batch's transaction.
    func flushDirtyPersons(_ writer: any StoreWriter) throws {
        try flushPending(writer)
        guard !dirtyPersons.isEmpty else { return }
        try writer.markDirty(persons: dirtyPersons.sorted())
        dirtyPersons.removeAll(keepingCapacity: true)
    }

    func touch(_ person: Int64) {
        dirtyPersons.insert(person)
    }

    init(sourceName: String, vault: IdentityVault, dataLoadID: Int64) {
        self.sourceName = sourceName
        self.vault = vault
        self.dataLoadID = dataLoadID
    }

    /// The vocabulary of a FHIR code system URI.
    static let vocabularies: [String: String] = [
        "http://snomed.info/sct": "SNOMED", "http://loinc.org": "LOINC",
        "http://www.nlm.nih.gov/research/umls/rxnorm": "RxNorm",
        "http://hl7.org/fhir/sid/icd-10-cm": "ICD10CM", "http://hl7.org/fhir/sid/icd-10": "ICD10",
        "http://hl7.org/fhir/sid/cvx": "CVX", "http://hl7.org/fhir/sid/ndc": "NDC",
        "http://unitsofmeasure.org": "UCUM",
        "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl": "NCIt", "urn:pmap:local-concept": "PMAP",
    ]

    func nextID(_ table: String, _ column: String, _ writer: any StoreWriter) throws -> Int64 {
        let next = try (nextIDs[table] ?? writer.maxID(table: table, column: column)) + 1
        nextIDs[table] = next
        return next
    }

    /// Reference caches stay bounded, so memory does not grow with the input: past this size a
    /// cache starts again (misses fall back to an indexed query).
    static let cacheLimit = 100_000

    private func remember(_ key: String, _ id: Int64, in cache: inout [String: Int64]) {
        if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[key] = id
    }

    /// Forgets ids handed out in a rolled-back transaction.
    func resetCaches() {
        personBySourceKey = [:]
        visitBySourceKey = [:]
        nextIDs = [:]
        locationByPlace = [:]
    }

    func resolve(_ coding: SourceCoding, _ writer: any StoreWriter) throws -> ConceptResolution? {
        let cacheKey = "\(coding.system ?? "")|\(coding.code)"
        if let cached = concepts[cacheKey] { return cached.sourceConceptID == -1 ? nil : cached }
        var result: ConceptResolution?
        if coding.system == "urn:pmap:omop-concept-id", let id = Int64(coding.code) {
            result = try writer.resolveConcept(id: id)
        } else if let system = coding.system, let vocabulary = Self.vocabularies[system] {
            result = try writer.resolveConcept(vocabularyID: vocabulary, code: coding.code)
        }
        concepts[cacheKey] =
            result ?? ConceptResolution(sourceConceptID: -1, standardConceptID: 0, domainID: nil)
        return result
    }

    /// The best concept for a list of codings: the first that maps to a standard concept.
    func resolve(_ codings: [SourceCoding], _ writer: any StoreWriter) throws -> (
        ConceptResolution, SourceCoding
    ) {
        var firstKnown: (ConceptResolution, SourceCoding)?
        for coding in codings {
            guard let resolution = try resolve(coding, writer) else { continue }
            if resolution.standardConceptID != 0 { return (resolution, coding) }
            if firstKnown == nil { firstKnown = (resolution, coding) }
        }
        return firstKnown ?? (
            ConceptResolution(sourceConceptID: 0, standardConceptID: 0, domainID: nil), codings[0]
        )
    }

    func person(_ reference: String, _ writer: any StoreWriter) throws -> Int64? {
        if let cached = personBySourceKey[reference] { return cached }
        var found = try writer.person(
            lookupHash: vault.blindIndex(kind: "source", value: "\(sourceName)|\(reference)"))
        if found == nil, reference.hasPrefix(Self.identifierReferencePrefix) {
            // HL7 v2 names patients by identifier, which another source may have loaded.
            found = try writer.person(
                lookupHash: vault.blindIndex(
                    kind: "identifier",
                    value: String(reference.dropFirst(Self.identifierReferencePrefix.count))))
        }
        if let found { personBySourceKey[reference] = found }
        return found
    }

    /// The key provenance records for a person's rows: an HL7 patient key names the MRN, so
    /// provenance keeps its keyed hash instead (provenance never holds identifiers).
    func provenanceKey(_ sourceKey: String) -> String {
        guard sourceKey.hasPrefix(Self.identifierReferencePrefix) else { return sourceKey }
        let hash = vault.blindIndex(
            kind: "identifier", value: String(sourceKey.dropFirst(Self.identifierReferencePrefix.count)))
        return Self.identifierProvenanceKey(hash)
    }

    /// The provenance key of a patient named by an identifier, from the identifier's blind index.
    static func identifierProvenanceKey(_ hash: Data) -> String {
        "Patient/identifier-hash:" + hash.prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    /// How HL7 v2 facts refer to a patient: `Patient/identifier:<system>|<value>`.
    static let identifierReferencePrefix = "Patient/identifier:"

    /// The person holding an identifier, from any source.
    func person(identifierSystem system: String, value: String, _ writer: any StoreWriter) throws -> Int64? {
        try writer.person(lookupHash: vault.blindIndex(kind: "identifier", value: "\(system)|\(value)"))
    }

    /// Forgets cached persons (after a merge moved a person's records).
    func forgetPersons() {
        personBySourceKey = [:]
    }

    func visit(_ reference: String?, _ writer: any StoreWriter) throws -> Int64? {
        guard let reference else { return nil }
        if let cached = visitBySourceKey[reference] ?? batchVisits[reference] { return cached }
        let found = try writer.rowID(
            ofSourceRecord: reference, sourceName: sourceName, table: "visit_occurrence")
        if let found { remember(reference, found, in: &visitBySourceKey) }
        return found
    }

    /// Looks up, in a few queries, the visits of encounters a batch refers to that the cache
    /// does not hold (events of patients whose encounters were loaded long before), so that
    /// ``visit(_:_:)`` rarely queries one at a time.
    func prefetchVisits(_ references: Set<String>, _ writer: any StoreWriter) throws {
        let missing = references.filter { visitBySourceKey[$0] == nil }
        guard !missing.isEmpty else { return }
        batchVisits = try writer.rowIDs(
            ofSourceRecords: Array(missing), sourceName: sourceName, table: "visit_occurrence")
    }

    /// Remembers the visit id of an encounter whose rows are about to be replaced by a newer
    /// version, so the new row takes the same id.
    func keepVisitID(of key: String, from rows: [StoredRow]) {
        guard let visit = rows.first(where: { $0.table == "visit_occurrence" }) else { return }
        remember(key, visit.rowID, in: &visitBySourceKey)
    }

    /// Writes one row and its provenance.
    @discardableResult
    func write(
        _ table: String, _ columns: [String], _ values: [SQLValue], key: [String], record: String,
        file: String, location: String,
        _ writer: any StoreWriter
    ) throws -> Int64? {
        guard let rowID = try writer.upsert(table: table, columns: columns, values: values, keyColumns: key)
        else { return nil }
        provenance(table, rowID, record: record, file: file, location: location)
        return rowID
    }

    /// Queues a new row whose integer key (`values[0]`) PMAP just assigned for source record
    /// `record`; queued rows are written together, with few statements, at the end of the
    /// batch, and their provenance is settled when the record is done (``recordSource``).
    func queue(_ table: String, _ columns: [String], _ values: [SQLValue], record: String) {
        let signature = "\(table)|\(columns.count)|\(columns.first ?? "")"
        pendingRows[signature, default: (table, columns, [])].rows.append(values)
        if case .integer(let rowID) = values[0] {
            recordRows.append((signature, StoredRow(table: table, rowID: rowID), record))
            rowsByTable[table, default: 0] += 1
        }
    }

    private func provenance(_ table: String, _ rowID: Int64, record: String, file: String, location: String) {
        pendingProvenance.append([
            .text(table), .integer(rowID), .integer(dataLoadID), .text(sourceName), .text(file),
            .text(location),
            .text(record),
        ])
        rowsByTable[table, default: 0] += 1
    }

    // MARK: Facts

    func writePerson(_ fact: PersonFact, file: String, location: String, _ writer: any StoreWriter) throws
        -> Int64
    {
        var lookups = [("source", "\(sourceName)|\(fact.sourceKey)")]
        for identifier in fact.identity.identifiers where !identifier.system.isEmpty {
            lookups.append(("identifier", "\(identifier.system)|\(identifier.value)"))
        }
        var personID: Int64?
        for (kind, value) in lookups {
            if let found = try writer.person(lookupHash: vault.blindIndex(kind: kind, value: value)) {
                personID = found
                break
            }
        }
        let id = try personID ?? nextID("person", "person_id", writer)
        var identity = fact.identity
        var unchanged = false
        if let sealed = try writer.identity(personID: id) {
            let stored = try vault.openIdentity(sealed)
            identity = stored.merged(with: fact.identity)
            unchanged = identity == stored  // e.g. every lab message repeating the registration's PID
        }
        if !unchanged {
            try writer.saveIdentity(personID: id, sealed: try vault.seal(identity), keyID: vault.key.id)
        }
        for (kind, value) in lookups {
            try writer.saveLookup(
                hash: vault.blindIndex(kind: kind, value: value), personID: id, kind: kind,
                keyID: vault.key.id)
        }
        remember(fact.sourceKey, id, in: &personBySourceKey)

        let birth = fact.birthDate.flatMap(ISODate.yearMonth)
        let gender: Int64 = fact.gender == "male" ? 8507 : fact.gender == "female" ? 8532 : 0
        let race: Int64 = Self.omb[fact.raceCodes.first ?? ""] ?? 0
        let ethnicity: Int64 = Self.omb[fact.ethnicityCodes.first ?? ""] ?? 0
        let locationRow = try locationID(state: fact.state, zip3: fact.zip3, writer)
        try write(
            "person",
            [
                "person_id", "gender_concept_id", "year_of_birth", "month_of_birth", "race_concept_id",
                "ethnicity_concept_id",
                "location_id", "gender_source_value", "race_source_value", "ethnicity_source_value",
            ],
            [
                .integer(id), .integer(gender), birth.map { .integer(Int64($0.year)) } ?? .integer(0),
                birth?.month.map { .integer(Int64($0)) } ?? .null, .integer(race), .integer(ethnicity),
                locationRow.map(SQLValue.integer) ?? .null, fact.gender.map(SQLValue.text) ?? .null,
                fact.raceCodes.first.map(SQLValue.text) ?? .null,
                fact.ethnicityCodes.first.map(SQLValue.text) ?? .null,
            ], key: ["person_id"], record: provenanceKey(fact.sourceKey), file: file, location: location,
            writer)
        // One death record per person (OMOP): a later message repeating it adds nothing.
        if let death = fact.deathDate, try !writer.hasDeath(personID: id) {
            try write(
                "death", ["person_id", "death_date", "death_type_concept_id"],
                [.integer(id), .text(death), .integer(32817)],
                key: [], record: provenanceKey(fact.sourceKey), file: file, location: location, writer)
        }
        touch(id)
        return id
    }

    static let omb: [String: Int64] = [
        "2106-3": 8527, "2054-5": 8516, "2028-9": 8515, "1002-5": 8657, "2076-8": 8557, "2135-2": 38_003_563,
        "2186-5": 38_003_564,
    ]

    /// The location row of a state and ZIP3 (the CDM keeps nothing finer).
    private func locationID(state: String?, zip3: String?, _ writer: any StoreWriter) throws -> Int64? {
        guard state != nil || zip3 != nil else { return nil }
        let place = "location/\(state ?? "")-\(zip3 ?? "")"
        if let cached = locationByPlace[place] { return cached }
        if let found = try writer.rowID(ofSourceRecord: place, sourceName: "pmap", table: "location") {
            locationByPlace[place] = found
            return found
        }
        let id = try nextID("location", "location_id", writer)
        _ = try writer.upsert(
            table: "location", columns: ["location_id", "state", "zip", "location_source_value"],
            values: [
                .integer(id), state.map(SQLValue.text) ?? .null, zip3.map(SQLValue.text) ?? .null,
                .text(place),
            ],
            keyColumns: ["location_id"])
        try writer.recordProvenance(
            row: StoredRow(table: "location", rowID: id), dataLoadID: dataLoadID, sourceName: "pmap",
            sourceFile: "-",
            location: "-", recordKey: place)
        locationByPlace[place] = id
        return id
    }

    func writeVisit(_ fact: VisitFact, file: String, location: String, _ writer: any StoreWriter) throws {
        guard let person = try person(fact.patientReference, writer) else {
            throw RecordProblem(
                .danglingReference, "Encounter.subject points at a patient not loaded from this source")
        }
        // A new encounter gets a new id; an updated one keeps its id (``keepVisitID``), so the
        // events that point at it stay linked. No look-up: its old rows were deleted already.
        let id =
            try visitBySourceKey[fact.sourceKey] ?? nextID("visit_occurrence", "visit_occurrence_id", writer)
        let concept: Int64 =
            switch fact.classCode {
            case "IMP", "ACUTE", "NONAC": 9201
            case "EMER": 9203
            case "AMB", "VR", "HH", "FLD": 9202
            default: 0
            }
        // An updated encounter's old row was deleted first, so the row is always new: queue it.
        queue(
            "visit_occurrence",
            [
                "visit_occurrence_id", "person_id", "visit_concept_id", "visit_start_date", "visit_end_date",
                "visit_type_concept_id",
                "visit_source_value",
            ],
            [
                .integer(id), .integer(person), .integer(concept), .text(fact.start),
                .text(fact.end ?? fact.start), .integer(32817),
                fact.classCode.map(SQLValue.text) ?? .null,
            ], record: fact.sourceKey)
        remember(fact.sourceKey, id, in: &visitBySourceKey)
        touch(person)
    }

    func writeConsent(_ fact: ConsentFact, _ writer: any StoreWriter) throws {
        guard let person = try person(fact.patientReference, writer) else {
            throw RecordProblem(
                .danglingReference, "Consent.patient points at a patient not loaded from this source")
        }
        try writer.saveConsent(
            personID: person, optOut: fact.optOut, decidedOn: fact.date, sourceName: sourceName,
            recordKey: fact.sourceKey)
        rowsByTable["pmap_consent", default: 0] += 1
    }

    func writeCareSite(_ fact: CareSiteFact, file: String, location: String, _ writer: any StoreWriter) throws
    {
        let id =
            try writer.rowID(ofSourceRecord: fact.sourceKey, sourceName: sourceName, table: "care_site")
            ?? nextID("care_site", "care_site_id", writer)
        let place = try locationID(state: fact.state, zip3: fact.zip3, writer)
        try write(
            "care_site", ["care_site_id", "care_site_name", "location_id", "care_site_source_value"],
            [
                .integer(id), fact.name.map(SQLValue.text) ?? .null, place.map(SQLValue.integer) ?? .null,
                .text(fact.sourceKey),
            ],
            key: ["care_site_id"], record: fact.sourceKey, file: file, location: location, writer)
    }

    func writeProvider(_ fact: ProviderFact, file: String, location: String, _ writer: any StoreWriter) throws
    {
        let id =
            try writer.rowID(ofSourceRecord: fact.sourceKey, sourceName: sourceName, table: "provider")
            ?? nextID("provider", "provider_id", writer)
        let specialty = try fact.specialty.flatMap { try resolve($0, writer)?.standardConceptID } ?? 0
        let gender: Int64 = fact.gender == "male" ? 8507 : fact.gender == "female" ? 8532 : 0
        try write(
            "provider",
            [
                "provider_id", "provider_name", "npi", "specialty_concept_id", "gender_concept_id",
                "provider_source_value",
                "specialty_source_value",
            ],
            [
                .integer(id), fact.name.map { .text(String($0.prefix(255))) } ?? .null,
                fact.npi.map(SQLValue.text) ?? .null,
                .integer(specialty), .integer(gender), .text(String(fact.sourceKey.prefix(50))),
                fact.specialty.map { .text(String($0.code.prefix(50))) } ?? .null,
            ], key: ["provider_id"], record: fact.sourceKey, file: file, location: location, writer)
    }
}
