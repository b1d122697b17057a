import Foundation
import PMAPGovernance
import PMAPModel

/// Maps one FHIR R4 resource (parsed JSON) to ingest facts. Pure: no I/O, no vocabulary.
public enum FHIRMapper {
    /// The resource types PMAP loads, in the order an export should be read so references
    /// resolve (patients and places first).
    public static let loadOrder = [
        "Organization", "Location", "Practitioner", "Patient", "Encounter", "Condition", "Observation",
        "Procedure",
        "MedicationRequest", "MedicationStatement", "MedicationAdministration", "MedicationDispense",
        "Immunization",
        "AllergyIntolerance", "Consent",
    ]

    /// The facts of a resource held as a parsed `[String: Any]` tree (it is serialized and read
    /// as a document; ingestion reads documents directly).
    public static func facts(of resource: [String: Any], referenceAliases: [String: String] = [:]) throws
        -> [IngestFact]
    {
        guard let data = try? JSONSerialization.data(withJSONObject: resource),
            let document = try? JSONDocument(bytes: Array(data))
        else { throw RecordProblem(.malformed, "not a JSON object") }
        return try facts(of: document, referenceAliases: referenceAliases)
    }

    /// The facts of the resource `document` holds; `referenceAliases` maps bundle `urn:uuid:`
    /// full URLs to `Type/id`.
    public static func facts(of document: JSONDocument, referenceAliases: [String: String] = [:]) throws
        -> [IngestFact]
    {
        let root = JSONObject(document, type: "resource")
        guard document.kind(JSONDocument.root) == .object, let type = root.memberString("resourceType") else {
            throw RecordProblem(.malformed, "no resourceType")
        }
        guard let id = root.memberString("id"), !id.isEmpty else {
            throw RecordProblem(.missingField, "\(type).id")
        }
        let key = "\(type)/\(id)"
        let r = JSONObject(document, type: type, aliases: referenceAliases)
        switch type {
        case "Patient": return [.person(try patient(r, key: key))]
        case "Encounter":
            guard let start = r.date("period.start") else {
                throw RecordProblem(.missingField, "Encounter.period.start")
            }
            return [
                .visit(
                    VisitFact(
                        sourceKey: key, patientReference: try r.reference("subject"),
                        classCode: r.string("class.code"),
                        start: start, end: r.date("period.end")))
            ]
        case "Condition":
            return [
                .event(
                    try event(
                        r, key: key, subject: "subject", codes: "code",
                        dates: ["onsetDateTime", "onsetPeriod.start", "recordedDate"],
                        end: ["abatementDateTime", "onsetPeriod.end"]))
            ]
        case "Procedure":
            return [
                .event(
                    try event(
                        r, key: key, subject: "subject", codes: "code",
                        dates: ["performedDateTime", "performedPeriod.start"],
                        end: ["performedPeriod.end"]))
            ]
        case "Observation": return try observation(r, key: key)
        case "MedicationRequest":
            var fact = try event(
                r, key: key, subject: "subject", codes: medicationPath(r),
                dates: ["dispenseRequest.validityPeriod.start", "authoredOn"],
                end: ["dispenseRequest.validityPeriod.end"])
            fact.daysSupply = r.number("dispenseRequest.expectedSupplyDuration.value").map { Int($0) }
            fact.quantity = r.number("dispenseRequest.quantity.value")
            return [.event(fact)]
        case "MedicationStatement", "MedicationAdministration":
            return [
                .event(
                    try event(
                        r, key: key, subject: "subject", codes: medicationPath(r),
                        dates: ["effectiveDateTime", "effectivePeriod.start"],
                        end: ["effectivePeriod.end"]))
            ]
        case "MedicationDispense":
            var fact = try event(
                r, key: key, subject: "subject", codes: medicationPath(r),
                dates: ["whenHandedOver", "whenPrepared"], end: [])
            fact.daysSupply = r.number("daysSupply.value").map { Int($0) }
            fact.quantity = r.number("quantity.value")
            return [.event(fact)]
        case "Immunization":
            return [
                .event(
                    try event(
                        r, key: key, subject: "patient", codes: "vaccineCode",
                        dates: ["occurrenceDateTime", "recorded"], end: []))
            ]
        case "AllergyIntolerance":
            return [
                .event(
                    try event(
                        r, key: key, subject: "patient", codes: "code",
                        dates: ["onsetDateTime", "recordedDate"], end: []))
            ]
        case "Consent":
            let scope = r.codings("scope").map(\.code)
            guard scope.contains("research") else {
                throw RecordProblem(.unsupportedType, "Consent with a scope other than research")
            }
            guard let date = r.date("dateTime") ?? r.date("provision.period.start") else {
                throw RecordProblem(.missingField, "Consent.dateTime")
            }
            let active = r.string("status") == "active"
            return [
                .consent(
                    ConsentFact(
                        sourceKey: key, patientReference: try r.reference("patient"),
                        optOut: active && r.string("provision.type") == "deny", date: date))
            ]
        case "Organization", "Location":
            return [
                .careSite(
                    CareSiteFact(
                        sourceKey: key, name: r.string("name"), state: r.string("address.state"),
                        zip3: r.string("address.postalCode").map { String($0.prefix(3)) }))
            ]
        case "Practitioner":
            // Staff, not patients: the CDM's provider table holds their name and NPI.
            let name = r.array("name").first.map { name in
                (name.strings("given") + [name.memberString("family") ?? ""]).filter { !$0.isEmpty }.joined(
                    separator: " ")
            }
            let npi = r.array("identifier").first {
                $0.memberString("system") == "http://hl7.org/fhir/sid/us-npi"
            }?.memberString("value")
            return [
                .provider(
                    ProviderFact(
                        sourceKey: key, name: name, npi: npi, gender: r.string("gender"),
                        specialty: r.codings("qualification.code").first))
            ]
        default:
            throw RecordProblem(.unsupportedType, "PMAP does not map \(type) resources yet")
        }
    }

