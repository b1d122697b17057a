import PMAPModel

/// A cohort definition compiled to SQL for one cohort id and dialect.
public struct CompiledCohort: Sendable {
    /// Run in order, in ONE transaction: they delete earlier rows of this cohort id from
    /// `cohort`, compute the cohort in temporary tables, and insert the final rows into `cohort`
    /// (cohort_definition_id, subject_id, cohort_start_date, cohort_end_date).
    public let statements: [SQLStatement]
    /// Returns rows (mask INTEGER, persons INTEGER): for each person's best event (the one
    /// satisfying the most inclusion rules, ties → earliest), the bitmask of inclusion rules it
    /// satisfies (bit i = rule i), with the number of persons per mask. Run after `statements`,
    /// in the same transaction.
    public let inclusionMaskQuery: SQLStatement
    /// Statements dropping the temporary tables (run last).
    public let cleanup: [SQLStatement]
    /// The inclusion rules' names, rule i first.
    public let inclusionRuleNames: [String]
    /// The temporary tables `statements` create (all start with `pmap_cohort_<id>_<tag>_`).
    public let temporaryTables: [String]
}

/// Compiles ``CohortDefinition``s to SQL on the OMOP CDM (v5.4) following OHDSI Circe's semantics.
public enum CohortCompiler {
    /// Compiles `definition` for `cohortDefinitionID`; temporary table names carry the id and a
    /// random tag, so two generations never clash.
    ///
    /// With `excludeOptedOut`, persons with `pmap_consent.research_opt_out = 1` never enter.
    public static func compile(
        _ definition: CohortDefinition, cohortDefinitionID: Int64, dialect: SQLDialect,
        excludeOptedOut: Bool = true
    ) throws(CohortDefinitionError) -> CompiledCohort {
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return try compile(
            definition, cohortDefinitionID: cohortDefinitionID, dialect: dialect,
            excludeOptedOut: excludeOptedOut,
            tableTag: String(repeating: "0", count: 8 - tag.count) + tag)
    }

    /// As ``compile(_:cohortDefinitionID:dialect:excludeOptedOut:)`` with a chosen tag in the
    /// temporary table names (lower-case letters, digits and `_`, at most 16), for reproducible SQL.
    public static func compile(
        _ definition: CohortDefinition, cohortDefinitionID: Int64, dialect: SQLDialect,
        excludeOptedOut: Bool = true,
        tableTag: String
    ) throws(CohortDefinitionError) -> CompiledCohort {
        guard !tableTag.isEmpty, tableTag.count <= 16,
            tableTag.unicodeScalars.allSatisfy({
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
            })
        else {
            throw CohortDefinitionError(path: "", message: "table tag \(tableTag) must be 1-16 of [a-z0-9_]")
        }
        let idPart = cohortDefinitionID < 0 ? "m\(cohortDefinitionID.magnitude)" : "\(cohortDefinitionID)"
        let compiler = CohortSQLWriter(
            definition: definition, dialect: dialect, prefix: "pmap_cohort_\(idPart)_\(tableTag)_",
            excludeOptedOut: excludeOptedOut)
        return compiler.compile(cohortDefinitionID: cohortDefinitionID)
    }
}

/// Writes the SQL of one compile (the pipeline here; groups and criteria in extensions).
///
/// The rows of correlated and nested criteria go to temporary tables of their own, created
/// just before the statement that reads them: inlined, each level of criteria nests
/// subqueries several deep, and SQLite's parser refuses statements nested too deeply
/// ("parser stack overflow") that OHDSI phenotypes reach with a group inside a correlated
/// criterion.
final class CohortSQLWriter {
    let definition: CohortDefinition
    let dialect: SQLDialect
    let prefix: String
    let excludeOptedOut: Bool
    /// Temporary tables of criterion rows not yet emitted, in creation order.
    private var pendingTables: [(name: String, statement: SQLFragment)] = []
    /// Every criterion table made, for the cleanup.
    private(set) var criterionTables: [String] = []

    init(definition: CohortDefinition, dialect: SQLDialect, prefix: String, excludeOptedOut: Bool) {
        self.definition = definition
        self.dialect = dialect
        self.prefix = prefix
        self.excludeOptedOut = excludeOptedOut
    }

    /// A temporary table holding `query`'s rows (created before the statement that uses it).
    func materialize(_ query: SQLFragment) -> String {
        let name = prefix + "criterion_\(criterionTables.count + 1)"
        criterionTables.append(name)
        pendingTables.append((name, "CREATE TEMPORARY TABLE \(raw: name) AS\n\(query)"))
        return name
    }

