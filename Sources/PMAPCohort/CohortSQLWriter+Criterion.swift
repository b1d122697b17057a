import PMAPModel

/// Domain criteria: the rows of one CDM table with their attributes applied.
extension CohortSQLWriter {
    /// Rows (person_id, event_id, start_date, end_date, concept_id, visit_occurrence_id) of one
    /// domain criterion, plus `count_value` when `counting` names a value for distinct counts.
    func criterionQuery(_ criterion: Criterion, counting: CountedValue? = nil) -> SQLFragment {
        let domain = criterion.domain
        let layout = domain.layout
        let alias = layout.alias
        func column(_ name: String) -> SQLFragment { "\(raw: alias).\(raw: name)" }
        let start = column(layout.start)
        let end = endExpression(layout)
        let concept = column(layout.concept)
        var select: [SQLFragment] = [
            "\(raw: alias).person_id", "\(column(layout.id)) AS event_id",
            domain == .death || domain == .genomicVariant
                ? "COALESCE(\(concept), 0) AS concept_id" : "\(concept) AS concept_id",
        ]
        if let adjustment = criterion.dateAdjustment {
            // Circe moves the dates first: every date filter, age and length sees the moved dates.
            let startAnchor = adjustment.startWith == .startDate ? start : end
            let endAnchor = adjustment.endWith == .startDate ? start : end
            select.append("\(dialect.addDays(startAnchor, adjustment.startOffset)) AS start_date")
            select.append("\(dialect.addDays(endAnchor, adjustment.endOffset)) AS end_date")
        } else {
            select.append("\(start) AS start_date")
            select.append("\(end) AS end_date")
        }
        if let visit = layout.visit {
            select.append("\(column(visit)) AS visit_occurrence_id")
        } else {
            select.append("CAST(NULL AS BIGINT) AS visit_occurrence_id")
        }
        for name in Self.ownColumns(criterion, counting: counting) { select.append(column(name)) }
        if criterion.first {
            select.append(
                """
                row_number() OVER (
                      PARTITION BY \(raw: alias).person_id
                      ORDER BY \(start), \(column(layout.id))
                    ) AS ordinal
                """)
        }
        // Concept sets filter before `First` counts; every other attribute after.
        var inSets: [SQLFragment] = []
        if let codesetID = criterion.codesetID {
            inSets.append("\(concept) IN (\n    \(codesetMembers(codesetID)))")
        }
        if let codesetID = criterion.sourceCodesetID, let source = layout.source {
            inSets.append("\(column(source)) IN (\n    \(codesetMembers(codesetID)))")
        }
        let codeset: SQLFragment =
            inSets.isEmpty ? .empty : "\n  WHERE \(SQLFragment.joined(inSets, separator: "\n    AND "))"
        let period = criterion.userDefinedPeriod
        let outputStart: SQLFragment = period?.startDate.map { dialect.date($0) } ?? "C.start_date"
        let outputEnd: SQLFragment = period?.endDate.map { dialect.date($0) } ?? "C.end_date"
        var output: SQLFragment = """
            SELECT C.person_id, C.event_id, \(named(outputStart, "start_date")), \(named(outputEnd, "end_date")), C.concept_id,
              C.visit_occurrence_id
            """
        if let counting {
            output =
                "\(output), \(countExpression(counting, start: outputStart, end: outputEnd)) AS count_value"
        }
        let clauses = whereClauses(criterion)
        let filter: SQLFragment =
            clauses.isEmpty ? .empty : "\nWHERE \(SQLFragment.joined(clauses, separator: "\n  AND "))"
        let rows: SQLFragment = """
            \(output)
            FROM (
              SELECT \(SQLFragment.joined(select, separator: ",\n    "))
              FROM \(raw: domain.table) \(raw: alias)\(codeset)
            ) C\(joins(criterion))\(filter)
            """
        guard let group = criterion.correlatedCriteria, !group.isEmpty else { return rows }
        // Nested correlated criteria: the rows (in an observation period) are index events of
        // their own group, and only those satisfying it remain.
        let rowsTable = materialize(rows)
        let events = materialize(
            """
            SELECT Q.person_id, Q.event_id, Q.start_date, Q.end_date, Q.concept_id, Q.visit_occurrence_id,
              OP.observation_period_start_date AS op_start_date,
              OP.observation_period_end_date AS op_end_date
            FROM \(raw: rowsTable) Q
            JOIN observation_period OP ON OP.person_id = Q.person_id
              AND OP.observation_period_start_date <= Q.start_date
              AND OP.observation_period_end_date >= Q.start_date
            """)
        let counted = counting == nil ? "" : ", PE.count_value"
        return """
            SELECT PE.person_id, PE.event_id, PE.start_date, PE.end_date, PE.concept_id,
              PE.visit_occurrence_id\(raw: counted)
            FROM \(raw: rowsTable) PE
            JOIN (
            \(groupQuery(group, events: "\(raw: events)"))
            ) NC ON NC.person_id = PE.person_id AND NC.event_id = PE.event_id
            """
    }