    private static func medicationPath(_ r: JSONObject) -> String {
        r.has("medicationCodeableConcept") ? "medicationCodeableConcept" : "medication.concept"
    }

    private static func event(
        _ r: JSONObject, key: String, subject: String, codes: String, dates: [String], end: [String]
    ) throws -> EventFact {
        let codings = r.codings(codes)
        guard !codings.isEmpty else { throw RecordProblem(.missingField, "\(r.type).\(codes).coding") }
        for path in dates where r.has(path) && r.date(path) == nil {
            throw RecordProblem(.invalidDate, "\(r.type).\(path)")
        }
        guard let start = dates.lazy.compactMap({ r.date($0) }).first else {
            throw RecordProblem(.missingField, "\(r.type).\(dates[0])")
        }
        return EventFact(
            sourceKey: key, resourceType: r.type, patientReference: try r.reference(subject),
            encounterReference: try? r.reference("encounter"), codings: codings, start: start,
            end: end.lazy.compactMap { r.date($0) }.first)
    }

    private static func observation(_ r: JSONObject, key: String) throws -> [IngestFact] {
        var base = try event(
            r, key: key, subject: "subject", codes: "code",
            dates: ["effectiveDateTime", "effectivePeriod.start", "issued"], end: [])
        fillValue(&base, from: r)
        let components = r.array("component")
        if components.isEmpty { return [.event(base)] }
        var facts: [IngestFact] = []
        if base.valueNumber != nil || base.valueCoding != nil || base.valueText != nil {
            facts.append(.event(base))
        }
        for (index, component) in components.enumerated() {
            let codings = component.codings("code")
            guard !codings.isEmpty else {
                throw RecordProblem(.missingField, "Observation.component[\(index)].code")
            }
            var fact = base
            fact.sourceKey = "\(key)#component-\(index + 1)"
            fact.codings = codings
            fact.valueNumber = nil
            fact.valueCoding = nil
            fact.valueText = nil
            fact.unit = nil
            fact.rangeLow = nil
            fact.rangeHigh = nil
            fillValue(&fact, from: component)
            facts.append(.event(fact))
        }
        return facts
    }

    private static func fillValue(_ fact: inout EventFact, from r: JSONObject) {
        if let value = r.number("valueQuantity.value") {
            fact.valueNumber = value
            fact.unit = r.string("valueQuantity.code") ?? r.string("valueQuantity.unit")
        } else if let coding = r.codings("valueCodeableConcept").first {
            fact.valueCoding = coding
        } else if let text = r.string("valueString") {
            fact.valueText = String(text.prefix(60))
        } else if let value = r.number("valueInteger") {
            fact.valueNumber = value
        }
        fact.rangeLow = r.number("referenceRange.low.value")
        fact.rangeHigh = r.number("referenceRange.high.value")
    }

    private static let ombRace: Set<String> = ["2106-3", "2054-5", "2028-9", "1002-5", "2076-8", "2131-1"]

    private static func patient(_ r: JSONObject, key: String) throws -> PersonFact {
        var identity = PersonIdentity()
        identity.sources = ["fhir:\(key)"]
        for item in r.array("identifier") {
            guard let value = item.string("value") else { continue }
            identity.identifiers.append(
                PersonIdentity.Identifier(
                    system: item.string("system") ?? "", value: value, type: item.codings("type").first?.code)
            )
        }
        if let name = r.array("name").first {
            identity.familyName = name.string("family")
            identity.givenNames = name.strings("given")
        }
        for telecom in r.array("telecom") {
            guard let value = telecom.memberString("value") else { continue }
            if telecom.memberString("system") == "email" {
                identity.emails.append(value)
            } else {
                identity.phones.append(value)
            }
        }
        var fact = PersonFact(sourceKey: key, identity: identity)
        if let item = r.array("address").first {
            fact.identity.addressLines = item.strings("line")
            fact.identity.city = item.string("city")
            fact.identity.state = item.string("state")
            fact.identity.postalCode = item.string("postalCode")
            fact.state = item.string("state")
            fact.zip3 = item.string("postalCode").map { String($0.prefix(3)) }
        }
        fact.gender = r.string("gender")
        if let birth = r.string("birthDate") {
            guard ISODate.yearMonth(birth) != nil else {
                throw RecordProblem(.invalidDate, "Patient.birthDate")
            }
            fact.birthDate = birth
            fact.identity.birthDate = birth
        }
        if let death = r.string("deceasedDateTime") {
            guard let day = ISODate.day(death) else {
                throw RecordProblem(.invalidDate, "Patient.deceasedDateTime")
            }
            fact.deathDate = day
            fact.identity.deathDate = day
        }
        for extensionObject in r.array("extension") {
            guard let url = extensionObject.memberString("url") else { continue }
            let codes = extensionObject.array("extension").compactMap { $0.string("valueCoding.code") }
            if url.hasSuffix("us-core-race") { fact.raceCodes += codes.filter { ombRace.contains($0) } }
            if url.hasSuffix("us-core-ethnicity") { fact.ethnicityCodes += codes }
        }
        return fact
    }
}
