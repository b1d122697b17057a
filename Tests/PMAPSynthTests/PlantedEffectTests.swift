import Foundation
import Testing

/// Each planted effect re-estimated from the generated files by a simple estimator written
/// here, independently of the generator; the true value must lie in the estimate's 95% CI.
/// The population is fixed (10,000 patients, seed 2026), so the outcome is reproducible.
struct PlantedEffectTests {
    let folder = GeneratedPopulation.large
    static let extractDay = day("2025-12-31")

    /// Days since 1970 of a `YYYY-MM-DD…` string.
    static func day(_ text: String) -> Int {
        let parts = text.prefix(10).split(separator: "-").compactMap { Int($0) }
        var components = DateComponents()
        (components.year, components.month, components.day) = (parts[0], parts[1], parts[2])
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return Int(calendar.date(from: components)!.timeIntervalSince1970 / 86_400)
    }

    struct Patient {
        let mrn: String
        let zip: String
        let death: Int?
        var end: Int { min(death ?? PlantedEffectTests.extractDay, PlantedEffectTests.extractDay) }
    }

    func patients() throws -> [String: Patient] {
        var result: [String: Patient] = [:]
        for resource in try GeneratedPopulation.resources(folder, "Patient") {
            let identifiers = resource["identifier"] as? [[String: Any]] ?? []
            let mrn =
                identifiers.first { ($0["system"] as? String)?.hasSuffix("/mrn") == true }?["value"]
                as? String ?? ""
            let zip = (resource["address"] as? [[String: Any]])?.first?["postalCode"] as? String ?? ""
            result[resource["id"] as! String] = Patient(
                mrn: mrn, zip: zip, death: (resource["deceasedDateTime"] as? String).map(Self.day))
        }
        return result
    }

    /// (patient id, day) of every condition with this code.
    func conditions(code: String) throws -> [(String, Int)] {
        try GeneratedPopulation.resources(folder, "Condition", containing: "\"\(code)\"").compactMap {
            resource in
            let codes = (resource.at("code") as? [String: Any])?["coding"] as? [[String: Any]] ?? []
            guard codes.contains(where: { $0["code"] as? String == code }) else { return nil }
            let subject = resource.string("subject.reference")!.split(separator: "/")[1]
            return (String(subject), Self.day(resource["onsetDateTime"] as! String))
        }
    }

    /// A ratio with its 95% CI from the standard error of its logarithm.
    func interval(_ ratio: Double, logSE: Double) -> ClosedRange<Double> {
        exp(log(ratio) - 1.96 * logSE)...exp(log(ratio) + 1.96 * logSE)
    }

    @Test func hypertensionRiskRatioForHighPM25ZIP3s() throws {
        var firstYear: [String: Double] = [:]
        for line in try GeneratedPopulation.lines(folder, "csv/environment-zip3.csv").dropFirst() {
            let fields = line.split(separator: ",")
            if fields[1] == "2008" { firstYear[String(fields[0])] = Double(fields[2]) }
        }
        let hypertensive = Set(try conditions(code: "59621000").map(\.0))
        var cases = [0, 0]
        var totals = [0, 0]
        for (id, patient) in try patients() {
            let group = (firstYear[String(patient.zip.prefix(3))] ?? 0) >= 10 ? 1 : 0
            totals[group] += 1
            if hypertensive.contains(id) { cases[group] += 1 }
        }
        let ratio = (Double(cases[1]) / Double(totals[1])) / (Double(cases[0]) / Double(totals[0]))
        let se = (1 / Double(cases[1]) - 1 / Double(totals[1]) + 1 / Double(cases[0]) - 1 / Double(totals[0]))
            .squareRoot()
        let ci = interval(ratio, logSE: se)
        #expect(ci.contains(1.3), "risk ratio \(ratio), 95% CI \(ci)")
        #expect(ci.upperBound - ci.lowerBound < 0.5, "the estimate should be informative")
    }

    @Test func relapseRateRatiosByTherapyEfficacy() throws {
        let moderate = ["interferon beta-1a", "glatiramer", "dimethyl fumarate", "teriflunomide"]
        let high = ["natalizumab", "ocrelizumab", "alemtuzumab"]
        var exposure: [String: [(Int, Int, Int)]] = [:]
        for request in try GeneratedPopulation.resources(folder, "MedicationRequest") {
            let name = (request.string("medicationCodeableConcept.text") ?? "").lowercased()
            let kind = moderate.contains(name) ? 1 : high.contains(name) ? 2 : 0
            guard kind > 0 else { continue }
            let subject = String(request.string("subject.reference")!.split(separator: "/")[1])
            let start = Self.day(request.string("dispenseRequest.validityPeriod.start")!)
            let end = Self.day(request.string("dispenseRequest.validityPeriod.end")!)
            exposure[subject, default: []].append((start, end, kind))
        }
        let everyone = try patients()
        let relapses = Dictionary(grouping: try conditions(code: "PMAP-C-046"), by: \.0)
        var events = [0.0, 0.0, 0.0]
        var years = [0.0, 0.0, 0.0]
        for (id, diagnosis) in try conditions(code: "24700007") {
            let end = everyone[id]!.end
            func therapy(on day: Int) -> Int { exposure[id]?.first { day >= $0.0 && day <= $0.1 }?.2 ?? 0 }
            for day in diagnosis...end { years[therapy(on: day)] += 1 / 365.25 }
            for (_, day) in relapses[id] ?? [] { events[therapy(on: day)] += 1 }
        }
        let highVsModerate = (events[2] / years[2]) / (events[1] / years[1])
        let moderateVsNone = (events[1] / years[1]) / (events[0] / years[0])
        let ci1 = interval(highVsModerate, logSE: (1 / events[2] + 1 / events[1]).squareRoot())
        let ci2 = interval(moderateVsNone, logSE: (1 / events[1] + 1 / events[0]).squareRoot())
        #expect(ci1.contains(0.45), "high vs moderate \(highVsModerate), 95% CI \(ci1)")
        #expect(ci2.contains(0.7), "moderate vs none \(moderateVsNone), 95% CI \(ci2)")
        let untreated = events[0] / years[0]
        let untreatedCI = interval(untreated, logSE: (1 / events[0]).squareRoot())
        #expect(untreatedCI.contains(0.6), "untreated rate \(untreated), 95% CI \(untreatedCI)")
    }

