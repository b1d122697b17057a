import Foundation
import PMAPPlatform
import PMAPTestSupport
import Testing

/// The fixed-seed output that `scripts/validate-synth-output.py` checked with fhir.resources
/// (FHIR R4 models) and python-hl7: its report is committed, and this test checks that the
/// same seed still produces byte-identical files (same manifest hash). When the generator
/// changes on purpose, regenerate the report with the commands in the script's header.
struct SynthValidationTests {
    @Test func fixedSeedOutputIsTheOneTheExternalValidatorPassed() throws {
        let reportURL = SharedData.packageRoot.appendingPathComponent(
            "Tests/PMAPSynthTests/Fixtures/synth-validation-report.json")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: reportURL)) as? [String: Any])
        #expect((report["errors"] as? [Any])?.isEmpty == true, "the external validator reported errors")
        let fhir = try #require(report["fhirResourcesValid"] as? [String: Int])
        for type in [
            "Patient", "Encounter", "Condition", "Observation", "MedicationRequest", "Procedure", "Consent",
            "Organization",
        ] {
            #expect((fhir[type] ?? 0) > 0, "the validator checked no \(type)")
        }
        #expect(fhir["Patient"] == 100)
        let hl7 = try #require(report["hl7MessagesParsed"] as? [String: Int])
        #expect(hl7["ADT^A04^ADT_A01"] == 100 && (hl7["ORU^R01^ORU_R01"] ?? 0) > 0)

        let output = GeneratedPopulation.generate(
            patients: 100, seed: 20_261_129, formats: SynthFormat.allCases)
        defer { try? FileManager.default.removeItem(at: output) }
        let hash = try GeneratedPopulation.manifestHash(output)
        #expect(
            hash == report["manifestSha256"] as? String,
            "pmap synth --patients 100 --seed 20261129 no longer produces the validated output; rerun scripts/validate-synth-output.py"
        )
    }
}
