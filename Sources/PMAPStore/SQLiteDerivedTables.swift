import GRDB
import PMAPModel

/// Builds the CDM tables OHDSI cohorts rely on when a source does not supply them:
/// `observation_period`, `condition_era` and `drug_era`, derived from a person's events by
/// OHDSI's published rules.
///
/// Dates are read as ISO text with SQLite's `date()` (a datetime is cut to its day); an event
/// whose start date cannot be read is skipped, and an end date that cannot be read, or lies
/// before the start, is treated as the start (or the rule's default end where one is given).
/// Intervals are inclusive: [2020-01-01, 2020-01-01] is one day. Each table's new rows get ids
/// above the largest id left in it, numbered by person, start date and concept.
enum SQLiteDerivedTables {
    /// Gap (days) between events that still belongs to one observation period.
    static let observationPeriodGapDays = 730
    /// OHDSI's persistence window for condition eras and allowed gap for drug eras.
    static let eraGapDays = 30
    /// "Period inferred from EHR records" (Type Concept), the type of every derived period.
    static let ehrPeriodTypeConceptID: Int64 = 32817

    /// Rebuilds observation_period, condition_era and drug_era for `persons` (every person when nil):
    /// deletes those persons' rows of the three tables and derives them again from their events.
    ///
    /// With nil, all rows of the three tables are deleted and every person found in an event
    /// table is derived; an empty list does nothing. Runs inside the caller's transaction
    /// (it neither begins nor commits one), using the temporary table
    /// `temp.pmap_rebuild_person`, which it drops again.
    static func rebuild(_ db: Database, persons: [Int64]?) throws {
        if let persons, persons.isEmpty { return }
        try db.execute(sql: "DROP TABLE IF EXISTS temp.pmap_rebuild_person")
        try db.execute(sql: "CREATE TEMP TABLE pmap_rebuild_person (person_id INTEGER PRIMARY KEY)")
        defer { try? db.execute(sql: "DROP TABLE IF EXISTS temp.pmap_rebuild_person") }
        if let persons {
            let add = try db.makeStatement(
                sql: "INSERT OR IGNORE INTO temp.pmap_rebuild_person (person_id) VALUES (?)")
            for person in persons {
                try add.execute(arguments: [person])
            }
            for table in derivedTables {
                try db.execute(sql: "DELETE FROM \(table) WHERE \(inScope)")
            }
        } else {
            let everyone = eventTables.map { "SELECT person_id FROM \($0)" }.joined(separator: " UNION ")
            try db.execute(
                sql: """
                    INSERT INTO temp.pmap_rebuild_person (person_id)
                    SELECT person_id FROM (\(everyone)) WHERE person_id IS NOT NULL
                    """)
            for table in derivedTables {
                try db.execute(sql: "DELETE FROM \(table)")
            }
        }
        try insertObservationPeriods(db)
        let conditionBase = try nextIDBase(db, "condition_era", "condition_era_id")
        try db.execute(sql: conditionEraSQL, arguments: ["base": conditionBase, "gap": eraGapDays])
        let drugBase = try nextIDBase(db, "drug_era", "drug_era_id")
        try db.execute(sql: drugEraSQL, arguments: ["base": drugBase, "gap": eraGapDays])
    }

    /// The tables this type writes.
    static let derivedTables = ["observation_period", "condition_era", "drug_era"]

    /// The event tables whose dates make up observation periods.
    static let eventTables = [
        "visit_occurrence", "condition_occurrence", "drug_exposure", "procedure_occurrence", "measurement",
        "observation", "device_exposure",
    ]

    /// Restricts a query on a table with a `person_id` column to the persons being rebuilt.
    private static let inScope = "person_id IN (SELECT person_id FROM temp.pmap_rebuild_person)"

    /// The largest id left in a table (0 when empty); new rows are numbered after it.
    private static func nextIDBase(_ db: Database, _ table: String, _ column: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT coalesce(max(\(column)), 0) FROM \(table)") ?? 0
    }

