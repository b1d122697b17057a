import PMAPModel

/// The effects the generator plants, with their true values. `truth.json` writes them out;
/// tests re-estimate each from the generated files and check the truth lies in the 95% CI.
public enum PlantedTruth {
    /// The data window: the hospital's records run from this day ...
    public static let dataStart = Day(year: 2008, month: 1, day: 1)
    /// ... to this day (the day the extract was taken).
    public static let dataEnd = Day(year: 2025, month: 12, day: 31)

    // Prostate cancer.
    /// Hazard ratio of metastatic progression after diagnosis, BRCA2 carriers vs non-carriers,
    /// within each ISUP grade group (the baseline hazard depends on grade group only).
    public static let brca2ProgressionHazardRatio = 2.0
    /// Yearly hazard of metastasis for a non-carrier, by ISUP grade group 1...5.
    public static let progressionHazardByGradeGroup: [Double] = [0.02, 0.04, 0.07, 0.11, 0.16]

    // Multiple sclerosis.
    /// Yearly relapse rate with no disease-modifying therapy.
    public static let relapseRateUntreated = 0.6
    /// Relapse rate ratio, moderate-efficacy therapy vs none.
    public static let relapseRateRatioModerateVsNone = 0.7
    /// Relapse rate ratio, high-efficacy therapy vs moderate-efficacy therapy.
    public static let relapseRateRatioHighVsModerate = 0.45
    /// The latent MS trajectory classes: share of patients and EDSS points gained per year.
    public static let msClassShares = [0.5, 0.35, 0.15]
    public static let msClassEDSSSlopes = [0.05, 0.25, 0.5]
    public static let msClassNames = ["stable", "moderate progression", "rapid progression"]

    // Environment.
    /// Risk ratio of a recorded hypertension diagnosis for residents of high-PM2.5 ZIP3s
    /// (annual mean ≥ 10 µg/m³) vs the others.
    public static let hypertensionRiskRatioHighPM25 = 1.3

    // Enrichment: a precision-medicine hospital sees far more of its centers' diseases than
    // the general population has.
    /// Lifetime chance of MS among women and men (population ~0.3%; enriched).
    public static let msRisk = (female: 0.04, male: 0.015)
    /// Chance of prostate cancer during the record for men aged 50+ (enriched).
    public static let prostateCancerRisk = 0.14
    /// Carrier frequency of the panel's pathogenic variants among tested men (enriched).
    public static let brca2CarrierFrequency = 0.12
    /// Share of patients who opt out of research use.
    public static let researchOptOutShare = 0.03
    /// Share of patients with a wearable step counter.
    public static let wearableShare = 0.08
}
