import ArgumentParser
import Foundation
import PMAPPlatform

/// `pmap demo`: the platform's main job on its embedded default, in ./pmap-demo/.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run PMAP end to end on the embedded SQLite store with demo data, in ./pmap-demo/.",
        discussion: """
            Today the demo creates the store, loads the starter vocabulary, explores it, and writes a
            synthetic hospital's exports (FHIR, HL7 v2, VCF, CSV) beside the store and ingests them all.
            Governance, cohorts and analyses join it as they are built (see README: "Not built yet").
            """)

    static let demoPatients = 200
    /// The exports the demo loads: one person per patient across all of them.
    static let ingestedExports = ["fhir", "hl7v2", "vcf", "csv"]

    @Option(
        name: .long,
        help:
            "The demo store (default ./pmap-demo/pmap.sqlite; $PMAP_STORE is ignored so a real store is never touched)."
    )
    var store = "pmap-demo/pmap.sqlite"

    @Flag(name: .long, help: "Write machine-readable JSON to stdout.")
    var json = false

    func run() async throws {
        try await runReportingErrors {
            let storePath = store
            let (platform, summary) = try await Platform.initialize(storePath: storePath)
            let search = try await platform.searchConcepts("multiple sclerosis", limit: 8)
            let example = search.first { $0.isStandard }
            var detail: ConceptDetail?
            if let example { detail = try await platform.conceptDetail(example.id) }
            // A synthetic hospital's exports, beside the store (replaced on every demo run).
            let synthFolder = ((storePath as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent("synth")
            let synth = try Synthesis.run(
                patients: Self.demoPatients, seed: 1, formats: SynthFormat.defaults, folder: synthFolder,
                force: true)
            // ... and ingested into the store, identifiers into the encrypted vault.
            let keyPath = VaultKeyFile.path(explicit: nil, storePath: storePath)
            try VaultKeyFile.createIfAbsent(keyPath)
            let vault = try VaultKeyFile.vault(explicit: keyPath, storePath: storePath)
            var request = IngestRequest(
                paths: Self.ingestedExports.map { (synthFolder as NSString).appendingPathComponent($0) },
                sourceName: "demo-hospital")
            request.mrnSystem = Synthesis.mrnSystem
            let ingest = try await platform.ingest(request, vault: vault)
            let loadedStatus = try await platform.status()
            if json {
                var object: [String: Any] = ["status": StatusRendering.json(summary.status)]
                object["search"] = [
                    "text": "multiple sclerosis", "concepts": search.map(ConceptRendering.json),
                ]
                if let detail { object["concept"] = ConceptRendering.json(detail) }
                object["synth"] = [
                    "folder": synthFolder, "patients": synth.patients, "files": synth.bytesByFile,
                ]
                object["ingest"] = IngestRendering.json(ingest)
                object["status"] = StatusRendering.json(loadedStatus)
                try printJSON(object)
                return
            }
            print("== 1. Store ==")
            print(summary.created ? "Created \(storePath) (mode 0600, WAL)." : "Reusing \(storePath).")
            print(StatusRendering.text(summary.status, includeEmpty: false))
            print("\n== 2. Vocabulary: `pmap vocab search multiple sclerosis` ==")
            print(ConceptRendering.table(search))
            if let detail {
                print("\n== 3. Vocabulary: `pmap vocab show \(detail.concept.id)` ==")
                print(ConceptRendering.text(detail))
            }
            print(
                "\n== 4. A synthetic hospital's exports: `pmap synth --patients \(Self.demoPatients) --seed 1 --out \(synthFolder)` =="
            )
            var files = TextTable(headers: ["file", "bytes"], rightAligned: [1])
            files.rows = synth.bytesByFile.sorted { $0.key < $1.key }.map { [$0.key, String($0.value)] }
            print(files.render())
            print("Planted effects and latent facts: \(synthFolder)/truth.json")
            let folders = Self.ingestedExports.map { "\(synthFolder)/\($0)" }.joined(separator: " ")
            print(
                "\n== 5. Ingest the exports: `pmap ingest --source demo-hospital --mrn-system \(Synthesis.mrnSystem) \(folders)` =="
            )
            print(IngestRendering.text(ingest))
            print("\n== 6. The store now ==")
            print(StatusRendering.text(loadedStatus, includeEmpty: false))
            print(
                """

                == Next ==
                Try: swift run pmap status --store \(storePath)
                     swift run pmap vocab search --store \(storePath) prostate
                     swift run pmap status --mapping --store \(storePath)
                     swift run pmap quarantine list --store \(storePath)
                     swift run pmap merge list --store \(storePath)
                Not built yet: governance, cohorts and analytics.
                See README.md.
                """)
        }
    }
}
