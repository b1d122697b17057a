/// `truth.json`: every planted effect with its true value and definition, the enrichment
/// parameters, and each patient's latent facts, kept apart from the data a user would load.
final class TruthRenderer: SynthRenderer {
    private let stream: TextStream
    private var first = true

    init(sink: SynthSink, seed: UInt64, patients: Int) throws {
        stream = try sink.stream("truth.json")
        func effect(_ name: String, _ value: Double, _ definition: String, _ estimate: String) -> String {
            #"    {"name": \#(Text.json(name)), "value": \#(value), "definition": \#(Text.json(definition)), "howToEstimate": \#(Text.json(estimate))}"#
        }
        let effects = [
            effect(
                "brca2_metastasis_hazard_ratio", PlantedTruth.brca2ProgressionHazardRatio,
                "Hazard ratio of bone metastasis after prostate cancer diagnosis, BRCA2 c.5946del carriers vs non-carriers, within ISUP grade group (baseline hazard constant in time, set by grade group).",
                "Among men with a prostate cancer diagnosis and a germline panel: time from diagnosis to the metastasis condition, censored at death or the end of data; Cox model stratified by grade group, or a Mantel-Haenszel rate ratio over grade groups."
            ),
            effect(
                "ms_relapse_rate_ratio_high_vs_moderate_efficacy",
                PlantedTruth.relapseRateRatioHighVsModerate,
                "Relapse rate ratio during high-efficacy disease-modifying therapy (natalizumab, ocrelizumab, alemtuzumab) vs moderate-efficacy therapy (interferon beta-1a, glatiramer, dimethyl fumarate, teriflunomide).",
                "Relapses (MS relapse conditions) per person-year of exposure to each therapy class, exposure from the drug records; ratio with a Poisson confidence interval."
            ),
            effect(
                "ms_relapse_rate_ratio_moderate_efficacy_vs_none",
                PlantedTruth.relapseRateRatioModerateVsNone,
                "Relapse rate ratio during moderate-efficacy therapy vs no therapy (from MS diagnosis to end of follow-up).",
                "As above, untreated time being follow-up after MS diagnosis not covered by any disease-modifying therapy."
            ),
            effect(
                "ms_relapse_rate_untreated_per_year", PlantedTruth.relapseRateUntreated,
                "Yearly relapse rate without disease-modifying therapy.",
                "Relapses per person-year of untreated follow-up."),
            effect(
                "ms_edss_slope_class_stable", PlantedTruth.msClassEDSSSlopes[0],
                "EDSS points per year in latent trajectory class 0 (stable); EDSS every six months, rounded to 0.5, noise SD 0.25.",
                "Per-patient least-squares EDSS slope over the first ten years after diagnosis, averaged within the class."
            ),
            effect(
                "ms_edss_slope_class_moderate", PlantedTruth.msClassEDSSSlopes[1],
                "EDSS points per year in latent class 1.",
                "As for class 0."),
            effect(
                "ms_edss_slope_class_rapid", PlantedTruth.msClassEDSSSlopes[2],
                "EDSS points per year in latent class 2 (60% of this class have primary progressive MS).",
                "As for class 0."),
            effect(
                "hypertension_risk_ratio_high_pm25", PlantedTruth.hypertensionRiskRatioHighPM25,
                "Risk ratio of a recorded essential hypertension diagnosis for residents of ZIP3s whose PM2.5 annual mean is at least 10 µg/m³ (environment table, first year) vs the others.",
                "Share of patients with an essential hypertension condition in each exposure group; ratio with a log-normal confidence interval."
            ),
        ]
        let enrichment = """
              "msRisk": {"female": \(PlantedTruth.msRisk.female), "male": \(PlantedTruth.msRisk.male)},
              "prostateCancerRiskMen50Plus": \(PlantedTruth.prostateCancerRisk),
              "brca2CarrierFrequencyMen": \(PlantedTruth.brca2CarrierFrequency),
              "researchOptOutShare": \(PlantedTruth.researchOptOutShare),
              "wearableShare": \(PlantedTruth.wearableShare)
            """
        try stream.write(
            """
            {
              "generator": "pmap synth",
              "seed": \(seed),
              "patients": \(patients),
              "dataWindow": {"start": "\(PlantedTruth.dataStart.iso)", "end": "\(PlantedTruth.dataEnd.iso)"},
              "msLatentClasses": [\(PlantedTruth.msClassNames.enumerated().map { "{\"class\": \($0.offset), \"name\": \"\($0.element)\", \"share\": \(PlantedTruth.msClassShares[$0.offset]), \"edssSlopePerYear\": \(PlantedTruth.msClassEDSSSlopes[$0.offset])}" }.joined(separator: ", "))],
              "effects": [
            \(effects.joined(separator: ",\n"))
              ],
              "enrichment": {
            \(enrichment)
              },
              "patientLatentFacts": [

            """)
    }

    func render(_ p: SynthPatient) throws {
        var fields = [#""mrn": "\#(p.mrn)""#, #""personId": \#(p.personID)"#]
        let latent = p.latent
        if let value = latent.msClass { fields.append(#""msClass": \#(value)"#) }
        if let value = latent.msPhenotype { fields.append(#""msPhenotype": "\#(value)""#) }
        if let value = latent.msDiagnosis { fields.append(#""msDiagnosis": "\#(value.iso)""#) }
        if let value = latent.prostateDiagnosis { fields.append(#""prostateDiagnosis": "\#(value.iso)""#) }
        if let value = latent.prostateGradeGroup { fields.append(#""gradeGroup": \#(value)"#) }
        if let value = latent.prostateMetastasis { fields.append(#""metastasis": "\#(value.iso)""#) }
        if latent.brca2Carrier { fields.append(#""brca2Carrier": true"#) }
        fields.append(#""highPM25": \#(latent.highPM25)"#)
        if latent.hypertension { fields.append(#""hypertensionOnsetInWindow": true"#) }
        try stream.write((first ? "    {" : ",\n    {") + fields.joined(separator: ", ") + "}")
        first = false
    }

    func finish() throws {
        try stream.write("\n  ]\n}\n")
        try stream.drain()
    }
}
