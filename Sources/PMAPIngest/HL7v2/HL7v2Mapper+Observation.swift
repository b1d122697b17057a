extension HL7v2Mapper.Context {
    /// Result statuses (OBX-11) whose OBX is skipped: `W` (the result was wrong), `D` (deleted)
    /// and `X` (no result could be obtained) carry no observation to load.
    static let skippedStatuses: Set<String> = ["W", "D", "X"]

    /// The patients of an ORU message and an Observation event per OBX; an OBX belongs to the PID
    /// before it, takes its date from the OBR before it when OBX-14 is empty, and refers to the
    /// visit PV1-19 names.
    func observations() throws(RecordProblem) -> [IngestFact] {
        var facts: [IngestFact] = []
        var person: PersonFact?
        var visit: String?
        var order: HL7v2Segment?
        var number = 0
        for segment in message.segments {
            switch segment.id {
            case "PID":
                let patient = try self.person(segment)
                person = patient
                visit = nil
                order = nil
                facts.append(.person(patient))
            case "PV1": visit = visitKey(segment)
            case "OBR": order = segment
            case "OBX":
                number += 1
                guard let person else { throw RecordProblem(.missingField, "PID-3") }
                if let event = try observation(
                    segment, number: number, person: person, visit: visit, order: order)
                {
                    facts.append(.event(event))
                }
            default: break
            }
        }
        if person == nil { throw RecordProblem(.missingField, "PID-3") }
        return facts
    }

    /// The event of one OBX; nil when its status says it holds no result.
    ///
    /// Its key is `<message key>#OBX<n>`, n counting the message's OBX segments from 1 (skipped
    /// ones included, so keys do not shift).
    func observation(
        _ obx: HL7v2Segment, number: Int, person: PersonFact, visit: String?, order: HL7v2Segment?
    ) throws(RecordProblem) -> EventFact? {
        if let status = obx.text(11)?.uppercased(), Self.skippedStatuses.contains(status) { return nil }
        let codings = Self.codings(obx, field: 3)
        guard !codings.isEmpty else { throw RecordProblem(.missingField, "OBX-3") }
        var start = try obx.day(14)
        if start == nil, let order { start = try order.day(7) }
        if start == nil { start = sent?.day }
        guard let start else { throw RecordProblem(.missingField, "OBX-14") }
        var fact = EventFact(
            sourceKey: "\(key)#OBX\(number)", resourceType: "Observation", patientReference: person.sourceKey,
            encounterReference: visit, codings: codings, start: start, end: nil)
        try Self.fillValue(&fact, from: obx)
        fact.unit = obx.text(6) ?? obx.text(6, component: 2)
        if let range = obx.text(7) { (fact.rangeLow, fact.rangeHigh) = Self.referenceRange(range) }
        fact.interpretation = obx.text(8)
        return fact
    }

    /// OBX-5 by OBX-2: NM a number; SN a number (a comparator other than `=` also goes to the
    /// text, e.g. `<10`; ranges and ratios such as `1:128` only to the text); CE, CWE, CNE a coded
    /// value; ST, TX, FT (repetitions joined by line feeds), ID, IS, DT, DTM, TS, TM text, cut to
    /// 60 characters as the CDM's `value_as_string`. Other types (ED, RP, ...) give no value.
    static func fillValue(_ fact: inout EventFact, from obx: HL7v2Segment) throws(RecordProblem) {
        guard obx.repetitionCount(field: 5) > 0 else { return }
        guard let type = obx.text(2)?.uppercased() else { throw RecordProblem(.missingField, "OBX-2") }
        switch type {
        case "NM":
            guard let text = obx.text(5) else { return }
            guard let value = number(text) else { throw RecordProblem(.invalidValue, "OBX-5 (NM)") }
            fact.valueNumber = value
        case "SN":
            let comparator = obx.text(5, component: 1) ?? ""
            let first = obx.text(5, component: 2)
            let separator = obx.text(5, component: 3)
            let second = obx.text(5, component: 4)
            guard ["", "=", "<", ">", "<=", ">=", "<>"].contains(comparator),
                first.map({ number($0) != nil }) ?? true, second.map({ number($0) != nil }) ?? true
            else { throw RecordProblem(.invalidValue, "OBX-5 (SN)") }
            if separator != nil || second != nil {
                guard let first, let separator, let second, [":", "-", "+", "/", "."].contains(separator)
                else {
                    throw RecordProblem(.invalidValue, "OBX-5 (SN)")
                }
                fact.valueText = comparator + first + separator + second
            } else if let first {
                fact.valueNumber = number(first)
                if comparator != "" && comparator != "=" { fact.valueText = comparator + first }
            }
        case "CE", "CWE", "CNE":
            if let coding = codings(obx, field: 5).first {
                fact.valueCoding = coding
            } else {
                fact.valueText = (obx.text(5, component: 2) ?? obx.text(5, component: 9)).map {
                    String($0.prefix(60))
                }
            }
        case "ST", "TX", "FT":
            let lines = (1...obx.repetitionCount(field: 5)).map { obx.value(field: 5, repetition: $0) ?? "" }
            fact.valueText = String(lines.joined(separator: "\n").prefix(60))
        case "ID", "IS", "DT", "DTM", "TS", "TM":
            fact.valueText = obx.text(5).map { String($0.prefix(60)) }
        default: break
        }
    }

    /// The codes of a CE / CWE / CNE field: the identifier triplet (components 1-3), the
    /// alternate triplet (4-6) and CWE's second alternate (10-12), each with a code.
    static func codings(_ segment: HL7v2Segment, field: Int) -> [SourceCoding] {
        [1, 4, 10].compactMap { first in
            guard let code = segment.text(field, component: first) else { return nil }
            return SourceCoding(
                system: HL7v2CodingSystem.uri(segment.text(field, component: first + 2)), code: code,
                display: segment.text(field, component: first + 1))
        }
    }

    /// An HL7 NM: an optional sign, digits and at most one decimal point.
    static func number(_ text: String) -> Double? {
        var digits = 0
        var points = 0
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case 0x30...0x39: digits += 1
            case 0x2E: points += 1
            case 0x2B where index == 0, 0x2D where index == 0: break
            default: return nil
            }
        }
        guard digits > 0, points <= 1 else { return nil }
        return Double(text)
    }

    /// OBX-7: `low-high` (either may be negative, `-1.0-2`), `>low`, `>=low`, `<high`, `<=high`;
    /// anything else (`70_105`, text) gives neither bound.
    static func referenceRange(_ text: String) -> (low: Double?, high: Double?) {
        let trimmed = text.filter { $0 != " " }
        for prefix in [">=", ">"] where trimmed.hasPrefix(prefix) {
            return (number(String(trimmed.dropFirst(prefix.count))), nil)
        }
        for prefix in ["<=", "<"] where trimmed.hasPrefix(prefix) {
            return (nil, number(String(trimmed.dropFirst(prefix.count))))
        }
        var index = trimmed.startIndex
        while let dash = trimmed[index...].dropFirst().firstIndex(of: "-") {
            if let low = number(String(trimmed[..<dash])),
                let high = number(String(trimmed[trimmed.index(after: dash)...]))
            {
                return (low, high)
            }
            index = dash
        }
        return (nil, nil)
    }
}

/// HL7 v2 coding system names (table 0396) as the code system URIs PMAP's vocabulary uses.
enum HL7v2CodingSystem {
    static let uris: [String: String] = [
        "LN": "http://loinc.org",
        "SCT": "http://snomed.info/sct", "SNM": "http://snomed.info/sct",
        "SNOMEDCT": "http://snomed.info/sct",
        "I10": "http://hl7.org/fhir/sid/icd-10-cm", "I10C": "http://hl7.org/fhir/sid/icd-10-cm",
        "ICD10CM": "http://hl7.org/fhir/sid/icd-10-cm",
        "RXNORM": "http://www.nlm.nih.gov/research/umls/rxnorm",
        "UCUM": "http://unitsofmeasure.org",
        "99PMAP": "urn:pmap:local-concept",
    ]

    /// The URI of a table-0396 name; `urn:pmap:hl7v2:coding-system:<name>` for others; nil when
    /// no system was sent.
    static func uri(_ name: String?) -> String? {
        guard let name else { return nil }
        return uris[name.uppercased()] ?? "urn:pmap:hl7v2:coding-system:\(name)"
    }
}