    /// Groups the rows of a CTE `intervals (person_id, concept_id, start_date, end_date)` into
    /// islands per person and concept: in order of start, an interval starts a new island when
    /// its start lies more than `:gap` days after the latest end seen so far (so intervals that
    /// overlap, touch, or are at most `:gap` days apart are merged).
    ///
    /// Yields `islands (person_id, concept_id, start_date, end_date, new_days, island)`, where
    /// `new_days` is the number of days of the interval not covered by an earlier one, so the
    /// sum over an island is the number of days its intervals cover. Ties in (start, end) are
    /// identical intervals, so their order does not matter; the island number counts peers
    /// together (the default RANGE frame).
    private static let islandsSQL = """
        ordered AS (
            SELECT person_id, concept_id, start_date, end_date,
                max(end_date) OVER (
                    PARTITION BY person_id, concept_id ORDER BY start_date, end_date
                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
            FROM intervals
        ),
        islands AS (
            SELECT person_id, concept_id, start_date, end_date,
                max(0, julianday(end_date)
                    - max(julianday(start_date), coalesce(julianday(previous_end) + 1, 0)) + 1) AS new_days,
                sum(CASE WHEN previous_end IS NULL OR julianday(start_date) - julianday(previous_end) > :gap
                    THEN 1 ELSE 0 END)
                    OVER (PARTITION BY person_id, concept_id ORDER BY start_date, end_date) AS island
            FROM ordered
        )
        """

    /// **observation_period**: per person, the union of the intervals of all their events —
    /// visit_occurrence [visit_start_date, visit_end_date], condition_occurrence
    /// [condition_start_date, coalesce(condition_end_date, condition_start_date)], drug_exposure
    /// [drug_exposure_start_date, drug_exposure_end_date], procedure_occurrence [procedure_date],
    /// measurement [measurement_date], observation [observation_date], device_exposure
    /// [device_exposure_start_date, coalesce(device_exposure_end_date, device_exposure_start_date)]
    /// — with intervals whose start lies at most ``observationPeriodGapDays`` days after the
    /// latest end before it merged into one period of type ``ehrPeriodTypeConceptID`` (EHR).
    /// Death does not extend a period: a death date after the last event is not an observation.
    ///
    /// SQLite reads the distinct intervals in order of person and start; one pass merges them
    /// (the window functions the eras use took most of a rebuild's time on a million events).
    private static func insertObservationPeriods(_ db: Database) throws {
        let base = try nextIDBase(db, "observation_period", "observation_period_id")
        let insert = try db.makeStatement(
            sql: """
                INSERT INTO observation_period (
                    observation_period_id, person_id, observation_period_start_date,
                    observation_period_end_date, period_type_concept_id)
                VALUES (?, ?, ?, ?, ?)
                """)
        var written: Int64 = 0
        var open: (person: Int64, start: Day, end: Day)?
        func close() throws {
            guard let period = open else { return }
            written += 1
            try insert.execute(arguments: [
                base + written, period.person, period.start.iso, period.end.iso, ehrPeriodTypeConceptID,
            ])
        }
        let intervals = try Row.fetchCursor(db, sql: observationIntervalsSQL)
        while let row = try intervals.next() {
            let person: Int64 = row[0]
            guard let start = Day(iso: row[1]), let end = Day(iso: row[2]) else { continue }
            if let current = open, current.person == person,
                start.value - current.end.value <= observationPeriodGapDays
            {
                if end.value > current.end.value { open = (person, current.start, end) }
            } else {
                try close()
                open = (person, start, end)
            }
        }
        try close()
    }

    /// The distinct event intervals of the persons in scope, `(person_id, start_date,
    /// end_date)` as ISO days, in order of person, start and end (an end before its start, or
    /// unreadable, is the start).
    private static let observationIntervalsSQL = """
        WITH events (person_id, raw_start, raw_end) AS (
            SELECT person_id, visit_start_date, visit_end_date FROM visit_occurrence WHERE \(inScope)
            UNION ALL
            SELECT person_id, condition_start_date, condition_end_date FROM condition_occurrence
            WHERE \(inScope)
            UNION ALL
            SELECT person_id, drug_exposure_start_date, drug_exposure_end_date FROM drug_exposure
            WHERE \(inScope)
            UNION ALL
            SELECT person_id, procedure_date, procedure_date FROM procedure_occurrence WHERE \(inScope)
            UNION ALL
            SELECT person_id, measurement_date, measurement_date FROM measurement WHERE \(inScope)
            UNION ALL
            SELECT person_id, observation_date, observation_date FROM observation WHERE \(inScope)
            UNION ALL
            SELECT person_id, device_exposure_start_date, device_exposure_end_date FROM device_exposure
            WHERE \(inScope)
        ),
        raw AS (SELECT DISTINCT person_id, raw_start, raw_end FROM events)
        SELECT DISTINCT person_id, date(raw_start) AS start_date,
            max(date(raw_start), coalesce(date(raw_end), date(raw_start))) AS end_date
        FROM raw WHERE date(raw_start) IS NOT NULL
        ORDER BY person_id, start_date, end_date
        """

