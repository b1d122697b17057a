import Foundation
import PMAPModel

extension PatientBuilder {
    /// Routine care: visits with vital signs and labs, common chronic conditions with their
    /// medications, and the environment-driven hypertension risk (planted).
    mutating func background() {
        let ageAtEnd = age(on: PlantedTruth.dataEnd)
        let ageFactor = min(max((ageAtEnd - 25) / 50, 0), 1)
        let environment = PopulationTables.environment(zip3: patient.address.zip3)
        let highPM25 = environment.pm25 >= PopulationTables.highPM25Threshold
        patient.latent.highPM25 = highPM25

        // Chronic conditions: whether the patient develops each during the window, and when.
        // Onsets are uniform over the whole window, so death truncates both exposure groups alike.
        func onset(_ probability: Double) -> Day? {
            guard rng.chance(probability) else { return nil }
            let start = patient.firstSeen + 30
            guard start < PlantedTruth.dataEnd else { return nil }
            let day = start + rng.int(0...(PlantedTruth.dataEnd - start))
            return day <= lastSeen ? day : nil
        }
        let hypertensionBase = 0.5 * ageFactor
        let hypertension = onset(
            hypertensionBase * (highPM25 ? PlantedTruth.hypertensionRiskRatioHighPM25 : 1))
        patient.latent.hypertension = hypertension != nil
        let diabetes = onset(0.25 * ageFactor)
        let hyperlipidemia = onset(0.35 * ageFactor)
        let kidney = onset(0.12 * ageFactor * ageFactor)
        let depression = onset(0.12)
        let obese = rng.chance(0.35)

        let heightCM = patient.sex == .male ? rng.normal(mean: 176, sd: 7) : rng.normal(mean: 162, sd: 6.5)
        var weightKG = (obese ? rng.uniform(31, 40) : rng.uniform(19, 29)) * pow(heightCM / 100, 2)
        let baseSystolic = rng.normal(mean: 118, sd: 9)
        let baseLDL = rng.normal(mean: 110, sd: 20)
        let baseCreatinine = patient.sex == .male ? rng.uniform(0.75, 1.15) : rng.uniform(0.6, 1.0)

        for (index, day) in routineVisitDays().enumerated() {
            visit(on: day)
            weightKG += rng.normal(mean: 0.2, sd: 1.2)
            let treatedHTN = hypertension.map { day > $0 + 30 } ?? false
            let untreatedHTN = hypertension.map { day >= $0 - 200 && day <= $0 + 30 } ?? false
            let systolic =
                baseSystolic + (untreatedHTN ? 28 : treatedHTN ? 12 : 0) + rng.normal(mean: 0, sd: 7)
            let diastolic = systolic * 0.62 + rng.normal(mean: 2, sd: 5)
            measure(
                codes.systolic, on: day, systolic, unit: "mm[Hg]", low: 90, high: 130, channel: .ehr,
                decimals: 0)
            measure(
                codes.diastolic, on: day, diastolic, unit: "mm[Hg]", low: 60, high: 80, channel: .ehr,
                decimals: 0)
            measure(codes.weight, on: day, weightKG, unit: "kg", channel: .ehr)
            measure(
                codes.bmi, on: day, weightKG / pow(heightCM / 100, 2), unit: "kg/m2", low: 18.5, high: 25,
                channel: .ehr)
            if index == 0 {
                measure(codes.height, on: day, heightCM, unit: "cm", channel: .ehr)
                measure(
                    codes.heartRate, on: day, rng.normal(mean: 72, sd: 9), unit: "/min", low: 60, high: 100,
                    channel: .ehr, decimals: 0)
            }
            // Labs at about every second visit, through the lab feed.
            if index % 2 == 0 {
                let diabetic = diabetes.map { day >= $0 - 120 } ?? false
                let kidneyDisease = kidney.map { day >= $0 - 120 } ?? false
                let creatinine =
                    baseCreatinine * (kidneyDisease ? rng.uniform(1.6, 2.4) : 1)
                    + rng.normal(mean: 0, sd: 0.05)
                let ageNow = age(on: day)
                let egfr =
                    142 * pow(min(creatinine / 0.9, 1), -0.302) * pow(max(creatinine / 0.9, 1), -1.2)
                    * pow(0.9938, ageNow)
                measure(
                    codes.creatinine, on: day, creatinine, unit: "mg/dL", low: 0.6, high: 1.3, channel: .lab,
                    decimals: 2)
                measure(
                    codes.egfr, on: day, egfr, unit: "mL/min/{1.73_m2}", low: 60, channel: .lab, decimals: 0)
                let hba1c = diabetic ? rng.normal(mean: 7.6, sd: 0.8) : rng.normal(mean: 5.3, sd: 0.3)
                measure(codes.hba1c, on: day, hba1c, unit: "%", low: 4, high: 5.6, channel: .lab)
                let onStatin = hyperlipidemia.map { day > $0 + 30 } ?? false
                let raisedLDL = hyperlipidemia.map { day >= $0 - 200 } ?? false
                let ldl = (baseLDL + (raisedLDL ? 55 : 0)) * (onStatin ? 0.6 : 1) + rng.normal(mean: 0, sd: 8)
                measure(codes.ldl, on: day, ldl, unit: "mg/dL", high: 130, channel: .lab, decimals: 0)
                measure(
                    codes.cholesterol, on: day, ldl + rng.normal(mean: 75, sd: 12), unit: "mg/dL", high: 200,
                    channel: .lab, decimals: 0)
                measure(
                    codes.hemoglobin, on: day, rng.normal(mean: patient.sex == .male ? 14.8 : 13.2, sd: 0.9),
                    unit: "g/dL", low: 12, high: 17.5, channel: .lab)
            }
        }

        if let day = hypertension {
            condition(codes.hypertension, on: day)
            prescribe(rng.chance(0.6) ? codes.lisinopril : codes.amlodipine, from: day, to: lastSeen)
        }
        if let day = diabetes {
            condition(codes.diabetes, on: day)
            prescribe(codes.metformin, from: day, to: lastSeen)
        }
        if let day = hyperlipidemia {
            condition(codes.hyperlipidemia, on: day)
            prescribe(codes.atorvastatin, from: day, to: lastSeen)
        }
        if let day = kidney { condition(codes.ckd, on: day) }
        if let day = depression {
            condition(codes.depression, on: day)
            prescribe(codes.sertraline, from: day, to: min(lastSeen, day + 365 * rng.int(1...3)))
        }
        if obese { condition(codes.obesity, on: patient.firstSeen) }

        // Occasional emergency and inpatient stays.
        var day = patient.firstSeen + Int(rng.exponential(rate: 0.06 / 365))
        while day <= lastSeen {
            visit(on: day, kind: rng.chance(0.3) ? .inpatient : .emergency)
            day = day + Int(rng.exponential(rate: 0.06 / 365)) + 1
        }
    }

    /// Research opt-out (FHIR Consent) and wearable step counts.
    mutating func consentAndDevices() {
        if rng.chance(PlantedTruth.researchOptOutShare) {
            patient.researchOptOut = patient.firstSeen + rng.int(0...max(0, lastSeen - patient.firstSeen))
        }
        if rng.chance(PlantedTruth.wearableShare) {
            let mobility = (patient.measurements.last { $0.code == codes.edss }?.value ?? 0) >= 4 ? 0.5 : 1.0
            let usual = rng.normal(mean: 7500, sd: 2000) * mobility
            let days = min(90, lastSeen - patient.firstSeen)
            for offset in stride(from: days, to: 0, by: -1) {
                let steps = max(0, Int(usual + rng.normal(mean: 0, sd: 1800)))
                patient.stepCounts.append(SynthPatient.StepCount(day: lastSeen - offset, steps: steps))
            }
        }
    }
}