    @Test func edssSlopesOfTheThreeLatentClasses() throws {
        let truth =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent("truth.json"))) as! [String: Any]
        var classByMRN: [String: Int] = [:]
        for facts in truth["patientLatentFacts"] as! [[String: Any]] {
            if let latent = facts["msClass"] as? Int { classByMRN[facts["mrn"] as! String] = latent }
        }
        let everyone = try patients()
        var series: [String: [(Double, Double)]] = [:]
        let diagnosis = Dictionary(try conditions(code: "24700007"), uniquingKeysWith: min)
        for observation in try GeneratedPopulation.resources(folder, "Observation", containing: "PMAP-M-001")
        {
            let id = String(observation.string("subject.reference")!.split(separator: "/")[1])
            guard let start = diagnosis[id], let value = observation.at("valueQuantity.value") as? Double
            else { continue }
            let years = Double(Self.day(observation["effectiveDateTime"] as! String) - start) / 365.25
            if years <= 10 { series[id, default: []].append((years, value)) }
        }
        var slopes: [Int: [Double]] = [:]
        for (id, points) in series where points.count >= 4 {
            let meanX = points.map(\.0).reduce(0, +) / Double(points.count)
            let meanY = points.map(\.1).reduce(0, +) / Double(points.count)
            let sxy = points.map { ($0.0 - meanX) * ($0.1 - meanY) }.reduce(0, +)
            let sxx = points.map { ($0.0 - meanX) * ($0.0 - meanX) }.reduce(0, +)
            slopes[classByMRN[everyone[id]!.mrn]!, default: []].append(sxy / sxx)
        }
        for (latent, truthSlope) in [0.05, 0.25, 0.5].enumerated() {
            let values = try #require(slopes[latent])
            #expect(values.count >= 10, "class \(latent) has \(values.count) patients")
            let mean = values.reduce(0, +) / Double(values.count)
            let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1))
                .squareRoot()
            let half = 1.96 * sd / Double(values.count).squareRoot()
            #expect(
                (mean - half...mean + half).contains(truthSlope), "class \(latent): slope \(mean) ± \(half)")
        }
    }

    /// Mantel–Haenszel rate ratio over grade-group strata, with the Greenland–Robins variance.
    @Test func brca2MetastasisHazardRatioWithinGradeGroups() throws {
        var carrier: [String: Bool] = [:]
        var samples: [String] = []
        for line in try GeneratedPopulation.lines(folder, "vcf/germline-panel.vcf")
        where !line.hasPrefix("##") {
            let fields = line.split(separator: "\t").map(String.init)
            if line.hasPrefix("#CHROM") {
                samples = Array(fields.dropFirst(9))
            } else if fields[2] == "rs80359550" {
                for (sample, call) in zip(samples, fields.dropFirst(9)) {
                    carrier[sample] = !call.hasPrefix("0/0")
                }
            }
        }
        var grade: [String: String] = [:]
        for observation in try GeneratedPopulation.resources(folder, "Observation", containing: "PMAP-E-005")
        {
            let id = String(observation.string("subject.reference")!.split(separator: "/")[1])
            grade[id] = observation.string("valueCodeableConcept.coding.code")
        }
        let everyone = try patients()
        let metastasis = Dictionary(try conditions(code: "712849003"), uniquingKeysWith: min)
        var strata: [String: (d1: Double, t1: Double, d0: Double, t0: Double)] = [:]
        for (id, diagnosis) in try conditions(code: "93974005") {
            let patient = everyone[id]!
            guard let isCarrier = carrier[patient.mrn], let stratum = grade[id] else { continue }
            let event = metastasis[id]
            let years = Double((event ?? patient.end) - diagnosis) / 365.25
            var s = strata[stratum] ?? (0, 0, 0, 0)
            if isCarrier {
                s.d1 += event == nil ? 0 : 1
                s.t1 += years
            } else {
                s.d0 += event == nil ? 0 : 1
                s.t0 += years
            }
            strata[stratum] = s
        }
        var numerator = 0.0
        var denominator = 0.0
        var variance = 0.0
        for s in strata.values {
            let total = s.t1 + s.t0
            numerator += s.d1 * s.t0 / total
            denominator += s.d0 * s.t1 / total
            variance += (s.d1 + s.d0) * s.t1 * s.t0 / (total * total)
        }
        let ratio = numerator / denominator
        let ci = interval(ratio, logSE: (variance / (numerator * denominator)).squareRoot())
        #expect(strata.count == 5)
        #expect(ci.contains(2.0), "hazard ratio \(ratio), 95% CI \(ci)")
        #expect(ci.lowerBound > 1, "carriers should progress measurably faster")
    }
}
