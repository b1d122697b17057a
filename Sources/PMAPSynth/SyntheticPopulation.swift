import Foundation
import PMAPModel

/// The output formats of `pmap synth`; all but `omopCSV` together describe one population.
public enum SynthFormat: String, CaseIterable, Sendable {
    case fhir
    case hl7v2
    case vcf
    case csv
    case omopCSV = "omop-csv"

    /// The formats written when none are named.
    public static let defaults: [SynthFormat] = [.fhir, .hl7v2, .vcf, .csv]

    /// Parses a comma-separated list such as `fhir,hl7v2`; throws a usage error naming an
    /// unknown format and listing the known ones.
    public static func parseList(_ text: String) throws -> [SynthFormat] {
        var formats: [SynthFormat] = []
        for name in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() })
        where !name.isEmpty {
            guard let format = SynthFormat(rawValue: name) else {
                throw PMAPError(
                    .usage,
                    "unknown format '\(name)'; choose from \(allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            if !formats.contains(format) { formats.append(format) }
        }
        guard !formats.isEmpty else {
            throw PMAPError(
                .usage, "--formats is empty; choose from \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return formats
    }
}

/// What a generation run produced.
public struct SynthSummary: Sendable {
    public let patients: Int
    /// Bytes written per output file (relative path).
    public let bytesByFile: [String: Int]

    public init(patients: Int, bytesByFile: [String: Int]) {
        self.patients = patients
        self.bytesByFile = bytesByFile
    }
}

/// Generates a synthetic population and renders it in the chosen formats, streaming: each
/// patient is generated, written to every format, and dropped.
public enum SyntheticPopulation {
    /// The identifier system of the synthetic hospital's MRNs (FHIR `Patient.identifier.system`,
    /// HL7 PID-3's assigning authority, the names of VCF samples and the CSV `mrn` column).
    public static let mrnSystem = "https://hospital.example.org/fhir/sid/mrn"

    /// Writes `patients` patients of `seed` in `formats` to `sink`, plus `truth.json`;
    /// `progress` is called now and then with the number of patients done.
    public static func generate(
        patients: Int, seed: UInt64, formats: [SynthFormat], sink: SynthSink,
        progress: (Int) -> Void = { _ in }
    ) throws {
        guard patients > 0 else { throw PMAPError(.usage, "--patients must be at least 1") }
        let generator = try PopulationGenerator(seed: seed)
        var renderers: [SynthRenderer] = [try TruthRenderer(sink: sink, seed: seed, patients: patients)]
        for format in formats {
            switch format {
            case .fhir: renderers.append(try FHIRRenderer(sink: sink))
            case .hl7v2: renderers.append(try HL7v2Renderer(sink: sink))
            case .vcf: renderers.append(VCFRenderer(sink: sink))
            case .csv: renderers.append(try CSVRenderer(sink: sink))
            case .omopCSV: renderers.append(try OMOPCSVRenderer(sink: sink))
            }
        }
        for index in 0..<patients {
            let patient = generator.patient(index)
            for renderer in renderers { try renderer.render(patient) }
            if index % 1000 == 999 { progress(index + 1) }
        }
        for renderer in renderers { try renderer.finish() }
        progress(patients)
    }
}