    /// `expression AS name`, or the column alone when it already has the name.
    func named(_ expression: SQLFragment, _ name: String) -> SQLFragment {
        expression.text == "C.\(name)" ? expression : "\(expression) AS \(raw: name)"
    }

    /// The members of a concept set, for `IN (...)`.
    func codesetMembers(_ codesetID: Int64) -> SQLFragment {
        "SELECT concept_id FROM \(raw: codesets) WHERE codeset_id = \(dialect.integer(codesetID))"
    }

    /// The row's end date before any adjustment.
    func endExpression(_ layout: DomainLayout) -> SQLFragment {
        let start: SQLFragment = "\(raw: layout.alias).\(raw: layout.start)"
        switch layout.end {
        case .column(let name): return "\(raw: layout.alias).\(raw: name)"
        case .columnOrNextDay(let name):
            return "COALESCE(\(raw: layout.alias).\(raw: name), \(dialect.addDays(start, 1)))"
        case .nextDay: return dialect.addDays(start, 1)
        case .drugExposure:
            let supplied = dialect.addDays(start, column: "\(layout.alias).days_supply")
            return
                "COALESCE(\(raw: layout.alias).drug_exposure_end_date, \(supplied), \(dialect.addDays(start, 1)))"
        }
    }

    /// Columns of the domain's table the filters and the count read, each once, in a stable order.
    static func ownColumns(_ criterion: Criterion, counting: CountedValue?) -> [String] {
        var names: [String] = []
        func add(_ name: String) { if !names.contains(name) { names.append(name) } }
        for filter in criterion.conceptFilters {
            switch filter.column {
            case .own(let name): add(name)
            case .providerSpecialty: add("provider_id")
            case .placeOfService: add("care_site_id")
            case .person, .visitConcept: break
            }
        }
        for filter in criterion.textFilters { add(filter.column) }
        for filter in criterion.textSetFilters { add(filter.column) }
        for filter in criterion.numericFilters {
            switch filter.value {
            case .column(let name): add(name)
            case .ratio(let name, let denominator):
                add(name)
                add(denominator)
            }
        }
        if criterion.abnormal {
            for name in ["value_as_number", "range_low", "range_high", "value_as_concept_id"] { add(name) }
        }
        if case .column(let name) = counting { add(name) }
        return names
    }

    /// The joins to the person, visit, provider and care site the attributes read.
    func joins(_ criterion: Criterion) -> SQLFragment {
        let columns = criterion.conceptFilters.map(\.column)
        var joins = ""
        let readsPerson = criterion.tablesRead.contains("person")
        if readsPerson { joins += "\nJOIN person P ON P.person_id = C.person_id" }
        if columns.contains(.visitConcept) {
            joins +=
                "\nJOIN visit_occurrence V ON V.visit_occurrence_id = C.visit_occurrence_id"
                + " AND V.person_id = C.person_id"
        }
        if columns.contains(.providerSpecialty) {
            joins += "\nLEFT JOIN provider PR ON PR.provider_id = C.provider_id"
        }
        if columns.contains(.placeOfService) {
            joins += "\nJOIN care_site CSITE ON CSITE.care_site_id = C.care_site_id"
        }
        return "\(raw: joins)"
    }

    /// The attribute filters on the rows `C` (after the concept sets and `First`).
    func whereClauses(_ criterion: Criterion) -> [SQLFragment] {
        var clauses: [SQLFragment] = []
        if criterion.first { clauses.append("C.ordinal = 1") }
        if criterion.dateAdjustment != nil { clauses.append("C.end_date >= C.start_date") }
        if let range = criterion.startDate { clauses.append(dateClause("C.start_date", range)) }
        if let range = criterion.endDate { clauses.append(dateClause("C.end_date", range)) }
        if let period = criterion.userDefinedPeriod {
            for day in [period.startDate, period.endDate].compactMap({ $0 }) {
                clauses.append("C.start_date <= \(dialect.date(day)) AND C.end_date >= \(dialect.date(day))")
            }
        }
        if let range = criterion.ageAtStart {
            clauses.append(
                numeric("\(dialect.year("C.start_date")) - P.year_of_birth", range, integral: true))
        }
        if let range = criterion.ageAtEnd {
            clauses.append(numeric("\(dialect.year("C.end_date")) - P.year_of_birth", range, integral: true))
        }
        if let range = criterion.length {
            clauses.append(numeric(dialect.daysBetween("C.start_date", "C.end_date"), range, integral: true))
        }
        for filter in criterion.conceptFilters { clauses.append(conceptClause(filter)) }
        for filter in criterion.textFilters {
            let test = dialect.matches("C.\(raw: filter.column)", pattern: Self.likePattern(filter))
            clauses.append(filter.negated ? "NOT (\(test))" : test)
        }
        for filter in criterion.textSetFilters {
            let values = SQLFragment.joined(
                filter.values.map { SQLFragment(text: "?", arguments: [.text($0.lowercased())]) },
                separator: ", ")
            clauses.append("LOWER(C.\(raw: filter.column)) IN (\(values))")
        }
        for filter in criterion.numericFilters {
            let value: SQLFragment
            switch filter.value {
            case .column(let name): value = "C.\(raw: name)"
            case .ratio(let name, let denominator):
                value = "(C.\(raw: name) / NULLIF(C.\(raw: denominator), 0))"
            }
            clauses.append(numeric(value, filter.range, integral: filter.integral))
        }
        if criterion.abnormal {
            // 4155142 / 4155143: SNOMED "Above / Below reference range", Circe's abnormal values.
            clauses.append(
                """
                (C.value_as_number < C.range_low OR C.value_as_number > C.range_high
                    OR C.value_as_concept_id IN (\(list([4_155_142, 4_155_143]))))
                """)
        }
        return clauses
    }

