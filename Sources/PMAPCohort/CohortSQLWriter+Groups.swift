import PMAPModel

/// Criteria groups, correlated criteria and demographic criteria.
extension CohortSQLWriter {
    /// The (person_id, event_id) rows of `events` that satisfy `group`.
    func groupQuery(_ group: CriteriaGroup, events: SQLFragment) -> SQLFragment {
        guard !group.isEmpty else { return "SELECT person_id, event_id FROM \(events)" }
        var members: [SQLFragment] = []
        for criterion in group.criteria { members.append(correlatedQuery(criterion, events: events)) }
        for demographic in group.demographics {
            members.append(demographicQuery(demographic, events: events))
        }
        for nested in group.groups { members.append(groupQuery(nested, events: events)) }
        let union = SQLFragment.joined(
            members.enumerated().map { index, member in
                "SELECT \(raw: String(index)) AS member, G.person_id, G.event_id FROM (\n\(member)\n) G"
            }, separator: "\nUNION ALL\n")
        let having: SQLFragment
        switch group.kind {
        case .all: having = "= \(raw: String(group.memberCount))"
        case .any: having = "> 0"
        case .atLeast(let count): having = ">= \(dialect.integer(Int64(count)))"
        case .atMost(let count): having = "<= \(dialect.integer(Int64(count)))"
        }
        return """
            SELECT E.person_id, E.event_id
            FROM \(events) E
            LEFT JOIN (
            \(union)
            ) CQ ON CQ.person_id = E.person_id AND CQ.event_id = E.event_id
            GROUP BY E.person_id, E.event_id
            HAVING COUNT(CQ.member) \(having)
            """
    }

    /// The events of `events` with the required number of matching criterion events in the windows.
    func correlatedQuery(_ correlated: CorrelatedCriterion, events: SQLFragment) -> SQLFragment {
        let checkPeriod = !correlated.ignoreObservationPeriod
        var clauses: [SQLFragment] = []
        if checkPeriod { clauses.append("A.start_date >= X.op_start_date AND A.start_date <= X.op_end_date") }
        func bounds(_ window: Window, eventDate: String) {
            let index: SQLFragment = window.useIndexEnd ? "X.end_date" : "X.start_date"
            for (endpoint, op) in [(window.start, ">="), (window.end, "<=")] {
                if let days = endpoint.days {
                    clauses.append(
                        "\(raw: eventDate) \(raw: op) \(dialect.addDays(index, days * endpoint.coeff))")
                } else if checkPeriod {
                    let bound = endpoint.coeff == -1 ? "X.op_start_date" : "X.op_end_date"
                    clauses.append("\(raw: eventDate) \(raw: op) \(raw: bound)")
                }
            }
        }
        bounds(
            correlated.startWindow,
            eventDate: correlated.startWindow.useEventEnd == true ? "A.end_date" : "A.start_date")
        if let endWindow = correlated.endWindow {
            bounds(endWindow, eventDate: endWindow.useEventEnd == false ? "A.start_date" : "A.end_date")
        }
        if correlated.restrictVisit { clauses.append("A.visit_occurrence_id = X.visit_occurrence_id") }
        let occurrence = correlated.occurrence
        // Circe counts events, or with IsDistinct the distinct values of CountColumn (NULLs not counted).
        let countedValue =
            occurrence.isDistinct ? correlated.criterion.domain.countedValue(occurrence.countColumn) : nil
        let counted = countedValue == nil ? "cc.event_id" : "DISTINCT cc.count_value"
        let op: String
        switch occurrence.kind {
        case .exactly: op = "="
        case .atMost: op = "<="
        case .atLeast: op = ">="
        }
        let window =
            clauses.isEmpty
            ? SQLFragment.empty : "\n    AND \(SQLFragment.joined(clauses, separator: "\n    AND "))"
        return """
            SELECT Y.person_id, Y.event_id
            FROM \(events) Y
            LEFT JOIN (
              SELECT X.person_id, X.event_id\(raw: countedValue == nil ? "" : ", A.count_value")
              FROM \(events) X
              JOIN \(raw: materialize(criterionQuery(correlated.criterion, counting: countedValue))) A
                ON A.person_id = X.person_id\(window)
            ) cc ON cc.person_id = Y.person_id AND cc.event_id = Y.event_id
            GROUP BY Y.person_id, Y.event_id
            HAVING COUNT(\(raw: counted)) \(raw: op) \(dialect.integer(Int64(occurrence.count)))
            """
    }

    func demographicQuery(_ demographic: DemographicCriterion, events: SQLFragment) -> SQLFragment {
        var clauses: [SQLFragment] = []
        if let age = demographic.age {
            clauses.append(numeric("\(dialect.year("E.start_date")) - P.year_of_birth", age, integral: true))
        }
        for filter in demographic.conceptFilters { clauses.append(conceptClause(filter)) }
        if let range = demographic.startDate { clauses.append(dateClause("E.start_date", range)) }
        if let range = demographic.endDate { clauses.append(dateClause("E.end_date", range)) }
        let filter =
            clauses.isEmpty ? SQLFragment.empty : "\nWHERE \(SQLFragment.joined(clauses, separator: " AND "))"
        return """
            SELECT E.person_id, E.event_id
            FROM \(events) E
            JOIN person P ON P.person_id = E.person_id\(filter)
            """
    }
}
