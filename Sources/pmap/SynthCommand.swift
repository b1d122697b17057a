import ArgumentParser
import Foundation
import PMAPPlatform

struct SynthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract:
            "Generate a synthetic patient population (FHIR, HL7 v2, VCF, CSV, OMOP CSV) with planted truths.",
        discussion: """
            The same --seed gives byte-identical files. fhir, hl7v2, vcf and csv together describe one
            population (same patients, same MRNs); omop-csv is that population already in CDM form, to be
            loaded into a store of its own. DIR/truth.json lists the planted effects and latent facts.
            """)

    @Option(name: .long, help: "Number of patients (at least 1).")
    var patients: Int

    @Option(name: .long, help: "Random seed; the same seed gives the same files.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Output folder (new or empty, unless --force).")
    var out: String

    @Option(
        name: .long,
        help: "Comma-separated formats: fhir, hl7v2, vcf, csv, omop-csv (default: all but omop-csv).")
    var formats = "fhir,hl7v2,vcf,csv"

    @Flag(name: .long, help: "Write into a non-empty folder, replacing the files pmap synth writes.")
    var force = false

    @Flag(name: .long, help: "Write machine-readable JSON to stdout.")
    var json = false

    func validate() throws {
        guard patients > 0 else { throw ValidationError("--patients must be at least 1 (got \(patients))") }
    }

    func run() async throws {
        try await runReportingErrors {
            let chosen = try SynthFormat.parseList(formats)
            let showProgress = isatty(2) != 0 && !json
            let started = Date()
            let summary = try Synthesis.run(
                patients: patients, seed: seed, formats: chosen, folder: out, force: force
            ) { done in
                guard showProgress else { return }
                let width = 30
                let filled = width * done / patients
                let bar =
                    String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(patients) patients".utf8))
            }
            if showProgress { FileHandle.standardError.write(Data("\n".utf8)) }
            let seconds = Date().timeIntervalSince(started)
            let total = summary.bytesByFile.values.reduce(0, +)
            if json {
                try printJSON([
                    "patients": summary.patients, "seed": seed, "out": out, "formats": chosen.map(\.rawValue),
                    "files": summary.bytesByFile, "bytes": total, "seconds": seconds,
                ])
            } else {
                var table = TextTable(headers: ["file", "bytes"], rightAligned: [1])
                table.rows = summary.bytesByFile.sorted { $0.key < $1.key }.map {
                    [$0.key, String($0.value)]
                }
                print(table.render())
                print(
                    "\nWrote \(summary.patients) patients (\(total / max(1, summary.patients)) bytes per patient) to \(out) in "
                        + String(format: "%.1f", seconds) + " s. Planted effects: \(out)/truth.json")
            }
        }
    }
}
