import Foundation
import PMAPModel

extension PatientBuilder {
    /// Diagnosis, latent trajectory class (EDSS slope), phenotype, relapses whose rate
    /// depends on the current therapy (planted rate ratios), EDSS at neurology visits,
    /// MRI lesion counts, disease-modifying therapies and vitamin D.
    mutating func multipleSclerosisModule() {
        let risk = patient.sex == .female ? PlantedTruth.msRisk.female : PlantedTruth.msRisk.male
        guard rng.chance(risk) else { return }
        let earliest = max(patient.firstSeen, patient.birthDate + Int(20 * 365.25))
        let latest = min(PlantedTruth.dataEnd, patient.birthDate + Int(55 * 365.25))
        guard earliest < latest else { return }
        let diagnosis = earliest + rng.int(0...(latest - earliest))
        guard diagnosis <= lastSeen - 30 else { return }

        let latentClass = rng.weighted(PlantedTruth.msClassShares)
        let progressive = latentClass == 2 && rng.chance(0.6)
        patient.latent.msClass = latentClass
        patient.latent.msDiagnosis = diagnosis
        patient.latent.msPhenotype = progressive ? "PPMS" : "RRMS"
        condition(codes.multipleSclerosis, on: diagnosis)
        condition(progressive ? codes.ppms : codes.rrms, on: diagnosis)

        // Therapy plan: none, moderate or high efficacy from 30 days after diagnosis; one in
        // five on moderate therapy escalates to high efficacy after two years.
        let start = diagnosis + 30
        let plan = rng.weighted([0.2, 0.45, 0.35])
        var periods: [(from: Day, to: Day, kind: Int)] = [(diagnosis, start - 1, 0)]
        if plan == 0 {
            periods.append((start, lastSeen, 0))
        } else if plan == 1 {
            let moderate = rng.pick(codes.moderateDMTs)
            let escalate = rng.chance(0.2) && start + 730 < lastSeen
            let switchDay = escalate ? start + 730 : lastSeen + 1
            prescribe(moderate, from: start, to: min(lastSeen, switchDay - 1))
            periods.append((start, min(lastSeen, switchDay - 1), 1))
            if escalate {
                prescribe(rng.pick(codes.highDMTs), from: switchDay, to: lastSeen)
                periods.append((switchDay, lastSeen, 2))
            }
        } else {
            prescribe(rng.pick(codes.highDMTs), from: start, to: lastSeen)
            periods.append((start, lastSeen, 2))
        }

        // Relapses: a Poisson process whose rate is set by the therapy in force.
        let rates = [
            PlantedTruth.relapseRateUntreated,
            PlantedTruth.relapseRateUntreated * PlantedTruth.relapseRateRatioModerateVsNone,
            PlantedTruth.relapseRateUntreated * PlantedTruth.relapseRateRatioModerateVsNone
                * PlantedTruth.relapseRateRatioHighVsModerate,
        ]
        for period in periods where period.to >= period.from {
            var day = Double(period.from.value)
            let end = Double(period.to.value + 1)
            while true {
                day += rng.exponential(rate: rates[period.kind] / 365.25)
                if day >= end { break }
                condition(codes.msRelapse, on: Day(Int(day)))
            }
        }

        // Neurology visits every six months: EDSS on the latent class's slope.
        let baseline = rng.uniform(1.0, 2.5)
        let slope = PlantedTruth.msClassEDSSSlopes[latentClass]
        var day = diagnosis
        var convertedToSP = false
        while day <= lastSeen {
            let years = Double(day - diagnosis) / 365.25
            let raw = baseline + slope * years + rng.normal(mean: 0, sd: 0.25)
            let edss = min(9.5, max(0, (raw * 2).rounded() / 2))
            measure(codes.edss, on: day, edss, unit: "{score}", low: 0, high: 10, channel: .ehr)
            if !progressive && !convertedToSP && edss >= 4.5 && years >= 3 {
                convertedToSP = true
                condition(codes.spms, on: day)
            }
            day = day + 182
        }

        // Yearly brain MRI: cumulative T2 lesions and gadolinium-enhancing lesions.
        var t2 = rng.poisson(mean: 9)
        day = diagnosis - 14
        var first = true
        while day <= lastSeen {
            procedure(codes.brainMRI, on: day)
            if first {
                condition(codes.mriLesionFinding, on: day)
                first = false
            }
            let active = rng.poisson(mean: 0.8 * (slope + 0.3))
            t2 += active + rng.poisson(mean: 0.5)
            measure(codes.t2Lesions, on: day, Double(t2), unit: "{count}", channel: .ehr, decimals: 0)
            measure(codes.gadLesions, on: day, Double(active), unit: "{count}", channel: .ehr, decimals: 0)
            day = day + 365
        }

        // Vitamin D at diagnosis and yearly; supplementation when low.
        day = diagnosis
        var supplemented = false
        while day <= lastSeen {
            let level = max(4, rng.normal(mean: supplemented ? 32 : 22, sd: 8))
            measure(
                codes.vitaminD, on: day, level, unit: "ng/mL", low: 30, high: 100, channel: .lab, decimals: 0)
            if level < 20 && !supplemented {
                supplemented = true
                prescribe(codes.cholecalciferol, from: day, to: lastSeen, supply: 90)
            }
            day = day + 365
        }
    }
}
