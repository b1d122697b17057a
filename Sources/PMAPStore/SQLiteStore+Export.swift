import Foundation
import GRDB
import PMAPGovernance
import PMAPModel

/// The patient-level tables an extract may contain, with the columns it takes (never free text
/// such as value_as_string, never source values that may hold identifiers).
public enum ExtractTable: String, Sendable, CaseIterable {
    case person
    case conditionOccurrence = "condition_occurrence"
    case drugExposure = "drug_exposure"
    case procedureOccurrence = "procedure_occurrence"
    case measurement, observation
    case deviceExposure = "device_exposure"
    case genomicVariant = "pmap_genomic_variant"

    /// The governed domain (nil: demographics, part of every extract).
    public var domain: DataDomain? {
        switch self {
        case .person: nil
        case .conditionOccurrence: .conditions
        case .drugExposure: .drugs
        case .procedureOccurrence: .procedures
        case .measurement: .measurements
        case .observation: .observations
        case .deviceExposure: .device
        case .genomicVariant: .genomics
        }
    }

    /// Columns after person_id; date columns end in `_date`.
    public var columns: [String] {
        switch self {
        case .person:
            [
                "gender_concept_id", "year_of_birth", "month_of_birth", "race_concept_id",
                "ethnicity_concept_id",
            ]
        case .conditionOccurrence:
            [
                "condition_concept_id", "condition_start_date", "condition_end_date",
                "condition_type_concept_id",
            ]
        case .drugExposure:
            [
                "drug_concept_id", "drug_exposure_start_date", "drug_exposure_end_date", "days_supply",
                "quantity",
            ]
        case .procedureOccurrence: ["procedure_concept_id", "procedure_date"]
        case .measurement:
            [
                "measurement_concept_id", "measurement_date", "value_as_number", "unit_concept_id",
                "range_low", "range_high",
            ]
        case .observation:
            ["observation_concept_id", "observation_date", "value_as_number", "value_as_concept_id"]
        case .deviceExposure: ["device_concept_id", "device_exposure_start_date"]
        case .genomicVariant:
            [
                "variant_date", "genome_build", "chromosome", "position", "reference_allele",
                "alternate_allele",
                "gene_symbol", "hgvs_c", "hgvs_p", "zygosity", "allele_fraction", "clinical_significance",
            ]
        }
    }
}

/// One exported row: the person, their year of birth (for age rules), ZIP3 (person rows), values.
public struct ExtractRow: Sendable {
    public let personID: Int64
    public let yearOfBirth: Int?
    public let zip: String?
    public let values: [SQLValue]
}

extension SQLiteStore {
    /// Streams a table's rows for the consented persons of the population (a cohort's subjects,
    /// or everyone), in person order. The authorization must cover the table's domain.
    public func extractRows(
        _ table: ExtractTable, cohortID: Int64?, authorization: Authorization,
        _ body: @escaping @Sendable (ExtractRow) throws -> Void
    ) async throws -> Int {
        if let domain = table.domain, !authorization.domains.contains(domain) {
            throw PMAPError(
                .failure,
                "an authorization without \(domain.rawValue) reached the extract; this is a bug in PMAP")
        }
        let columns = table.columns.map { "t.\(SQLiteSchema.quoted($0))" }.joined(separator: ", ")
        let population =
            cohortID == nil
            ? "SELECT person_id FROM person"
            : "SELECT subject_id FROM cohort WHERE cohort_definition_id = ?"
        let sql = """
            SELECT t.person_id, p.year_of_birth, l.zip, \(columns) FROM \(SQLiteSchema.quoted(table.rawValue)) t
            JOIN person p ON p.person_id = t.person_id LEFT JOIN location l ON l.location_id = p.location_id
            WHERE t.person_id IN (\(population))
            AND NOT EXISTS (SELECT 1 FROM pmap_consent c WHERE c.person_id = t.person_id AND c.research_opt_out = 1)
            ORDER BY t.person_id
            """
        let arguments: StatementArguments = cohortID.map { [$0] } ?? []
        let width = table.columns.count
        return try await read { db in
            var count = 0
            let cursor = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try cursor.next() {
                let values: [SQLValue] = (0..<width).map { index in
                    switch (row[3 + index] as DatabaseValue).storage {
                    case .int64(let number): .integer(number)
                    case .double(let number): .real(number)
                    case .string(let text): .text(text)
                    case .null, .blob: .null
                    }
                }
                try body(ExtractRow(personID: row[0], yearOfBirth: row[1], zip: row[2], values: values))
                count += 1
            }
            return count
        }
    }
}
