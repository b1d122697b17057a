import Foundation
import PMAPModel
import PMAPVocabulary

/// Generates the synthetic population one patient at a time, deterministically: patient `i`
/// of seed `s` is the same whatever else is generated.
public struct PopulationGenerator: Sendable {
    public let seed: UInt64
    let codes: Codes

    /// A generator drawing its codes from the starter vocabulary.
    public init(seed: UInt64) throws {
        self.seed = seed
        let vocabulary = try StarterVocabulary.load()
        codes = try Codes(SynthCatalog(vocabulary: vocabulary), mapsTo: vocabulary.mapsTo)
    }

    /// Patient number `index` (0-based).
    public func patient(_ index: Int) -> SynthPatient {
        var builder = PatientBuilder(
            index: index, rng: SynthRandom(seed: seed, stream: UInt64(index)), codes: codes)
        builder.generate()
        return builder.patient
    }
}

/// Every code the generator uses, resolved once.
struct Codes: Sendable {
    let hypertension, diabetes, hyperlipidemia, ckd, depression, obesity: SynthCode
    let prostateCancer, elevatedPSA, biochemicalRecurrence, boneMetastasis: SynthCode
    let multipleSclerosis, rrms, spms, ppms, msRelapse, mriLesionFinding: SynthCode
    let icd10: [Int64: SynthCode]
    let psa, hba1c, creatinine, egfr, ldl, cholesterol, glucose, hemoglobin, vitaminD, testosterone: SynthCode
    let bmi, weight, height, systolic, diastolic, heartRate, edss, t2Lesions, gadLesions, steps: SynthCode
    let gradeGroup, tCategory, mCategory: SynthCode
    let gradeGroups: [SynthCode]
    let tCategories: [SynthCode]
    let m0, m1: SynthCode
    let lisinopril, amlodipine, metformin, atorvastatin, sertraline: SynthCode
    let leuprolide, bicalutamide, abiraterone, enzalutamide, docetaxel: SynthCode
    let moderateDMTs, highDMTs: [SynthCode]
    let cholecalciferol: SynthCode
    let prostateBiopsy, radicalProstatectomy, radiotherapy, brainMRI: SynthCode

    init(_ c: SynthCatalog, mapsTo: [VocabularyContent.MapsTo]) throws {
        hypertension = try c.code(320128)
        diabetes = try c.code(201826)
        hyperlipidemia = try c.code(432867)
        ckd = try c.code(443597)
        depression = try c.code(4_152_280)
        obesity = try c.code(433736)
        prostateCancer = try c.code(200962)
        elevatedPSA = try c.code(2_000_000_002)
        biochemicalRecurrence = try c.code(2_000_000_001)
        boneMetastasis = try c.code(37_016_740)
        multipleSclerosis = try c.code(374919)
        rrms = try c.code(2_000_000_041)
        spms = try c.code(2_000_000_042)
        ppms = try c.code(2_000_000_043)
        msRelapse = try c.code(2_000_000_046)
        mriLesionFinding = try c.code(2_000_000_047)
        var icd: [Int64: SynthCode] = [:]
        for standard in [
            hypertension, diabetes, hyperlipidemia, ckd, depression, obesity, prostateCancer,
            multipleSclerosis,
        ] {
            icd[standard.conceptID] = c.icd10(for: standard.conceptID, mapsTo: mapsTo)
        }
        icd10 = icd
        psa = try c.code(3_013_603)
        hba1c = try c.code(3_004_410)
        creatinine = try c.code(3_016_723)
        egfr = try c.code(40_764_999)
        ldl = try c.code(3_028_288)
        cholesterol = try c.code(3_027_114)
        glucose = try c.code(3_004_501)
        hemoglobin = try c.code(3_000_963)
        vitaminD = try c.code(40_765_040)
        testosterone = try c.code(3_008_893)
        bmi = try c.code(3_038_553)
        weight = try c.code(3_025_315)
        height = try c.code(3_036_277)
        systolic = try c.code(3_004_249)
        diastolic = try c.code(3_012_888)
        heartRate = try c.code(3_027_018)
        edss = try c.code(2_000_000_500)
        t2Lesions = try c.code(2_000_000_501)
        gadLesions = try c.code(2_000_000_502)
        steps = try c.code(2_000_001_003)
        gradeGroup = try c.code(2_000_001_005)
        tCategory = try c.code(2_000_001_006)
        mCategory = try c.code(2_000_001_007)
        gradeGroups = try [36_662_377, 36_662_565, 36_662_476, 36_662_300, 36_662_543].map(c.code)
        tCategories = try [1_538_812, 1_538_375, 1_538_400, 1_538_855].map(c.code)
        m0 = try c.code(2_000_000_026)
        m1 = try c.code(1_538_290)
        lisinopril = try c.code(1_308_216)
        amlodipine = try c.code(1_332_418)
        metformin = try c.code(1_503_297)
        atorvastatin = try c.code(1_545_958)
        sertraline = try c.code(739138)
        leuprolide = try c.code(1_351_541)
        bicalutamide = try c.code(1_344_381)
        abiraterone = try c.code(40_239_056)
        enzalutamide = try c.code(42_900_250)
        docetaxel = try c.code(1_315_942)
        moderateDMTs = try [722424, 751889, 43_526_424, 42_900_584].map(c.code)
        highDMTs = try [735843, 2_000_000_518, 1_312_706].map(c.code)
        cholecalciferol = try c.code(19_095_164)
        prostateBiopsy = try c.code(4_278_515)
        radicalProstatectomy = try c.code(4_096_783)
        radiotherapy = try c.code(4_141_448)
        brainMRI = try c.code(44_784_284)
    }

    /// The OMOP unit concepts of the UCUM units the generator reports.
    static let units: [String: Int64] = [
        "ng/mL": 8842, "%": 8554, "mg/dL": 8840, "mL/min/{1.73_m2}": 720870, "g/dL": 8713, "ng/dL": 8817,
        "kg/m2": 9531, "kg": 9529, "cm": 8582, "mm[Hg]": 8876, "/min": 8541, "{score}": 44_777_566,
        "{count}": 0,
        "{steps}/d": 0,
    ]

    static func unit(_ ucum: String) -> SynthPatient.Unit {
        SynthPatient.Unit(ucum: ucum, conceptID: units[ucum] ?? 0)
    }
}
