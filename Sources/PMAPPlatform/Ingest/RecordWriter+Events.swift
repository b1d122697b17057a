import Foundation
import PMAPIngest
import PMAPStore

extension RecordWriter {
    /// The CDM table of a domain (OMOP's rule: the standard concept's domain decides), or of
    /// the resource type when the code maps to no standard concept.
    static func table(domain: String?, resourceType: String, hasNumber: Bool) -> String {
        switch domain {
        case "Condition": return "condition_occurrence"
        case "Drug": return "drug_exposure"
        case "Procedure": return "procedure_occurrence"
        case "Measurement", "Meas Value": return "measurement"
        case "Observation": return "observation"
        case "Device": return "device_exposure"
        default: break
        }
        switch resourceType {
        case "Condition": return "condition_occurrence"
        case "Procedure": return "procedure_occurrence"
        case "Observation": return hasNumber ? "measurement" : "observation"
        case "AllergyIntolerance": return "observation"
        default: return "drug_exposure"
        }
    }

    func writeEvent(_ fact: EventFact, file: String, location: String, _ writer: any StoreWriter) throws {
        guard let person = try person(fact.patientReference, writer) else {
            throw RecordProblem(
                .danglingReference,
                "\(fact.resourceType) subject points at a patient not loaded from this source")
        }
        let visit = try visit(fact.encounterReference, writer)
        let (concept, coding) = try resolve(fact.codings, writer)
        let table = Self.table(
            domain: concept.domainID, resourceType: fact.resourceType, hasNumber: fact.valueNumber != nil)
        let source = String(coding.code.prefix(50))
        let valueConcept = try fact.valueCoding.flatMap { try resolve($0, writer)?.standardConceptID } ?? nil
        let visitValue = visit.map(SQLValue.integer) ?? .null
        let standard = SQLValue.integer(concept.standardConceptID)
        let sourceConcept = SQLValue.integer(concept.sourceConceptID)
        var columns: [String]
        var values: [SQLValue]
        switch table {
        case "condition_occurrence":
            columns = [
                "condition_occurrence_id", "person_id", "condition_concept_id", "condition_start_date",
                "condition_end_date",
                "condition_type_concept_id", "visit_occurrence_id", "condition_source_value",
                "condition_source_concept_id",
            ]
            values = [
                .integer(try nextID(table, "condition_occurrence_id", writer)), .integer(person), standard,
                .text(fact.start),
                fact.end.map(SQLValue.text) ?? .null, .integer(32817), visitValue, .text(source),
                sourceConcept,
            ]
        case "drug_exposure":
            let end =
                fact.end ?? fact.daysSupply.flatMap { days in
                    Day(iso: fact.start).map { ($0 + max(days - 1, 0)).iso }
                } ?? fact.start
            columns = [
                "drug_exposure_id", "person_id", "drug_concept_id", "drug_exposure_start_date",
                "drug_exposure_end_date",
                "drug_type_concept_id", "quantity", "days_supply", "visit_occurrence_id", "drug_source_value",
                "drug_source_concept_id",
            ]
            values = [
                .integer(try nextID(table, "drug_exposure_id", writer)), .integer(person), standard,
                .text(fact.start), .text(end),
                .integer(fact.resourceType == "MedicationRequest" ? 32838 : 32817),
                fact.quantity.map(SQLValue.real) ?? .null,
                fact.daysSupply.map { .integer(Int64($0)) } ?? .null, visitValue, .text(source),
                sourceConcept,
            ]
        case "procedure_occurrence":
            columns = [
                "procedure_occurrence_id", "person_id", "procedure_concept_id", "procedure_date",
                "procedure_end_date",
                "procedure_type_concept_id", "visit_occurrence_id", "procedure_source_value",
                "procedure_source_concept_id",
            ]
            values = [
                .integer(try nextID(table, "procedure_occurrence_id", writer)), .integer(person), standard,
                .text(fact.start),
                fact.end.map(SQLValue.text) ?? .null, .integer(32817), visitValue, .text(source),
                sourceConcept,
            ]
        case "measurement":
            let unit = try fact.unit.flatMap {
                try resolve(SourceCoding(system: "http://unitsofmeasure.org", code: $0), writer)
            }
            columns = [
                "measurement_id", "person_id", "measurement_concept_id", "measurement_date",
                "measurement_type_concept_id",
                "value_as_number", "value_as_concept_id", "unit_concept_id", "range_low", "range_high",
                "visit_occurrence_id",
                "measurement_source_value", "measurement_source_concept_id", "unit_source_value",
                "value_source_value",
            ]
            values = [
                .integer(try nextID(table, "measurement_id", writer)), .integer(person), standard,
                .text(fact.start),
                .integer(32817), fact.valueNumber.map(SQLValue.real) ?? .null,
                valueConcept.map(SQLValue.integer) ?? .null,
                .integer(unit?.standardConceptID ?? 0), fact.rangeLow.map(SQLValue.real) ?? .null,
                fact.rangeHigh.map(SQLValue.real) ?? .null, visitValue, .text(source), sourceConcept,
                fact.unit.map { .text(String($0.prefix(50))) } ?? .null,
                // The coded or text value as sent, else the source's abnormal flag (OBX-8).
                (fact.valueCoding?.code ?? fact.valueText ?? fact.interpretation).map {
                    .text(String($0.prefix(50)))
                }
                    ?? .null,
            ]
        case "device_exposure":
            columns = [
                "device_exposure_id", "person_id", "device_concept_id", "device_exposure_start_date",
                "device_type_concept_id",
                "visit_occurrence_id", "device_source_value", "device_source_concept_id",
            ]
            values = [
                .integer(try nextID(table, "device_exposure_id", writer)), .integer(person), standard,
                .text(fact.start),
                .integer(32817), visitValue, .text(source), sourceConcept,
            ]
        default:
            columns = [
                "observation_id", "person_id", "observation_concept_id", "observation_date",
                "observation_type_concept_id",
                "value_as_number", "value_as_string", "value_as_concept_id", "visit_occurrence_id",
                "observation_source_value",
                "observation_source_concept_id",
            ]
            values = [
                .integer(try nextID("observation", "observation_id", writer)), .integer(person), standard,
                .text(fact.start),
                .integer(32817), fact.valueNumber.map(SQLValue.real) ?? .null,
                fact.valueText.map(SQLValue.text) ?? .null,
                valueConcept.map(SQLValue.integer) ?? .null, visitValue, .text(source), sourceConcept,
            ]
        }
        // A new id every time (an updated record's old rows were deleted first): queue it.
        queue(table, columns, values, record: fact.sourceKey)
        touch(person)
    }
}
