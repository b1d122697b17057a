import Foundation
import PMAPModel

/// Builds one patient: identity and background first, then the disease modules.
struct PatientBuilder {
    var rng: SynthRandom
    let codes: Codes
    var patient: SynthPatient
    private var visitByDay: [Int: Int] = [:]
    /// The last day of follow-up before disease modules (background death or data end).
    var followUpEnd: Day

    init(index: Int, rng: SynthRandom, codes: Codes) {
        var rng = rng
        self.codes = codes
        let sex: SynthPatient.Sex = rng.chance(0.49) ? .male : .female
        // Adults aged 18–95 at the end of the data window, weighted towards middle age.
        let age = [18...34, 35...49, 50...64, 65...79, 80...95][rng.weighted([0.24, 0.25, 0.26, 0.18, 0.07])]
        let ageAtEnd = rng.int(age)
        let birth = PlantedTruth.dataEnd - (ageAtEnd * 365 + ageAtEnd / 4 + rng.int(0...364))
        let race: Int64 = [8527, 8516, 8515, 8657, 8557][rng.weighted([0.62, 0.24, 0.08, 0.01, 0.005])]
        let hispanic = rng.chance(0.1)
        let given = rng.pick(sex == .male ? PopulationTables.maleNames : PopulationTables.femaleNames)
        let family = rng.pick(PopulationTables.familyNames)
        let place = PopulationTables.places[rng.weighted(PopulationTables.places.map(\.weight))]
        let street = "\(rng.int(1...9899)) \(rng.pick(PopulationTables.streets))"
        let address = SynthPatient.Address(line: street, city: place.city, state: place.state, zip: place.zip)
        let mrn = "MRN\(10_000_000 + index)"
        let ssn = "9\(rng.int(10...99))-\(rng.int(70...88))-\(rng.int(1000...9999))"
        let phone = "(\(rng.pick(["410", "443", "301", "202", "240"]))) 555-01\(rng.int(10...99))"
        let emailName = "\(given).\(family)".lowercased().filter { $0.isASCII && ($0.isLetter || $0 == ".") }
        let email = "\(emailName)\(index % 1000)@example.com"

        let adult = birth + (18 * 365 + 5)
        var firstSeen = max(PlantedTruth.dataStart, adult) + rng.int(0...(5 * 365))
        firstSeen = min(firstSeen, PlantedTruth.dataEnd - 90)
        // Background mortality (Gompertz), year by year.
        var death: Day?
        var day = firstSeen
        while day < PlantedTruth.dataEnd {
            let ageYears = Double(day - birth) / 365.25
            if rng.chance(exp(-10.0 + 0.085 * ageYears)) {
                death = day + rng.int(0...364)
                break
            }
            day = day + 365
        }
        if let dead = death, dead > PlantedTruth.dataEnd { death = nil }
        followUpEnd = min(death ?? PlantedTruth.dataEnd, PlantedTruth.dataEnd)
        patient = SynthPatient(
            index: index, fhirID: rng.uuid(), mrn: mrn, ssn: ssn, givenName: given, familyName: family,
            sex: sex,
            birthDate: birth, raceConceptID: race, ethnicityConceptID: hispanic ? 38_003_563 : 38_003_564,
            address: address,
            phone: phone, email: email, firstSeen: firstSeen, lastSeen: followUpEnd, deathDate: death)
        self.rng = rng
    }

    var lastSeen: Day { patient.lastSeen }

    func age(on day: Day) -> Double { Double(day - patient.birthDate) / 365.25 }

    mutating func generate() {
        background()
        if patient.sex == .male { prostateModule() }
        multipleSclerosisModule()
        consentAndDevices()
        finalize()
    }

    // MARK: - Building blocks

    /// The visit on `day` (created when there is none yet); its number.
    @discardableResult
    mutating func visit(on day: Day, kind: SynthPatient.Visit.Kind = .outpatient) -> Int {
        if let number = visitByDay[day.value] { return number }
        let number = patient.visits.count + 1
        let length = kind == .inpatient ? rng.int(1...6) : 0
        patient.visits.append(
            SynthPatient.Visit(number: number, kind: kind, start: day, end: min(day + length, lastSeen)))
        visitByDay[day.value] = number
        return number
    }

    mutating func condition(_ code: SynthCode, on day: Day) {
        let number = visit(on: day)
        patient.conditions.append(
            SynthPatient.Condition(code: code, icd10: codes.icd10[code.conceptID], onset: day, visit: number))
    }

    mutating func measure(
        _ code: SynthCode, on day: Day, _ value: Double, unit: String, low: Double? = nil,
        high: Double? = nil,
        channel: SynthPatient.Measurement.Channel, decimals: Int = 1
    ) {
        let number = visit(on: day)
        let factor = pow(10, Double(decimals))
        patient.measurements.append(
            SynthPatient.Measurement(
                code: code, day: day, value: (value * factor).rounded() / factor, valueCode: nil,
                unit: Codes.unit(unit),
                referenceLow: low, referenceHigh: high, channel: channel, visit: number, decimals: decimals))
    }

    mutating func measureCoded(_ code: SynthCode, on day: Day, value: SynthCode) {
        let number = visit(on: day)
        patient.measurements.append(
            SynthPatient.Measurement(
                code: code, day: day, value: nil, valueCode: value, unit: nil, referenceLow: nil,
                referenceHigh: nil,
                channel: .ehr, visit: number, decimals: 0))
    }

    /// Prescriptions of `drug` from `start` to `end`, one per `supply` days (the last shortened).
    mutating func prescribe(_ drug: SynthCode, from start: Day, to end: Day, supply: Int = 180) {
        var day = start
        while day <= end {
            let days = min(supply, end - day + 1)
            let number = visit(on: day)
            patient.drugs.append(
                SynthPatient.DrugExposure(code: drug, start: day, daysSupply: days, visit: number))
            day = day + supply
        }
    }

    mutating func procedure(_ code: SynthCode, on day: Day) {
        let number = visit(on: day, kind: code == codes.radicalProstatectomy ? .inpatient : .outpatient)
        patient.procedures.append(SynthPatient.Procedure(code: code, day: day, visit: number))
    }

    /// Routine visit days from first to last seen, about every eight months.
    mutating func routineVisitDays() -> [Day] {
        var days: [Day] = []
        var day = patient.firstSeen
        while day <= lastSeen {
            days.append(day)
            day = day + Int(rng.exponential(rate: 1.0 / 240)) + 14
        }
        return days
    }

    mutating func finalize() {
        // Nothing after death: modules respect lastSeen, but keep the invariant explicit.
        let end = lastSeen
        patient.conditions.removeAll { $0.onset > end }
        patient.measurements.removeAll { $0.day > end }
        patient.procedures.removeAll { $0.day > end }
        patient.drugs.removeAll { $0.start > end }
        patient.visits.sort { $0.start < $1.start }
    }
}