    /// A concept attribute's test on its column.
    func conceptClause(_ filter: ConceptFilter) -> SQLFragment {
        let column: SQLFragment
        switch filter.column {
        case .own(let name): column = "C.\(raw: name)"
        case .person(let name): column = "P.\(raw: name)"
        case .providerSpecialty: column = "PR.specialty_concept_id"
        case .visitConcept: column = "V.visit_concept_id"
        case .placeOfService: column = "CSITE.place_of_service_concept_id"
        }
        switch filter.selection {
        case .concepts(let ids, let excluded):
            return "\(column) \(raw: excluded ? "NOT IN" : "IN") (\(list(ids)))"
        case .conceptSet(let id?, let excluded):
            return "\(column) \(raw: excluded ? "NOT IN" : "IN") (\(codesetMembers(id)))"
        case .conceptSet(nil, let excluded):
            return "\(column) IS \(raw: excluded ? "" : "NOT ")NULL"
        }
    }

    /// The LIKE pattern of a text filter: the text with `\`, `%` and `_` escaped, `%` around it
    /// as the match asks.
    static func likePattern(_ filter: TextFilter) -> String {
        var escaped = ""
        for character in filter.text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        switch filter.match {
        case .exact: return escaped
        case .startsWith: return escaped + "%"
        case .endsWith: return "%" + escaped
        case .contains: return "%" + escaped + "%"
        }
    }

    /// The value a distinct occurrence count counts, on the rows `C`.
    func countExpression(_ value: CountedValue, start: SQLFragment, end: SQLFragment) -> SQLFragment {
        switch value {
        case .conceptID: return "C.concept_id"
        case .startDate: return start
        case .endDate: return end
        case .duration: return dialect.daysBetween(start, end)
        case .visitOccurrenceID: return "C.visit_occurrence_id"
        case .column(let name): return "C.\(raw: name)"
        }
    }

    // MARK: value clauses

    func list(_ ids: [Int64]) -> SQLFragment {
        SQLFragment.joined(ids.map { dialect.integer($0) }, separator: ", ")
    }

    func numeric(_ expression: SQLFragment, _ range: NumericRange, integral: Bool) -> SQLFragment {
        func bound(_ value: Double) -> SQLFragment {
            integral ? dialect.integer(Int64(value)) : dialect.number(value)
        }
        switch range.op {
        case .between, .notBetween:
            let low = bound(range.value)
            let high = bound(range.extent ?? range.value)
            let test: SQLFragment = "(\(expression) >= \(low) AND \(expression) <= \(high))"
            return range.op == .between ? test : "NOT \(test)"
        default:
            return "\(expression) \(raw: Self.sqlOperator(range.op)) \(bound(range.value))"
        }
    }

    func dateClause(_ expression: SQLFragment, _ range: DateRange) -> SQLFragment {
        switch range.op {
        case .between, .notBetween:
            let low = dialect.date(range.value)
            let high = dialect.date(range.extent ?? range.value)
            let test: SQLFragment = "(\(expression) >= \(low) AND \(expression) <= \(high))"
            return range.op == .between ? test : "NOT \(test)"
        default:
            return "\(expression) \(raw: Self.sqlOperator(range.op)) \(dialect.date(range.value))"
        }
    }

    static func sqlOperator(_ op: RangeOperator) -> String {
        switch op {
        case .lessThan: return "<"
        case .lessOrEqual: return "<="
        case .equal: return "="
        case .notEqual: return "<>"
        case .greaterThan: return ">"
        case .greaterOrEqual, .between, .notBetween: return ">="
        }
    }
}
