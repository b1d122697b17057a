import Foundation
import GRDB
import PMAPModel
import PMAPTestSupport
import Testing

@testable import PMAPStore

/// observation_period, condition_era and drug_era derived by ``SQLiteDerivedTables``, on small
/// hand-made cases with exact expected rows.
struct DerivedTablesTests {
    private static let ehr: SQLValue = 32817
    private static let conditionA: SQLValue = 201826
    private static let conditionB: SQLValue = 4_329_847
    private static let acetaminophen: SQLValue = 1_125_315
    private static let acetaminophenTablet: SQLValue = 1_127_433
    private static let metformin: SQLValue = 1_503_297
    /// A drug concept with no concept row and no ancestry, so no ingredient.
    private static let unmappedDrug: SQLValue = 19_000_001

    private let periodSQL = """
        SELECT observation_period_id, person_id, observation_period_start_date,
            observation_period_end_date, period_type_concept_id
        FROM observation_period ORDER BY observation_period_id
        """
    private let conditionEraSQL = """
        SELECT person_id, condition_concept_id, condition_era_start_date, condition_era_end_date,
            condition_occurrence_count
        FROM condition_era ORDER BY person_id, condition_concept_id, condition_era_start_date
        """
    private let drugEraSQL = """
        SELECT person_id, drug_concept_id, drug_era_start_date, drug_era_end_date, drug_exposure_count,
            gap_days
        FROM drug_era ORDER BY person_id, drug_concept_id, drug_era_start_date
        """

    // MARK: observation_period

