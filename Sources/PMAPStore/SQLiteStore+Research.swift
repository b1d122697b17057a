import GRDB
import PMAPGovernance
import PMAPModel

extension SQLiteStore {
    public func persons(with concept: Int64, in table: ClinicalTable, authorization: Authorization)
        async throws -> [Int64]
    {
        guard authorization.domains.contains(table.domain) else {
            throw PMAPError(
                .failure, "an authorization for other domains reached the store; this is a bug in PMAP")
        }
        return try await read { db in
            // The concept and its descendants; persons who opted out of research never count.
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT e.person_id FROM \(SQLiteSchema.quoted(table.name)) e
                    WHERE (e.\(SQLiteSchema.quoted(table.conceptColumn)) = ?1 OR e.\(SQLiteSchema.quoted(table.conceptColumn)) IN
                        (SELECT descendant_concept_id FROM concept_ancestor WHERE ancestor_concept_id = ?1))
                    AND e.person_id IN (SELECT person_id FROM person)
                    AND NOT EXISTS (SELECT 1 FROM pmap_consent c WHERE c.person_id = e.person_id AND c.research_opt_out = 1)
                    ORDER BY e.person_id
                    """, arguments: [concept])
        }
    }
}

/// The CDM event tables research queries read, with their concept column and governed domain.
public enum ClinicalTable: String, Sendable, CaseIterable {
    case conditionOccurrence = "condition_occurrence"
    case drugExposure = "drug_exposure"
    case procedureOccurrence = "procedure_occurrence"
    case measurement
    case observation
    case deviceExposure = "device_exposure"

    public var name: String { rawValue }

    public var conceptColumn: String {
        switch self {
        case .conditionOccurrence: "condition_concept_id"
        case .drugExposure: "drug_concept_id"
        case .procedureOccurrence: "procedure_concept_id"
        case .measurement: "measurement_concept_id"
        case .observation: "observation_concept_id"
        case .deviceExposure: "device_concept_id"
        }
    }

    public var domain: DataDomain {
        switch self {
        case .conditionOccurrence: .conditions
        case .drugExposure: .drugs
        case .procedureOccurrence: .procedures
        case .measurement: .measurements
        case .observation: .observations
        case .deviceExposure: .device
        }
    }

    /// The table of a concept's domain (OMOP's rule), nil for domains without events.
    public init?(conceptDomain: String) {
        switch conceptDomain {
        case "Condition": self = .conditionOccurrence
        case "Drug": self = .drugExposure
        case "Procedure": self = .procedureOccurrence
        case "Measurement": self = .measurement
        case "Observation": self = .observation
        case "Device": self = .deviceExposure
        default: return nil
        }
    }
}
