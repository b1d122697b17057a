import PMAPModel

/// HL7 v2.5.1: registrations (ADT^A04, and ADT^A08 updates) in `hl7v2/adt-registrations.hl7`
/// and the lab feed (ORU^R01, one message per draw) in `hl7v2/oru-lab-results.hl7`, the latter
/// wrapped in a file/batch envelope (FHS/BHS … BTS/FTS). Segments end with CR, as the standard says.
final class HL7v2Renderer: SynthRenderer {
    static let facility = "PMAPHOSP"
    private let sink: SynthSink
    private var labMessages = 0
    private let labs: TextStream
    private let registrations: TextStream
    private let fileTime = PlantedTruth.dataEnd.compact + "235900"

    init(sink: SynthSink) throws {
        self.sink = sink
        registrations = try sink.stream("hl7v2/adt-registrations.hl7")
        labs = try sink.stream("hl7v2/oru-lab-results.hl7")
        let header = "^~\\&|PMAP-SYNTH|\(Self.facility)|PMAP|\(Self.facility)|\(fileTime)"
        try labs.write("FHS|\(header)||lab-results-\(PlantedTruth.dataEnd.compact)\r")
        try labs.write("BHS|\(header)||lab-batch-1\r")
    }

    /// HL7 escape sequences for the delimiter characters.
    static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            switch character {
            case "\\": out += "\\E\\"
            case "|": out += "\\F\\"
            case "^": out += "\\S\\"
            case "&": out += "\\T\\"
            case "~": out += "\\R\\"
            default: out.append(character)
            }
        }
        return out
    }

    private func msh(_ type: String, _ structure: String, time: String, control: String) -> String {
        "MSH|^~\\&|PMAP-SYNTH|\(Self.facility)|PMAP|\(Self.facility)|\(time)||\(type)^\(structure)|\(control)|P|2.5.1|||AL|NE|USA|UNICODE UTF-8\r"
    }

    private static let cdcrec: [Int64: String] = [
        8527: "2106-3^White", 8516: "2054-5^Black or African American", 8515: "2028-9^Asian",
        8657: "1002-5^American Indian or Alaska Native",
        8557: "2076-8^Native Hawaiian or Other Pacific Islander",
        38_003_563: "2135-2^Hispanic or Latino", 38_003_564: "2186-5^Not Hispanic or Latino",
    ]

    /// PID-3 names the MRN's system in its assigning authority (HD.2, type URI), the same
    /// system the FHIR export uses, so both sources identify one person.
    private func pid(_ p: SynthPatient, phone: String) -> String {
        let name = "\(Self.escape(p.familyName))^\(Self.escape(p.givenName))^^^^^L"
        let address =
            "\(Self.escape(p.address.line))^^\(Self.escape(p.address.city))^\(p.address.state)^\(p.address.zip)^USA^H"
        let telecom = "\(phone)^PRN^PH~^NET^Internet^\(Self.escape(p.email))"
        return
            "PID|1||\(p.mrn)^^^\(Self.facility)&\(FHIRRenderer.mrnSystem)&URI^MR~\(p.ssn)^^^SSA&2.16.840.1.113883.4.1&ISO^SS||\(name)||\(p.birthDate.compact)|\(p.sex == .male ? "M" : "F")||"
            + "\(Self.cdcrec[p.raceConceptID]!)^CDCREC|\(address)||\(telecom)|||||||||\(Self.cdcrec[p.ethnicityConceptID]!)^CDCREC\r"
    }

    func render(_ p: SynthPatient) throws {
        // Registration at the first visit; one patient in ten later updates the phone number,
        // so the registration carries an older one than the EHR.
        let updatesPhone = p.index % 10 == 3
        let oldPhone =
            updatesPhone ? String(p.phone.dropLast(2)) + (p.phone.hasSuffix("00") ? "01" : "00") : p.phone
        let registered = p.firstSeen.compact + "0800"
        try registrations.write(
            msh("ADT^A04", "ADT_A01", time: registered, control: "A04-\(p.index)") + "EVN|A04|\(registered)\r"
                + pid(p, phone: oldPhone) + "PV1|1|O|CLINIC^^^\(Self.facility)||||||||||||||||V\(p.index)-1\r"
        )
        if updatesPhone {
            let updated = (p.firstSeen + (p.lastSeen - p.firstSeen) / 2).compact + "0900"
            try registrations.write(
                msh("ADT^A08", "ADT_A01", time: updated, control: "A08-\(p.index)") + "EVN|A08|\(updated)\r"
                    + pid(p, phone: p.phone) + "PV1|1|O|CLINIC^^^\(Self.facility)\r")
        }

        // One ORU^R01 per lab draw (all results of that day).
        var draws: [Day: [SynthPatient.Measurement]] = [:]
        for measurement in p.measurements where measurement.channel == .lab {
            draws[measurement.day, default: []].append(measurement)
        }
        for day in draws.keys.sorted() {
            labMessages += 1
            let time = day.compact + "0830"
            let order = "L\(p.index)-\(day.compact)"
            var message = msh(
                "ORU^R01", "ORU_R01", time: day.compact + "1500", control: "R01-\(p.index)-\(day.compact)")
            message += pid(p, phone: p.phone) + "PV1|1|O|LAB^^^\(Self.facility)\r"
            message += "ORC|RE|\(order)|\(order)F\r"
            message +=
                "OBR|1|\(order)|\(order)F|PANEL^Outpatient laboratory panel^99PMAP|||\(time)|||||||||||||||\(day.compact)1500|||F\r"
            for (index, result) in draws[day]!.enumerated() {
                guard let value = result.value, let unit = result.unit else { continue }
                let system = result.code.system == SynthCode.systems["LOINC"] ? "LN" : "99PMAP"
                let identifier =
                    "\(Self.escape(result.code.code))^\(Self.escape(result.code.display))^\(system)"
                var range = ""
                switch (result.referenceLow, result.referenceHigh) {
                case (let low?, let high?):
                    range =
                        "\(Text.number(low, decimals: result.decimals))-\(Text.number(high, decimals: result.decimals))"
                case (let low?, nil): range = ">\(Text.number(low, decimals: result.decimals))"
                case (nil, let high?): range = "<\(Text.number(high, decimals: result.decimals))"
                default: break
                }
                let ucum = Self.escape(unit.ucum)
                message +=
                    "OBX|\(index + 1)|NM|\(identifier)||\(Text.number(value, decimals: result.decimals))|\(ucum)^\(ucum)^UCUM|\(range)|\(result.abnormalFlag ?? "N")|||F|||\(time)\r"
            }
            try labs.write(message)
        }
    }

    func finish() throws {
        try labs.write("BTS|\(labMessages)\rFTS|1\r")
        try labs.drain()
        try registrations.drain()
    }
}