    /// Rule 1: the intervals of all events are merged while the gap between them is at most
    /// 730 days (2020-01-01 and 2020-03-01), and a longer gap (2020-03-01 to 2023-06-01, over
    /// three years) starts a new period; periods are of type 32817 (EHR). A death date after
    /// the last event does not extend the period.
    @Test func observationPeriodsSplitAtGapsOverTwoYears() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await makeStore(folder, persons: [1])
        try await insertConditions(store, [(1, 1, Self.conditionA, "2020-01-01", nil)])
        try await insertMeasurements(store, [(1, 1, "2020-03-01")])
        try await insertObservations(store, [(1, 1, "2023-06-01")])
        try await insert(
            store, "death", ["person_id", "death_date", "death_type_concept_id"], [[1, "2024-01-01", 32817]])
        try await rebuild(store, persons: nil)
        #expect(
            try await fetch(store, periodSQL) == [
                [1, 1, "2020-01-01", "2020-03-01", Self.ehr],
                [2, 1, "2023-06-01", "2023-06-01", Self.ehr],
            ])
    }

    /// Rule 1 at its boundary: a start exactly 730 days after the latest end joins the
    /// period (visit ending 2020-06-30 → 2022-06-30), one 731 days after starts a new one
    /// (→ 2024-06-30); a measurement inside the visit ends nothing.
    @Test func aGapOfExactly730DaysStillJoins() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await makeStore(folder, persons: [1])
        try await insertVisits(store, [(1, 1, "2020-01-01", "2020-06-30")])
        try await insertMeasurements(
            store, [(1, 1, "2020-03-01"), (2, 1, "2022-06-30"), (3, 1, "2024-06-30")])
        try await rebuild(store, persons: nil)
        #expect(
            try await fetch(store, periodSQL) == [
                [1, 1, "2020-01-01", "2022-06-30", Self.ehr],
                [2, 1, "2024-06-30", "2024-06-30", Self.ehr],
            ])
    }

    /// Rule 1: an event's interval counts from its start to its end, so a visit spanning
    /// 2021-01-01..2021-01-05 ends the period on 2021-01-05 (not on its start date), and
    /// events inside it (a measurement on 2021-01-03) change nothing.
    @Test func visitSpanExtendsThePeriodToItsEnd() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await makeStore(folder, persons: [1])
        try await insertConditions(store, [(1, 1, Self.conditionA, "2020-06-01", nil)])
        try await insertVisits(store, [(1, 1, "2021-01-01", "2021-01-05")])
        try await insertMeasurements(store, [(1, 1, "2021-01-03")])
        try await rebuild(store, persons: nil)
        #expect(try await fetch(store, periodSQL) == [[1, 1, "2020-06-01", "2021-01-05", Self.ehr]])
    }

    /// Only the requested persons are rebuilt: person 1's stale period is replaced, person 2's
    /// existing period stays untouched although person 2 has events, and new ids continue
    /// after the largest id left in the table.
    @Test func onlyRequestedPersonsAreRebuilt() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await makeStore(folder, persons: [1, 2])
        let columns = [
            "observation_period_id", "person_id", "observation_period_start_date",
            "observation_period_end_date", "period_type_concept_id",
        ]
        try await insert(
            store, "observation_period", columns,
            [[1, 2, "2010-01-01", "2010-12-31", 32880], [5, 1, "2000-01-01", "2000-01-02", 32880]])
        try await insertMeasurements(store, [(1, 1, "2020-05-05"), (2, 2, "2020-05-05")])
        try await rebuild(store, persons: [1])
        #expect(
            try await fetch(store, periodSQL) == [
                [1, 2, "2010-01-01", "2010-12-31", 32880],
                [2, 1, "2020-05-05", "2020-05-05", Self.ehr],
            ])
    }

    /// Rebuilding is idempotent: a second rebuild (of everyone, then of one person) gives the
    /// same rows, ids included, in all three tables.
    @Test func rebuildingTwiceGivesTheSameRows() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await makeStore(folder, persons: [1])
        try await insertDrugVocabulary(store)
        try await insertConditions(
            store, [(1, 1, Self.conditionA, "2020-01-01", nil), (2, 1, Self.conditionA, "2020-01-20", nil)])
        try await insertVisits(store, [(1, 1, "2021-01-01", "2021-01-05")])
        try await insertDrugs(store, [(1, 1, Self.acetaminophenTablet, "2020-01-01", "2020-01-30", 30)])
        let all = [periodSQL, conditionEraSQL, drugEraSQL]
        try await rebuild(store, persons: nil)
        var first: [[[SQLValue]]] = []
        for sql in all { first.append(try await fetch(store, sql)) }
        #expect(first.allSatisfy { !$0.isEmpty })
        try await rebuild(store, persons: nil)
        try await rebuild(store, persons: [1])
        for (sql, rows) in zip(all, first) {
            #expect(try await fetch(store, sql) == rows)
        }
    }

    // MARK: condition_era

    /// Rule 2: occurrences without an end last one day (start + 1 day); one starting at most
    /// 30 days after the previous end joins the era (2020-01-20 is 18 days after 2020-01-02),
    /// a later one (2020-03-15, 54 days after 2020-01-21) starts a new era; the era ends at
    /// the latest end and counts its occurrences. Concept 0 makes no era, and each concept has
    /// its own eras (with its recorded end date).
    @Test func conditionErasMergeWithinThePersistenceWindow() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await makeStore(folder, persons: [1])
        try await insertConditions(
            store,
            [
                (1, 1, Self.conditionA, "2020-01-01", nil), (2, 1, Self.conditionA, "2020-01-20", nil),
                (3, 1, Self.conditionA, "2020-03-15", nil), (4, 1, 0, "2020-01-01", nil),
                (5, 1, Self.conditionB, "2020-01-05", "2020-01-10"),
            ])
        try await rebuild(store, persons: [1])
        #expect(
            try await fetch(store, conditionEraSQL) == [
                [1, Self.conditionA, "2020-01-01", "2020-01-21", 2],
                [1, Self.conditionA, "2020-03-15", "2020-03-16", 1],
                [1, Self.conditionB, "2020-01-05", "2020-01-10", 1],
            ])
    }

    // MARK: drug_era

    /// Rule 3: exposures of a clinical drug roll up to its RxNorm ingredient. 2020-01-01 +30
    /// days' supply ends 2020-01-30; 2020-02-15 +30 ends 2020-03-15 (2020 is a leap year) and
    /// starts 16 days after 2020-01-30, so joins the era. The era 2020-01-01..2020-03-15 has
    /// 31 + 29 + 15 = 75 days, the exposures cover 30 + 30 = 60, so gap_days is 15
    /// (2020-01-31..2020-02-14). 2020-06-01 +10 (2020-06-10) is 78 days after 2020-03-15: a new
    /// era, gap 0. An exposure of a drug with no ingredient makes no era.
    @Test func drugErasRollUpToIngredientsWithGapDays() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await makeStore(folder, persons: [1])
        try await insertDrugVocabulary(store)
        try await insertDrugs(
            store,
            [
                (1, 1, Self.acetaminophenTablet, "2020-01-01", "2020-01-30", 30),
                (2, 1, Self.acetaminophenTablet, "2020-02-15", "2020-03-15", 30),
                (3, 1, Self.acetaminophenTablet, "2020-06-01", "2020-06-10", 10),
                (4, 1, Self.unmappedDrug, "2020-01-01", "2020-01-10", 10),
            ])
        try await rebuild(store, persons: [1])
        #expect(
            try await fetch(store, drugEraSQL) == [
                [1, Self.acetaminophen, "2020-01-01", "2020-03-15", 2, 15],
                [1, Self.acetaminophen, "2020-06-01", "2020-06-10", 1, 0],
            ])
    }

    /// Rule 3: an exposure of the ingredient itself maps to it even when concept_ancestor has no
    /// level-0 row for it (metformin has none here), and overlapping exposures are covered
    /// days counted once: 2021-01-01..2021-01-10 and 2021-01-05..2021-01-08 make one era of
    /// 10 days with 2 exposures and gap 0.
    @Test func ingredientExposureMapsToItselfWithoutAncestorRow() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await makeStore(folder, persons: [1])
        try await insertDrugVocabulary(store)
        try await insertDrugs(
            store,
            [
                (1, 1, Self.metformin, "2021-01-01", "2021-01-10", 10),
                (2, 1, Self.metformin, "2021-01-05", "2021-01-08", 4),
            ])
        try await rebuild(store, persons: [1])
        #expect(
            try await fetch(store, drugEraSQL) == [[1, Self.metformin, "2021-01-01", "2021-01-10", 2, 0]])
    }

    // MARK: Helpers

    private func makeStore(_ folder: TemporaryFolder, persons: [Int64]) async throws -> SQLiteStore {
        let store = try SQLiteStore(path: folder.file("pmap.sqlite"), create: true)
        try await insert(
            store, "person",
            ["person_id", "gender_concept_id", "year_of_birth", "race_concept_id", "ethnicity_concept_id"],
            persons.map { person -> [SQLValue] in [.integer(person), 8507, 1960, 8527, 38_003_564] })
        return store
    }

    private func insert(_ store: SQLiteStore, _ table: String, _ columns: [String], _ rows: [[SQLValue]])
        async throws
    {
        let rows = TableRows(table: table, columns: columns, rows: rows)
        try await store.write { try $0.insert(rows, onConflict: .abort) }
    }

    private func rebuild(_ store: SQLiteStore, persons: [Int64]?) async throws {
        try await store.write { try $0.rebuildDerivedTables(persons: persons) }
    }

    /// (id, person, concept, start, end)
    private func insertConditions(
        _ store: SQLiteStore, _ rows: [(Int64, Int64, SQLValue, String, String?)]
    ) async throws {
        try await insert(
            store, "condition_occurrence",
            [
                "condition_occurrence_id", "person_id", "condition_concept_id", "condition_start_date",
                "condition_end_date", "condition_type_concept_id",
            ],
            rows.map { row -> [SQLValue] in
                let end: SQLValue = row.4.map { .text($0) } ?? .null
                return [.integer(row.0), .integer(row.1), row.2, .text(row.3), end, 32817]
            })
    }

    /// (id, person, date)
    private func insertMeasurements(_ store: SQLiteStore, _ rows: [(Int64, Int64, String)]) async throws {
        try await insert(
            store, "measurement",
            [
                "measurement_id", "person_id", "measurement_concept_id", "measurement_date",
                "measurement_type_concept_id",
            ],
            rows.map { row -> [SQLValue] in
                [.integer(row.0), .integer(row.1), 3_000_963, .text(row.2), 32817]
            })
    }

    /// (id, person, date)
    private func insertObservations(_ store: SQLiteStore, _ rows: [(Int64, Int64, String)]) async throws {
        try await insert(
            store, "observation",
            [
                "observation_id", "person_id", "observation_concept_id", "observation_date",
                "observation_type_concept_id",
            ],
            rows.map { row -> [SQLValue] in
                [.integer(row.0), .integer(row.1), 4_275_495, .text(row.2), 32817]
            })
    }

    /// (id, person, start, end)
    private func insertVisits(_ store: SQLiteStore, _ rows: [(Int64, Int64, String, String)]) async throws {
        try await insert(
            store, "visit_occurrence",
            [
                "visit_occurrence_id", "person_id", "visit_concept_id", "visit_start_date", "visit_end_date",
                "visit_type_concept_id",
            ],
            rows.map { row -> [SQLValue] in
                [.integer(row.0), .integer(row.1), 9201, .text(row.2), .text(row.3), 32817]
            })
    }

    /// (id, person, drug concept, start, end, days supply)
    private func insertDrugs(
        _ store: SQLiteStore, _ rows: [(Int64, Int64, SQLValue, String, String, Int64)]
    ) async throws {
        try await insert(
            store, "drug_exposure",
            [
                "drug_exposure_id", "person_id", "drug_concept_id", "drug_exposure_start_date",
                "drug_exposure_end_date", "days_supply", "drug_type_concept_id",
            ],
            rows.map { row -> [SQLValue] in
                [.integer(row.0), .integer(row.1), row.2, .text(row.3), .text(row.4), .integer(row.5), 32838]
            })
    }

    /// Two RxNorm ingredients and a clinical drug of the first: concept_ancestor has the
    /// ingredient → clinical drug row (level 1) and self rows for acetaminophen and the tablet,
    /// none for metformin.
    private func insertDrugVocabulary(_ store: SQLiteStore) async throws {
        try await insert(
            store, "concept",
            [
                "concept_id", "concept_name", "domain_id", "vocabulary_id", "concept_class_id",
                "standard_concept", "concept_code", "valid_start_date", "valid_end_date",
            ],
            [
                [
                    Self.acetaminophen, "acetaminophen", "Drug", "RxNorm", "Ingredient", "S", "161",
                    "1970-01-01", "2099-12-31",
                ],
                [
                    Self.acetaminophenTablet, "acetaminophen 325 MG Oral Tablet", "Drug", "RxNorm",
                    "Clinical Drug", "S", "313782", "1970-01-01", "2099-12-31",
                ],
                [
                    Self.metformin, "metformin", "Drug", "RxNorm", "Ingredient", "S", "6809", "1970-01-01",
                    "2099-12-31",
                ],
            ])
        try await insert(
            store, "concept_ancestor",
            [
                "ancestor_concept_id", "descendant_concept_id", "min_levels_of_separation",
                "max_levels_of_separation",
            ],
            [
                [Self.acetaminophen, Self.acetaminophenTablet, 1, 1],
                [Self.acetaminophen, Self.acetaminophen, 0, 0],
                [Self.acetaminophenTablet, Self.acetaminophenTablet, 0, 0],
            ])
    }

    /// The rows of a query, as storage-neutral values.
    private func fetch(_ store: SQLiteStore, _ sql: String) async throws -> [[SQLValue]] {
        try await store.pool.read { db in
            try Row.fetchAll(db, sql: sql).map { row -> [SQLValue] in
                row.databaseValues.map { value -> SQLValue in Self.sqlValue(value) }
            }
        }
    }

    private static func sqlValue(_ value: DatabaseValue) -> SQLValue {
        switch value.storage {
        case .null, .blob: return .null
        case .int64(let number): return .integer(number)
        case .double(let number): return .real(number)
        case .string(let text): return .text(text)
        }
    }
}
