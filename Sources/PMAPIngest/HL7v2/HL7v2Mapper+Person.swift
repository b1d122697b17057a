import PMAPGovernance

extension HL7v2Mapper.Context {
    /// OMB race categories and ethnicities as CDC Race & Ethnicity codes (PersonFact keeps only these).
    static let ombRace: Set<String> = ["2106-3", "2054-5", "2028-9", "1002-5", "2076-8", "2131-1"]
    static let ombEthnicity: Set<String> = ["2135-2", "2186-5"]

    /// The patient of a PID segment: demographics for the CDM, direct identifiers for the vault.
    ///
    /// The source key is `Patient/identifier:<system>|<value>` of the first PID-3 identifier of
    /// type MR, else of the first identifier, so that every message about a patient names the
    /// same record.
    func person(_ pid: HL7v2Segment) throws(RecordProblem) -> PersonFact {
        var identity = PersonIdentity()
        identity.identifiers = identifiers(pid, field: 3)
        guard
            let primary = identity.identifiers.first(where: { $0.type == "MR" }) ?? identity.identifiers.first
        else {
            throw RecordProblem(.missingField, "PID-3")
        }
        // The patient's stable key, not the message's: every message about a patient is one source.
        identity.sources = ["hl7v2:Patient/identifier:\(primary.system)|\(primary.value)"]
        let nameRepetition =
            (1...max(pid.repetitionCount(field: 5), 1)).first {
                pid.text(5, repetition: $0, component: 7) == "L"
            } ?? 1
        identity.familyName = pid.text(5, repetition: nameRepetition)
        identity.givenNames = [2, 3].compactMap { pid.text(5, repetition: nameRepetition, component: $0) }

        var fact = PersonFact(
            sourceKey: "Patient/identifier:\(primary.system)|\(primary.value)", identity: identity)
        if let birth = try pid.dateTime(7) {
            fact.birthDate = birth.partialDate
            fact.identity.birthDate = birth.partialDate
        }
        if pid.text(30)?.uppercased() != "N", let death = try pid.day(29) {
            fact.deathDate = death
            fact.identity.deathDate = death
        }
        fact.gender =
            switch pid.text(8)?.uppercased() {
            case "M": "male"
            case "F": "female"
            case "O", "A": "other"
            case "U": "unknown"
            default: nil
            }
        fact.raceCodes = (1...max(pid.repetitionCount(field: 10), 1)).compactMap {
            pid.text(10, repetition: $0)
        }
        .filter { Self.ombRace.contains($0) }
        fact.ethnicityCodes = (1...max(pid.repetitionCount(field: 22), 1)).compactMap {
            pid.text(22, repetition: $0)
        }.filter { Self.ombEthnicity.contains($0) }

        let addressRepetition =
            (1...max(pid.repetitionCount(field: 11), 1)).first {
                pid.text(11, repetition: $0, component: 7) == "H"
            }
            ?? 1
        fact.identity.addressLines = [1, 2].compactMap {
            pid.text(11, repetition: addressRepetition, component: $0)
        }
        fact.identity.city = pid.text(11, repetition: addressRepetition, component: 3)
        fact.identity.state = pid.text(11, repetition: addressRepetition, component: 4)
        fact.identity.postalCode = pid.text(11, repetition: addressRepetition, component: 5)
        fact.state = fact.identity.state
        if let zip = fact.identity.postalCode?.utf8.prefix(3), zip.count == 3,
            zip.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
        {
            fact.zip3 = String(decoding: zip, as: UTF8.self)
        }
        for field in [13, 14] {
            for repetition in 1...max(pid.repetitionCount(field: field), 1) {
                addTelecom(pid, field: field, repetition: repetition, to: &fact.identity)
            }
        }
        return fact
    }

    /// An XTN: an e-mail address (XTN.4, for use code NET or equipment Internet / X.400) or a
    /// phone number (XTN.6 area code and XTN.7 local number, else the legacy XTN.1).
    private func addTelecom(
        _ segment: HL7v2Segment, field: Int, repetition: Int, to identity: inout PersonIdentity
    ) {
        func part(_ component: Int) -> String? {
            segment.text(field, repetition: repetition, component: component)
        }
        let equipment = part(3)?.uppercased()
        if part(2)?.uppercased() == "NET" || equipment == "INTERNET" || equipment == "X.400" {
            if let email = part(4) ?? part(1), !identity.emails.contains(email) {
                identity.emails.append(email)
            }
            return
        }
        let phone = part(7).map { local in part(6).map { "(\($0)) \(local)" } ?? local } ?? part(1)
        if let phone, !identity.phones.contains(phone) { identity.phones.append(phone) }
    }

    /// The identifiers (CX) of every repetition of `field`.
    ///
    /// The system is CX.4's universal id (HD.2) when its type (HD.3) is `URI` (as sent) or `ISO`
    /// (`urn:oid:` + id); else `urn:pmap:hl7v2:authority:` + the namespace id (HD.1, or HD.2
    /// when HD.1 is empty, or the sending facility MSH-4 when CX.4 is empty).
    func identifiers(_ segment: HL7v2Segment, field: Int) -> [PersonIdentity.Identifier] {
        (1...max(segment.repetitionCount(field: field), 1)).compactMap { repetition in
            func part(_ component: Int, _ subcomponent: Int = 1) -> String? {
                segment.text(field, repetition: repetition, component: component, subcomponent: subcomponent)
            }
            guard let value = part(1) else { return nil }
            let namespace = part(4, 1)
            let universal = part(4, 2)
            let universalType = universal == nil ? nil : part(4, 3)?.uppercased()
            let system: String
            if let universal, universalType == "URI" {
                system = universal
            } else if let universal, universalType == "ISO" {
                system = universal.hasPrefix("urn:oid:") ? universal : "urn:oid:\(universal)"
            } else {
                system = "urn:pmap:hl7v2:authority:\(namespace ?? universal ?? facility)"
            }
            return PersonIdentity.Identifier(system: system, value: value, type: part(5))
        }
    }
}