    /// The statements creating the tables made since the last call.
    func takePendingTables() -> [SQLFragment] {
        defer { pendingTables = [] }
        return pendingTables.map(\.statement)
    }

    var codesets: String { prefix + "codesets" }
    var primaryEvents: String { prefix + "primary_events" }
    var qualifiedEvents: String { prefix + "qualified_events" }
    var inclusionEvents: String { prefix + "inclusion_events" }
    var includedEvents: String { prefix + "included_events" }
    var cohortRows: String { prefix + "cohort_rows" }
    var finalCohort: String { prefix + "final_cohort" }

    func compile(cohortDefinitionID: Int64) -> CompiledCohort {
        let tables = [
            codesets, primaryEvents, qualifiedEvents, inclusionEvents, includedEvents, cohortRows,
            finalCohort,
        ]
        var statements: [SQLFragment] = []
        // Each statement comes after the criterion tables its construction made.
        func add(_ statement: SQLFragment) {
            statements += takePendingTables()
            statements.append(statement)
        }
        add(
            "CREATE TEMPORARY TABLE \(raw: codesets) (codeset_id BIGINT NOT NULL, concept_id BIGINT NOT NULL)"
        )
        if let insert = codesetInsert() { add(insert) }
        add(primaryEventsStatement())
        add(qualifiedEventsStatement())
        add(
            """
            CREATE TEMPORARY TABLE \(raw: inclusionEvents) (
              inclusion_rule_id BIGINT NOT NULL, person_id BIGINT NOT NULL, event_id BIGINT NOT NULL
            )
            """)
        for (index, rule) in definition.inclusionRules.enumerated() {
            add(
                """
                INSERT INTO \(raw: inclusionEvents) (inclusion_rule_id, person_id, event_id)
                SELECT \(raw: String(index)), R.person_id, R.event_id
                FROM (
                \(groupQuery(rule.group, events: "\(raw: qualifiedEvents)"))
                ) R
                """)
        }
        add(includedEventsStatement())
        add(cohortRowsStatement())
        add(finalCohortStatement())
        add("DELETE FROM cohort WHERE cohort_definition_id = \(dialect.integer(cohortDefinitionID))")
        add(insertStatement(cohortDefinitionID))
        let temporary = tables + criterionTables
        return CompiledCohort(
            statements: statements.map(\.statement), inclusionMaskQuery: maskQuery().statement,
            cleanup: temporary.reversed().map {
                SQLStatement(sql: "DROP TABLE IF EXISTS \($0)", arguments: [])
            },
            inclusionRuleNames: definition.inclusionRules.map(\.name), temporaryTables: temporary)
    }

    // MARK: concept sets

    /// Expands every concept set into `codesets`: the concepts themselves, valid descendants
    /// when asked, source concepts mapping to them when asked, minus the excluded expansion.
    func codesetInsert() -> SQLFragment? {
        var rows: [SQLFragment] = []
        for set in definition.conceptSets {
            for item in set.items {
                let values = [
                    set.id, item.conceptID, item.isExcluded ? 1 : 0, item.includeDescendants ? 1 : 0,
                    item.includeMapped ? 1 : 0,
                ].map { dialect.integer($0) }
                rows.append("(\(SQLFragment.joined(values, separator: ", ")))")
            }
        }
        guard !rows.isEmpty else { return nil }
        let items = definition.conceptSets.flatMap(\.items)
        var expanded: SQLFragment = "SELECT codeset_id, concept_id, excluded, mapped FROM items"
        if items.contains(where: \.includeDescendants) {
            expanded = """
                \(expanded)
                  UNION
                  SELECT i.codeset_id, ca.descendant_concept_id, i.excluded, i.mapped
                  FROM items i
                  JOIN concept_ancestor ca ON ca.ancestor_concept_id = i.concept_id
                  JOIN concept c ON c.concept_id = ca.descendant_concept_id
                    AND (c.invalid_reason IS NULL OR c.invalid_reason = '')
                  WHERE i.descendants = 1
                """
        }
        var withMapped: SQLFragment = "SELECT codeset_id, concept_id, excluded FROM expanded"
        if items.contains(where: \.includeMapped) {
            withMapped = """
                \(withMapped)
                  UNION
                  SELECT e.codeset_id, cr.concept_id_1, e.excluded
                  FROM expanded e
                  JOIN concept_relationship cr ON cr.concept_id_2 = e.concept_id
                    AND cr.relationship_id = 'Maps to'
                    AND (cr.invalid_reason IS NULL OR cr.invalid_reason = '')
                  WHERE e.mapped = 1
                """
        }
        return """
            INSERT INTO \(raw: codesets) (codeset_id, concept_id)
            WITH items (codeset_id, concept_id, excluded, descendants, mapped) AS (
              VALUES \(SQLFragment.joined(rows, separator: ", "))
            ),
            expanded (codeset_id, concept_id, excluded, mapped) AS (
              \(expanded)
            ),
            with_mapped (codeset_id, concept_id, excluded) AS (
              \(withMapped)
            )
            SELECT codeset_id, concept_id FROM with_mapped WHERE excluded = 0
            EXCEPT
            SELECT codeset_id, concept_id FROM with_mapped WHERE excluded = 1
            """
    }

