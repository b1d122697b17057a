import Foundation
import PMAPCohort
import PMAPModel

/// One attribute checked on two persons: person 1's row has a value the attribute keeps, person
/// 2's a value it drops; both rows are otherwise the same event (concept 100 on 2020-03-01).
struct AttributeCase: Sendable, CustomStringConvertible {
    let name: String
    /// The criterion type, e.g. `ConditionOccurrence`.
    let domain: String
    /// Attributes added after `"CodesetId": 0` (or alone for the period types), as JSON members.
    let attributes: String
    /// Column values of the kept row (person 1) and of the dropped row (person 2), overriding the
    /// table's base row.
    let kept: [String: SQLValue]
    let dropped: [String: SQLValue]
    /// Statements run first (visits, providers, care sites, person changes).
    var setup: [String] = []
    /// The kept cohort row's start and end (the event start and the observation period end).
    var start = "2020-03-01"
    var end = "2020-12-31"

    var description: String { name }
}

/// The base rows of the tables the attribute cases use, and how to run one case.
enum CirceAttributeFixture {
    typealias J = DefinitionJSON
    static let eventConcept: Int64 = 100
    /// Concept set 0: the event concept; 1: concept 7 (the attribute value kept); 2: concept 8.
    static let conceptSets = [
        J.conceptSet(0, concepts: [eventConcept]), J.conceptSet(1, concepts: [7]),
        J.conceptSet(2, concepts: [8]),
    ]

    /// Column → value of a table's row for `person` (the row id is the person id).
    static func baseRow(_ table: String, person: Int64) -> [String: SQLValue] {
        let id = SQLValue.integer(person)
        let day: SQLValue = "2020-03-01"
        switch table {
        case "condition_occurrence":
            return [
                "condition_occurrence_id": id, "person_id": id, "condition_concept_id": 100,
                "condition_start_date": day, "condition_type_concept_id": 32817,
            ]
        case "drug_exposure":
            return [
                "drug_exposure_id": id, "person_id": id, "drug_concept_id": 100,
                "drug_exposure_start_date": day,
                "drug_exposure_end_date": "2020-03-10", "drug_type_concept_id": 32838,
            ]
        case "device_exposure":
            return [
                "device_exposure_id": id, "person_id": id, "device_concept_id": 100,
                "device_exposure_start_date": day, "device_type_concept_id": 32817,
            ]
        case "specimen":
            return [
                "specimen_id": id, "person_id": id, "specimen_concept_id": 100, "specimen_date": day,
                "specimen_type_concept_id": 32817,
            ]
        case "measurement":
            return [
                "measurement_id": id, "person_id": id, "measurement_concept_id": 100, "measurement_date": day,
                "measurement_type_concept_id": 32817,
            ]
        case "observation":
            return [
                "observation_id": id, "person_id": id, "observation_concept_id": 100, "observation_date": day,
                "observation_type_concept_id": 32817,
            ]
        case "procedure_occurrence":
            return [
                "procedure_occurrence_id": id, "person_id": id, "procedure_concept_id": 100,
                "procedure_date": day, "procedure_type_concept_id": 32817,
            ]
        case "visit_occurrence":
            return [
                "visit_occurrence_id": id, "person_id": id, "visit_concept_id": 100, "visit_start_date": day,
                "visit_end_date": "2020-03-03", "visit_type_concept_id": 32817,
            ]
        case "visit_detail":
            return [
                "visit_detail_id": id, "person_id": id, "visit_detail_concept_id": 100,
                "visit_detail_start_date": day, "visit_detail_end_date": "2020-03-03",
                "visit_detail_type_concept_id": 32817, "visit_occurrence_id": id,
            ]
        case "dose_era":
            return [
                "dose_era_id": id, "person_id": id, "drug_concept_id": 100, "unit_concept_id": 8576,
                "dose_value": .real(5), "dose_era_start_date": day, "dose_era_end_date": "2020-03-31",
            ]
        case "drug_era":
            return [
                "drug_era_id": id, "person_id": id, "drug_concept_id": 100, "drug_era_start_date": day,
                "drug_era_end_date": "2020-03-31", "drug_exposure_count": 2, "gap_days": 0,
            ]
        case "condition_era":
            return [
                "condition_era_id": id, "person_id": id, "condition_concept_id": 100,
                "condition_era_start_date": day, "condition_era_end_date": "2020-03-31",
                "condition_occurrence_count": 1,
            ]
        case "death":
            return [
                "person_id": id, "death_date": day, "death_type_concept_id": 32817, "cause_concept_id": 100,
            ]
        case "payer_plan_period":
            return [
                "payer_plan_period_id": id, "person_id": id, "payer_plan_period_start_date": day,
                "payer_plan_period_end_date": "2020-06-30", "payer_concept_id": 100,
            ]
        default:
            fatalError("no base row for \(table)")
        }
    }

    static func table(of domain: String) -> String {
        guard let criterion = CriterionDomain(rawValue: domain) else {
            fatalError("unknown domain \(domain)")
        }
        return criterion.table
    }

    /// The definition whose only primary criterion is the case's criterion.
    static func definition(_ domain: String, _ attributes: String) throws -> CohortDefinition {
        try J.parse(json(domain, attributes))
    }

    /// The Circe JSON of ``definition(_:_:)``.
    static func json(_ domain: String, _ attributes: String) -> String {
        let period = domain == "ObservationPeriod" || domain == "PayerPlanPeriod"
        let members = [period ? "" : "\"CodesetId\": 0", attributes].filter { !$0.isEmpty }
        return J.definition(
            conceptSets: conceptSets, primary: ["{\"\(domain)\": {\(members.joined(separator: ", "))}}"])
    }

    /// Persons 1 and 2 (male, born 1970, race 8527, ethnicity 38003564) observed through 2020,
    /// the case's rows, and the cohort it produces.
    static func run(_ testCase: AttributeCase) async throws -> [CohortRow] {
        let store = try TestStore()
        try await store.persons([(1, 8507, 1970), (2, 8507, 1970)])
        try await store.periods([(1, "2020-01-01", "2020-12-31"), (2, "2020-01-01", "2020-12-31")])
        for statement in testCase.setup { try await store.execute(statement) }
        let table = table(of: testCase.domain)
        for (person, values) in [(Int64(1), testCase.kept), (2, testCase.dropped)] {
            let row = baseRow(table, person: person).merging(values) { _, new in new }
            let columns = row.keys.sorted()
            try await store.insert(table, columns, [columns.map { row[$0]! }])
        }
        return try await store.run(definition(testCase.domain, testCase.attributes)).rows
    }
}
