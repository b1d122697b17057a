/// FHIR R4 Bulk Data NDJSON: one file per resource type, one resource per line, references
/// (`Patient/…`, `Encounter/…`, `Organization/…`) resolvable across the files.
final class FHIRRenderer: SynthRenderer {
    static let mrnSystem = SyntheticPopulation.mrnSystem
    static let organizationID = "pmap-synthetic-hospital"
    private let sink: SynthSink
    private let lastUpdated = PlantedTruth.dataEnd.iso + "T23:00:00Z"

    init(sink: SynthSink) throws {
        self.sink = sink
        try sink.stream("fhir/Organization.ndjson").write(
            #"{"resourceType":"Organization","id":"\#(Self.organizationID)","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"1999999984"}],"active":true,"type":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/organization-type","code":"prov","display":"Healthcare Provider"}]}],"name":"PMAP Synthetic University Hospital","address":[{"line":["1800 Orleans St"],"city":"Baltimore","state":"MD","postalCode":"21287","country":"US"}]}"#
                + "\n")
    }

    func render(_ p: SynthPatient) throws {
        try sink.stream("fhir/Patient.ndjson").write(patient(p) + "\n")
        let subject = #""subject":{"reference":"Patient/\#(p.fhirID)"}"#
        func encounter(_ number: Int?) -> String {
            number.map { #","encounter":{"reference":"Encounter/\#(p.fhirID)-e\#($0)"}"# } ?? ""
        }

        let encounters = try sink.stream("fhir/Encounter.ndjson")
        for visit in p.visits {
            let (code, display) =
                switch visit.kind {
                case .outpatient: ("AMB", "ambulatory")
                case .inpatient: ("IMP", "inpatient encounter")
                case .emergency: ("EMER", "emergency")
                }
            try encounters.write(
                #"{"resourceType":"Encounter","id":"\#(p.fhirID)-e\#(visit.number)","meta":{"lastUpdated":"\#(lastUpdated)"},"status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"\#(code)","display":"\#(display)"},"#
                    + subject
                    + #","period":{"start":"\#(visit.start.iso)","end":"\#(visit.end.iso)"},"serviceProvider":{"reference":"Organization/\#(Self.organizationID)"}}"#
                    + "\n")
        }

        let conditions = try sink.stream("fhir/Condition.ndjson")
        for (index, condition) in p.conditions.enumerated() {
            var codings = [coding(condition.code)]
            if let icd = condition.icd10 { codings.append(coding(icd)) }
            try conditions.write(
                #"{"resourceType":"Condition","id":"\#(p.fhirID)-c\#(index + 1)","meta":{"lastUpdated":"\#(lastUpdated)"},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"verificationStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-ver-status","code":"confirmed"}]},"category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-category","code":"encounter-diagnosis"}]}],"code":{"coding":[\#(codings.joined(separator: ","))],"text":\#(Text.json(condition.code.display))},"#
                    + subject + encounter(condition.visit)
                    + #","onsetDateTime":"\#(condition.onset.iso)","recordedDate":"\#(condition.onset.iso)"}"#
                    + "\n")
        }

        let observations = try sink.stream("fhir/Observation.ndjson")
        for (index, measurement) in p.measurements.enumerated() where measurement.channel == .ehr {
            var value = ""
            if let number = measurement.value, let unit = measurement.unit {
                value =
                    #","valueQuantity":{"value":\#(Text.number(number, decimals: measurement.decimals)),"unit":\#(Text.json(unit.ucum)),"system":"http://unitsofmeasure.org","code":\#(Text.json(unit.ucum))}"#
            } else if let code = measurement.valueCode {
                value =
                    #","valueCodeableConcept":{"coding":[\#(coding(code))],"text":\#(Text.json(code.display))}"#
            }
            var range = ""
            if measurement.referenceLow != nil || measurement.referenceHigh != nil,
                let unit = measurement.unit
            {
                var parts: [String] = []
                if let low = measurement.referenceLow {
                    parts.append(
                        #""low":{"value":\#(Text.number(low, decimals: 1)),"unit":\#(Text.json(unit.ucum)),"system":"http://unitsofmeasure.org","code":\#(Text.json(unit.ucum))}"#
                    )
                }
                if let high = measurement.referenceHigh {
                    parts.append(
                        #""high":{"value":\#(Text.number(high, decimals: 1)),"unit":\#(Text.json(unit.ucum)),"system":"http://unitsofmeasure.org","code":\#(Text.json(unit.ucum))}"#
                    )
                }
                range = #","referenceRange":[{\#(parts.joined(separator: ","))}]"#
            }
            let category = Self.category(measurement.code)
            try observations.write(
                #"{"resourceType":"Observation","id":"\#(p.fhirID)-o\#(index + 1)","meta":{"lastUpdated":"\#(lastUpdated)"},"status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"\#(category)"}]}],"code":{"coding":[\#(coding(measurement.code))],"text":\#(Text.json(measurement.code.display))},"#
                    + subject + encounter(measurement.visit)
                    + #","effectiveDateTime":"\#(measurement.day.iso)""# + value + range + "}\n")
        }

        let requests = try sink.stream("fhir/MedicationRequest.ndjson")
        for (index, drug) in p.drugs.enumerated() {
            try requests.write(
                #"{"resourceType":"MedicationRequest","id":"\#(p.fhirID)-m\#(index + 1)","meta":{"lastUpdated":"\#(lastUpdated)"},"status":"\#(drug.end < p.lastSeen ? "completed" : "active")","intent":"order","medicationCodeableConcept":{"coding":[\#(coding(drug.code))],"text":\#(Text.json(drug.code.display))},"#
                    + subject + encounter(drug.visit)
                    + #","authoredOn":"\#(drug.start.iso)","dispenseRequest":{"validityPeriod":{"start":"\#(drug.start.iso)","end":"\#(drug.end.iso)"},"expectedSupplyDuration":{"value":\#(drug.daysSupply),"unit":"days","system":"http://unitsofmeasure.org","code":"d"}}}"#
                    + "\n")
        }

        let procedures = try sink.stream("fhir/Procedure.ndjson")
        for (index, procedure) in p.procedures.enumerated() {
            try procedures.write(
                #"{"resourceType":"Procedure","id":"\#(p.fhirID)-p\#(index + 1)","meta":{"lastUpdated":"\#(lastUpdated)"},"status":"completed","code":{"coding":[\#(coding(procedure.code))],"text":\#(Text.json(procedure.code.display))},"#
                    + subject + encounter(procedure.visit) + #","performedDateTime":"\#(procedure.day.iso)"}"#
                    + "\n")
        }

        if let optOut = p.researchOptOut {
            try sink.stream("fhir/Consent.ndjson").write(
                #"{"resourceType":"Consent","id":"\#(p.fhirID)-consent","meta":{"lastUpdated":"\#(lastUpdated)"},"status":"active","scope":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/consentscope","code":"research","display":"Research"}]},"category":[{"coding":[{"system":"http://loinc.org","code":"57016-8","display":"Privacy policy acknowledgment Document"}]}],"patient":{"reference":"Patient/\#(p.fhirID)"},"dateTime":"\#(optOut.iso)","organization":[{"reference":"Organization/\#(Self.organizationID)"}],"policyRule":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"OPTOUT","display":"opt-out"}]},"provision":{"type":"deny","period":{"start":"\#(optOut.iso)"}}}"#
                    + "\n")
        }
    }

    func finish() throws {}

    private func coding(_ code: SynthCode) -> String {
        #"{"system":"\#(code.system)","code":\#(Text.json(code.code)),"display":\#(Text.json(code.display))}"#
    }

    private static func category(_ code: SynthCode) -> String {
        switch code.code {
        case "8480-6", "8462-4", "29463-7", "8302-2", "39156-5", "8867-4": return "vital-signs"
        default:
            return code.display.contains("MRI")
                ? "imaging" : code.display.contains("EDSS") ? "exam" : "laboratory"
        }
    }

    /// US Core OMB race and ethnicity codes for the OMOP concepts the generator uses.
    private static let omb: [Int64: (String, String)] = [
        8527: ("2106-3", "White"), 8516: ("2054-5", "Black or African American"), 8515: ("2028-9", "Asian"),
        8657: ("1002-5", "American Indian or Alaska Native"),
        8557: ("2076-8", "Native Hawaiian or Other Pacific Islander"),
        38_003_563: ("2135-2", "Hispanic or Latino"), 38_003_564: ("2186-5", "Not Hispanic or Latino"),
    ]

    private func patient(_ p: SynthPatient) -> String {
        let race = Self.omb[p.raceConceptID]!
        let ethnicity = Self.omb[p.ethnicityConceptID]!
        func usCore(_ kind: String, _ value: (String, String)) -> String {
            #"{"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-\#(kind)","extension":[{"url":"ombCategory","valueCoding":{"system":"urn:oid:2.16.840.1.113883.6.238","code":"\#(value.0)","display":"\#(value.1)"}},{"url":"text","valueString":"\#(value.1)"}]}"#
        }
        var text =
            #"{"resourceType":"Patient","id":"\#(p.fhirID)","meta":{"lastUpdated":"\#(lastUpdated)"},"extension":[\#(usCore("race", race)),\#(usCore("ethnicity", ethnicity))],"identifier":[{"use":"usual","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR","display":"Medical record number"}]},"system":"\#(Self.mrnSystem)","value":"\#(p.mrn)"},{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"SS","display":"Social Security number"}]},"system":"http://hl7.org/fhir/sid/us-ssn","value":"\#(p.ssn)"}],"active":true,"name":[{"use":"official","family":\#(Text.json(p.familyName)),"given":[\#(Text.json(p.givenName))]}],"telecom":[{"system":"phone","value":"\#(p.phone)","use":"home"},{"system":"email","value":\#(Text.json(p.email))}],"gender":"\#(p.sex.rawValue)","birthDate":"\#(p.birthDate.iso)""#
        if let death = p.deathDate { text += #","deceasedDateTime":"\#(death.iso)""# }
        text +=
            #","address":[{"use":"home","line":[\#(Text.json(p.address.line))],"city":\#(Text.json(p.address.city)),"state":"\#(p.address.state)","postalCode":"\#(p.address.zip)","country":"US"}],"managingOrganization":{"reference":"Organization/\#(Self.organizationID)"}}"#
        return text
    }
}