    // MARK: pipeline

    func primaryEventsStatement() -> SQLFragment {
        let primary = definition.primaryCriteria
        let criteria = SQLFragment.joined(
            primary.criteria.map { criterionQuery($0) }, separator: "\nUNION ALL\n")
        let order = primary.limit == .last ? "DESC" : "ASC"
        var filters: [SQLFragment] = [
            "\(dialect.addDays("OP.observation_period_start_date", primary.priorDays)) <= E.start_date",
            "\(dialect.addDays("E.start_date", primary.postDays)) <= OP.observation_period_end_date",
        ]
        if excludeOptedOut {
            filters.append(
                """
                NOT EXISTS (
                    SELECT 1 FROM pmap_consent OC WHERE OC.person_id = E.person_id AND OC.research_opt_out = 1
                  )
                """)
        }
        return """
            CREATE TEMPORARY TABLE \(raw: primaryEvents) AS
            SELECT P.ordinal AS event_id, P.person_id, P.start_date, P.end_date,
              P.op_start_date, P.op_end_date, P.visit_occurrence_id
            FROM (
              SELECT E.person_id, E.start_date, E.end_date, E.visit_occurrence_id,
                row_number() OVER (
                  PARTITION BY E.person_id ORDER BY E.start_date \(raw: order), E.event_id) AS ordinal,
                OP.observation_period_start_date AS op_start_date,
                OP.observation_period_end_date AS op_end_date
              FROM (
            \(criteria)
              ) E
              JOIN observation_period OP ON OP.person_id = E.person_id
                AND E.start_date >= OP.observation_period_start_date
                AND E.start_date <= OP.observation_period_end_date
              WHERE \(SQLFragment.joined(filters, separator: "\n    AND "))
            ) P\(raw: primary.limit == .all ? "" : "\nWHERE P.ordinal = 1")
            """
    }

    func qualifiedEventsStatement() -> SQLFragment {
        var join: SQLFragment = ""
        var limit = ""
        if let additional = definition.additionalCriteria {
            join = """

                  JOIN (
                \(groupQuery(additional, events: "\(raw: primaryEvents)"))
                  ) AC ON AC.person_id = pe.person_id AND AC.event_id = pe.event_id
                """
            if definition.qualifiedLimit != .all { limit = "\nWHERE QE.ordinal = 1" }
        }
        let order = definition.qualifiedLimit == .last ? "DESC" : "ASC"
        return """
            CREATE TEMPORARY TABLE \(raw: qualifiedEvents) AS
            SELECT QE.event_id, QE.person_id, QE.start_date, QE.end_date, QE.op_start_date, QE.op_end_date,
              QE.visit_occurrence_id
            FROM (
              SELECT pe.event_id, pe.person_id, pe.start_date, pe.end_date, pe.op_start_date, pe.op_end_date,
                pe.visit_occurrence_id,
                row_number() OVER (
                  PARTITION BY pe.person_id ORDER BY pe.start_date \(raw: order), pe.event_id) AS ordinal
              FROM \(raw: primaryEvents) pe\(join)
            ) QE\(raw: limit)
            """
    }