    /// **condition_era** (OHDSI's condition era rule): per person and condition_concept_id
    /// (occurrences of concept 0, "no matching concept", make no era), the occurrences
    /// [condition_start_date, coalesce(condition_end_date, condition_start_date + 1 day)] are
    /// merged when one starts at most ``eraGapDays`` days (the persistence window) after the
    /// latest end before it. The era runs from the first start to the latest end of its group;
    /// condition_occurrence_count is the number of occurrences in it.
    private static let conditionEraSQL = """
        WITH intervals AS (
            SELECT person_id, condition_concept_id AS concept_id,
                date(condition_start_date) AS start_date,
                max(date(condition_start_date),
                    coalesce(date(condition_end_date), date(condition_start_date, '+1 day'))) AS end_date
            FROM condition_occurrence
            WHERE \(inScope) AND condition_concept_id <> 0 AND date(condition_start_date) IS NOT NULL
        ),
        \(islandsSQL),
        eras AS (
            SELECT person_id, concept_id, min(start_date) AS start_date, max(end_date) AS end_date,
                count(*) AS occurrence_count
            FROM islands GROUP BY person_id, concept_id, island
        )
        INSERT INTO condition_era (
            condition_era_id, person_id, condition_concept_id, condition_era_start_date,
            condition_era_end_date, condition_occurrence_count)
        SELECT :base + row_number() OVER (ORDER BY person_id, start_date, concept_id), person_id, concept_id,
            start_date, end_date, occurrence_count
        FROM eras
        """

    /// **drug_era** (OHDSI's drug era rule, at ingredient level): each exposure's drug_concept_id
    /// is mapped to its ingredients, the ancestors in concept_ancestor whose concept has
    /// concept_class_id 'Ingredient' and vocabulary_id 'RxNorm' or 'RxNorm Extension'; a drug
    /// concept that is itself such an ingredient maps to itself even without concept_ancestor's
    /// level-0 row. Exposures of concept 0 or with no ingredient are skipped (they make no era).
    /// An exposure ends at coalesce(drug_exposure_end_date, drug_exposure_start_date +
    /// days_supply - 1 day, drug_exposure_start_date). Exposures of one ingredient are merged
    /// when one starts at most ``eraGapDays`` days after the latest end before it;
    /// drug_exposure_count is the number of exposures in the era, and gap_days the era's days
    /// (inclusive) not covered by any exposure, never negative.
    private static let drugEraSQL = """
        WITH exposures AS (
            SELECT person_id, drug_concept_id, date(drug_exposure_start_date) AS start_date,
                max(date(drug_exposure_start_date), coalesce(
                    date(drug_exposure_end_date),
                    CASE WHEN days_supply > 0
                        THEN date(julianday(date(drug_exposure_start_date)) + days_supply - 1) END,
                    date(drug_exposure_start_date))) AS end_date
            FROM drug_exposure
            WHERE \(inScope) AND drug_concept_id <> 0 AND date(drug_exposure_start_date) IS NOT NULL
        ),
        drugs AS (SELECT DISTINCT drug_concept_id FROM exposures),
        ingredients (drug_concept_id, ingredient_concept_id) AS (
            SELECT d.drug_concept_id, a.ancestor_concept_id
            FROM drugs d
            JOIN concept_ancestor a ON a.descendant_concept_id = d.drug_concept_id
            JOIN concept c ON c.concept_id = a.ancestor_concept_id
            WHERE c.concept_class_id = 'Ingredient' AND c.vocabulary_id IN ('RxNorm', 'RxNorm Extension')
            UNION
            SELECT d.drug_concept_id, c.concept_id
            FROM drugs d JOIN concept c ON c.concept_id = d.drug_concept_id
            WHERE c.concept_class_id = 'Ingredient' AND c.vocabulary_id IN ('RxNorm', 'RxNorm Extension')
        ),
        intervals AS (
            SELECT e.person_id, i.ingredient_concept_id AS concept_id, e.start_date, e.end_date
            FROM exposures e JOIN ingredients i ON i.drug_concept_id = e.drug_concept_id
        ),
        \(islandsSQL),
        eras AS (
            SELECT person_id, concept_id, min(start_date) AS start_date, max(end_date) AS end_date,
                count(*) AS exposure_count, sum(new_days) AS covered_days
            FROM islands GROUP BY person_id, concept_id, island
        )
        INSERT INTO drug_era (
            drug_era_id, person_id, drug_concept_id, drug_era_start_date, drug_era_end_date,
            drug_exposure_count, gap_days)
        SELECT :base + row_number() OVER (ORDER BY person_id, start_date, concept_id), person_id, concept_id,
            start_date, end_date, exposure_count,
            CAST(max(0, julianday(end_date) - julianday(start_date) + 1 - covered_days) AS INTEGER)
        FROM eras
        """
}
