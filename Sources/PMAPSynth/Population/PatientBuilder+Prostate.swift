import Foundation
import PMAPModel

extension PatientBuilder {
    /// Germline genotypes, PSA screening, diagnosis, grade and stage, treatment by grade
    /// group, PSA after treatment, recurrence, metastasis (hazard planted by grade group and
    /// BRCA2 status) and cancer death.
    mutating func prostateModule() {
        // Germline genotypes exist for every man; only those tested show them in the VCF.
        var genotypes: [UInt8] = []
        for (index, variant) in GermlinePanel.variants.enumerated() {
            if index == GermlinePanel.brca2Pathogenic {
                genotypes.append(rng.chance(PlantedTruth.brca2CarrierFrequency) ? 1 : 0)
            } else if variant.significance == "Pathogenic" {
                genotypes.append(rng.chance(variant.alleleFrequency) ? 1 : 0)
            } else {
                let p = variant.alleleFrequency
                genotypes.append(UInt8((rng.chance(p) ? 1 : 0) + (rng.chance(p) ? 1 : 0)))
            }
        }
        let brca2 = genotypes[GermlinePanel.brca2Pathogenic] == 1
        patient.latent.brca2Carrier = brca2

        let age50 = patient.birthDate + Int(50 * 365.25)
        let screeningStart = max(patient.firstSeen, age50)
        guard screeningStart < lastSeen else { return }

        // Diagnosis (enriched incidence, higher in BRCA2 carriers).
        var diagnosis: Day?
        if rng.chance(PlantedTruth.prostateCancerRisk * (brca2 ? 1.5 : 1)) {
            let earliest = screeningStart + 180
            if earliest < PlantedTruth.dataEnd {
                let day = earliest + rng.int(0...(PlantedTruth.dataEnd - earliest))
                if day <= lastSeen - 30 { diagnosis = day }
            }
        }
        // Tested: every man with prostate cancer, one in ten of the others aged 50+.
        if diagnosis != nil || rng.chance(0.1) {
            patient.germlineGenotypes = genotypes
            patient.germlineTestDate = (diagnosis ?? screeningStart) + 21
        }

        // Yearly PSA screening before diagnosis: slow growth, faster in the two years before it.
        let basePSA = exp(rng.normal(mean: 0.0, sd: 0.5))
        var day = screeningStart
        let screeningEnd = diagnosis.map { $0 - 60 } ?? lastSeen
        while day <= screeningEnd {
            let years = age(on: day) - 50
            var psa = basePSA * exp(0.03 * years)
            if let diagnosis, diagnosis - day < 730 { psa += 4.5 * Double(730 - (diagnosis - day)) / 730 }
            measure(
                codes.psa, on: day, psa * exp(rng.normal(mean: 0, sd: 0.1)), unit: "ng/mL", high: 4,
                channel: .lab, decimals: 2)
            day = day + 365 + rng.int(-30...30)
        }
        guard let diagnosis else { return }
        patient.latent.prostateDiagnosis = diagnosis

        let psaAtDiagnosis = rng.uniform(4.5, 14)
        measure(
            codes.psa, on: diagnosis - 60, psaAtDiagnosis, unit: "ng/mL", high: 4, channel: .lab, decimals: 2)
        condition(codes.elevatedPSA, on: diagnosis - 60)
        procedure(codes.prostateBiopsy, on: diagnosis - 21)
        condition(codes.prostateCancer, on: diagnosis)
        let grade = rng.weighted([0.3, 0.3, 0.17, 0.12, 0.11])
        patient.latent.prostateGradeGroup = grade + 1
        measureCoded(codes.gradeGroup, on: diagnosis, value: codes.gradeGroups[grade])
        let tCategory = min(3, max(0, grade / 2 + rng.weighted([0.5, 0.35, 0.15])))
        measureCoded(codes.tCategory, on: diagnosis, value: codes.tCategories[tCategory])
        measureCoded(codes.mCategory, on: diagnosis, value: codes.m0)

        // Metastatic progression: exponential hazard by grade group, times the BRCA2 ratio.
        let hazard =
            PlantedTruth.progressionHazardByGradeGroup[grade]
            * (brca2 ? PlantedTruth.brca2ProgressionHazardRatio : 1)
        let metastasis = diagnosis + Int(rng.exponential(rate: hazard) * 365.25)
        let recurrence = diagnosis + Int(rng.exponential(rate: 0.08) * 365.25) + 180

        // Treatment follows the grade group.
        let treatmentDay = diagnosis + 45
        var nadir = psaAtDiagnosis
        switch grade {
        case 0:
            nadir = psaAtDiagnosis  // active surveillance
        case 1, 2:
            procedure(codes.radicalProstatectomy, on: treatmentDay)
            nadir = 0.03
        default:
            procedure(codes.radiotherapy, on: treatmentDay)
            prescribe(codes.leuprolide, from: treatmentDay, to: min(lastSeen, treatmentDay + 2 * 365))
            prescribe(
                codes.bicalutamide, from: treatmentDay, to: min(lastSeen, treatmentDay + 30), supply: 30)
            nadir = 0.4
        }

        // Follow-up PSA every six months.
        day = treatmentDay + 90
        var recurred = false
        while day <= lastSeen {
            var psa: Double
            if day >= metastasis {
                psa = 25 * exp(Double(day - metastasis) / 365)
            } else if grade > 0 && day >= recurrence {
                if !recurred {
                    recurred = true
                    condition(codes.biochemicalRecurrence, on: day)
                }
                psa = 0.25 * exp(Double(day - recurrence) / 240)
            } else if grade == 0 {
                psa = nadir * exp(0.08 * Double(day - diagnosis) / 365)
            } else {
                psa = nadir
            }
            measure(
                codes.psa, on: day, psa * exp(rng.normal(mean: 0, sd: 0.08)), unit: "ng/mL", high: 4,
                channel: .lab, decimals: 2)
            day = day + 182
        }

        guard metastasis <= lastSeen else { return }
        patient.latent.prostateMetastasis = metastasis
        condition(codes.boneMetastasis, on: metastasis)
        measureCoded(codes.mCategory, on: metastasis, value: codes.m1)
        prescribe(codes.leuprolide, from: metastasis, to: lastSeen)
        prescribe(
            rng.chance(0.5) ? codes.abiraterone : codes.enzalutamide, from: metastasis + 14, to: lastSeen)
        if rng.chance(0.4) {
            prescribe(
                codes.docetaxel, from: metastasis + 60, to: min(lastSeen, metastasis + 60 + 126), supply: 21)
        }
        measure(
            codes.testosterone, on: metastasis + 90, rng.uniform(8, 40), unit: "ng/dL", low: 264, high: 916,
            channel: .lab, decimals: 0)
        // Cancer death after metastasis; it ends follow-up.
        let cancerDeath = metastasis + Int(rng.exponential(rate: 0.3) * 365.25)
        if cancerDeath < lastSeen {
            patient.lastSeen = cancerDeath
            patient.deathDate = cancerDeath
        }
    }
}