    func includedEventsStatement() -> SQLFragment {
        let order = definition.expressionLimit == .last ? "DESC" : "ASC"
        let limit = definition.expressionLimit == .all ? "" : "\nWHERE R.ordinal = 1"
        return """
            CREATE TEMPORARY TABLE \(raw: includedEvents) AS
            SELECT R.event_id, R.person_id, R.start_date, R.end_date, R.op_start_date, R.op_end_date
            FROM (
              SELECT MG.event_id, MG.person_id, MG.start_date, MG.end_date, MG.op_start_date, MG.op_end_date,
                row_number() OVER (
                  PARTITION BY MG.person_id ORDER BY MG.start_date \(raw: order), MG.event_id) AS ordinal
              FROM (
                SELECT Q.event_id, Q.person_id, Q.start_date, Q.end_date, Q.op_start_date, Q.op_end_date,
                  COUNT(DISTINCT I.inclusion_rule_id) AS rules_met
                FROM \(raw: qualifiedEvents) Q
                LEFT JOIN \(raw: inclusionEvents) I ON I.person_id = Q.person_id AND I.event_id = Q.event_id
                GROUP BY Q.event_id, Q.person_id, Q.start_date, Q.end_date, Q.op_start_date, Q.op_end_date
              ) MG
              WHERE MG.rules_met = \(raw: String(definition.inclusionRules.count))
            ) R\(raw: limit)
            """
    }

    /// Each included event ends at its first candidate end on or after its start: the end
    /// strategy's date and the start of any censoring event within its observation period.
    func cohortRowsStatement() -> SQLFragment {
        var ends: [SQLFragment] = []
        switch definition.endStrategy {
        case .observationPeriodEnd:
            ends.append("SELECT event_id, person_id, op_end_date AS end_date FROM \(raw: includedEvents)")
        case .customEra(let era):
            // As in Circe, the observation period end stays a candidate: it caps the era's end.
            ends.append("SELECT event_id, person_id, op_end_date AS end_date FROM \(raw: includedEvents)")
            ends.append(customEraEnds(era))
        case .dateOffset(let field, let offset):
            let column: SQLFragment = field == .startDate ? "start_date" : "end_date"
            ends.append(
                """
                SELECT event_id, person_id,
                  CASE WHEN \(dialect.addDays(column, offset)) > op_end_date THEN op_end_date
                    ELSE \(dialect.addDays(column, offset)) END AS end_date
                FROM \(raw: includedEvents)
                """)
        }
        for criterion in definition.censoringCriteria {
            ends.append(
                """
                SELECT I.event_id, I.person_id, MIN(C.start_date) AS end_date
                FROM \(raw: includedEvents) I
                JOIN (
                \(criterionQuery(criterion))
                ) C ON C.person_id = I.person_id
                  AND C.start_date >= I.start_date AND C.start_date <= I.op_end_date
                GROUP BY I.event_id, I.person_id
                """)
        }
        return """
            CREATE TEMPORARY TABLE \(raw: cohortRows) AS
            SELECT F.person_id, F.start_date, F.end_date
            FROM (
              SELECT I.event_id, I.person_id, I.start_date, CE.end_date,
                row_number() OVER (PARTITION BY I.person_id, I.event_id ORDER BY CE.end_date) AS ordinal
              FROM \(raw: includedEvents) I
              JOIN (
            \(SQLFragment.joined(ends, separator: "\nUNION ALL\n"))
              ) CE ON CE.event_id = I.event_id AND CE.person_id = I.person_id AND CE.end_date >= I.start_date
            ) F
            WHERE F.ordinal = 1
            """
    }

    /// Merges a person's periods that overlap or lie within `EraPad` days.
    func finalCohortStatement() -> SQLFragment {
        let pad = definition.collapseEraPad
        let padded: SQLFragment = """
            SELECT person_id, start_date, \(dialect.addDays("end_date", pad)) AS end_date
                  FROM \(raw: cohortRows)
            """
        return """
            CREATE TEMPORARY TABLE \(raw: finalCohort) AS
            SELECT V.person_id, V.start_date, \(dialect.addDays("V.end_date", -pad)) AS end_date
            FROM (
            \(merged(padded))
            ) V
            """
    }

    /// Merges the intervals (person_id, start_date, end_date) of `rows` that overlap or touch
    /// (start on or before an earlier end): a row opens a new interval unless an earlier row of
    /// the person (in start order) reaches its start; the running count of openings numbers them.
    func merged(_ rows: SQLFragment) -> SQLFragment {
        """
        SELECT N.person_id, MIN(N.start_date) AS start_date, MAX(N.end_date) AS end_date
        FROM (
          SELECT M.person_id, M.start_date, M.end_date,
            SUM(M.opens) OVER (
              PARTITION BY M.person_id ORDER BY M.start_date, M.end_date ROWS UNBOUNDED PRECEDING) AS era
          FROM (
            SELECT D.person_id, D.start_date, D.end_date,
              CASE WHEN D.start_date <= MAX(D.end_date) OVER (
                  PARTITION BY D.person_id ORDER BY D.start_date, D.end_date
                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                THEN 0 ELSE 1 END AS opens
            FROM (
              \(rows)
            ) D
          ) M
        ) N
        GROUP BY N.person_id, N.era
        """
    }

