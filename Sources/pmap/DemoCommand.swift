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

    static let demoPatients = 500
    /// SNOMED 399068003 "Malignant tumor of prostate" (OMOP 4163261), descendants included.
    static let prostateCancerConcept: Int64 = 4_163_261
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
            let governance = try await DemoGovernance.prepare(platform, storePath: storePath, vault: vault)
            let engineer = try await platform.context(
                token: governance.tokens["data-engineer"]!, vault: vault)
            var request = IngestRequest(
                paths: Self.ingestedExports.map { (synthFolder as NSString).appendingPathComponent($0) },
                sourceName: "demo-hospital")
            request.mrnSystem = Synthesis.mrnSystem
            let ingest = try await platform.ingest(engineer, request, vault: vault)
            let loadedStatus = try await platform.status(engineer)
            // A researcher of the project asks a first question; the gate decides and audits it.
            let researcher = try await platform.context(
                token: governance.tokens["pc-researcher"]!, vault: vault)
            let count = try await platform.countPatients(
                researcher, project: governance.projectID, concept: Self.prostateCancerConcept)
            // ... and defines a first cohort (written beside the store as a Circe JSON file).
            let cohortPath = ((storePath as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent(DemoCohort.fileName)
            try DemoCohort.definition.write(toFile: cohortPath, atomically: true, encoding: .utf8)
            let cohort = try await platform.createCohort(
                researcher, project: governance.projectID, definition: Data(DemoCohort.definition.utf8),
                name: "Prostate cancer after PSA > 4")
            let admin = try await platform.context(token: governance.tokens["admin"]!, vault: vault)
            let verification = try await platform.verifyAudit(admin, expectedHead: nil)
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
                object["tokens"] = governance.tokens
                object["project"] = governance.projectID
                var patients: [String: Any] = ["count": count.count.count ?? NSNull()]
                if count.count.suppressed {
                    patients["suppressed"] = true
                    patients["display"] = count.count.display
                }
                object["count"] = ["concept": count.conceptID, "patients": patients]
                object["cohort"] = CohortRendering.json(cohort)
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
                "\n== 7. Governance: centers, a user per role, project \(governance.projectID) with a valid IRB and a tier-A grant =="
            )
            print("API tokens (also in \(DemoGovernance.tokenFile(storePath: storePath)), mode 0600):")
            for name in governance.tokens.keys.sorted() { print("  \(name): \(governance.tokens[name]!)") }
            print(
                "\n== 8. A researcher asks: `PMAP_TOKEN=<pc-researcher> pmap count --project \(governance.projectID) --concept \(count.conceptID)` =="
            )
            print(
                "\(count.count.display) patients with \(count.conceptName) (consented only; counts of 1-10 are shown as <11)"
            )
            print(
                "\n== 9. A cohort: `pmap cohort create \(cohortPath) --project \(governance.projectID)` (OHDSI Circe JSON) =="
            )
            print(CohortRendering.text(cohort))
            switch verification {
            case .intact(let entries, _): print("Audit chain intact: \(entries) entries (`pmap audit log`).")
            case .broken(let sequence, let problem): print("Audit chain BROKEN at \(sequence): \(problem)")
            }
            print(
                """

                == Next ==
                Try: export PMAP_TOKEN=<the admin token above>
                     swift run pmap status --store \(storePath)
                     swift run pmap vocab search --store \(storePath) prostate
                     swift run pmap status --mapping --store \(storePath)
                     swift run pmap quarantine list --store \(storePath)
                     swift run pmap merge list --store \(storePath)
                     swift run pmap audit log --store \(storePath)
                     PMAP_TOKEN=<pc-researcher> swift run pmap cohort show 1 --project 1 --store \(storePath)
                Not built yet: analytics (survival, regression, subgroups), the web pages.
                See README.md.
                """)
        }
    }
}