    /// Ends from a custom drug era: the person's exposures to the drug concept set (by standard
    /// or source concept) are merged when within `GapDays` (after extending each by `GapDays` +
    /// `Offset`); an event inside such an era ends at the era's end (last exposure end + `Offset`).
    func customEraEnds(_ era: EndStrategy.CustomEra) -> SQLFragment {
        let start: SQLFragment = "de.drug_exposure_start_date"
        let exposureEnd: SQLFragment
        if let days = era.daysSupplyOverride {
            exposureEnd = dialect.addDays(start, days)
        } else {
            exposureEnd = """
                COALESCE(de.drug_exposure_end_date, \(dialect.addDays(start, column: "de.days_supply")), \
                \(dialect.addDays(start, 1)))
                """
        }
        let inSet: SQLFragment =
            "SELECT concept_id FROM \(raw: codesets) WHERE codeset_id = \(dialect.integer(era.drugCodesetID))"
        let exposures: SQLFragment = """
            SELECT de.person_id, \(start) AS start_date,
                    \(dialect.addDays(exposureEnd, era.gapDays + era.offset)) AS end_date
                  FROM drug_exposure de
                  WHERE de.person_id IN (SELECT person_id FROM \(raw: includedEvents))
                    AND (de.drug_concept_id IN (\(inSet)) OR de.drug_source_concept_id IN (\(inSet)))
            """
        return """
            SELECT I.event_id, I.person_id, ERA.end_date
            FROM \(raw: includedEvents) I
            JOIN (
              SELECT G.person_id, G.start_date, \(dialect.addDays("G.end_date", -era.gapDays)) AS end_date
              FROM (
            \(merged(exposures))
              ) G
            ) ERA ON ERA.person_id = I.person_id
              AND I.start_date >= ERA.start_date AND I.start_date <= ERA.end_date
            """
    }

    func insertStatement(_ cohortDefinitionID: Int64) -> SQLFragment {
        let window = definition.censorWindow
        var start: SQLFragment = "F.start_date"
        var end: SQLFragment = "F.end_date"
        if let from = window.startDate {
            let bound = dialect.date(from)
            start = "CASE WHEN F.start_date > \(bound) THEN F.start_date ELSE \(bound) END"
        }
        if let to = window.endDate {
            let bound = dialect.date(to)
            end = "CASE WHEN F.end_date < \(bound) THEN F.end_date ELSE \(bound) END"
        }
        let filter: SQLFragment =
            window.startDate == nil && window.endDate == nil ? "" : "\nWHERE \(start) <= \(end)"
        return """
            INSERT INTO cohort (cohort_definition_id, subject_id, cohort_start_date, cohort_end_date)
            SELECT \(dialect.integer(cohortDefinitionID)), F.person_id, \(start), \(end)
            FROM \(raw: finalCohort) F\(filter)
            """
    }

    func maskQuery() -> SQLFragment {
        let mask: SQLFragment =
            dialect == .postgresql
            ? "CAST(COALESCE(SUM(DISTINCT \(dialect.bit("I.inclusion_rule_id"))), 0) AS BIGINT)"
            : "COALESCE(SUM(DISTINCT \(dialect.bit("I.inclusion_rule_id"))), 0)"
        return """
            SELECT B.mask, COUNT(*) AS persons
            FROM (
              SELECT M.person_id, M.mask,
                row_number() OVER (
                  PARTITION BY M.person_id ORDER BY M.rules_met DESC, M.start_date, M.event_id) AS best_rank
              FROM (
                SELECT Q.person_id, Q.event_id, Q.start_date, \(mask) AS mask,
                  COUNT(DISTINCT I.inclusion_rule_id) AS rules_met
                FROM \(raw: qualifiedEvents) Q
                LEFT JOIN \(raw: inclusionEvents) I ON I.person_id = Q.person_id AND I.event_id = Q.event_id
                GROUP BY Q.person_id, Q.event_id, Q.start_date
              ) M
            ) B
            WHERE B.best_rank = 1
            GROUP BY B.mask
            ORDER BY B.mask
            """
    }
}
