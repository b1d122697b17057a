import ArgumentParser
import Foundation
import PMAPPlatform

/// `pmap demo`: the platform's main job on its embedded default, in ./pmap-demo/.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run PMAP end to end on the embedded SQLite store with demo data, in ./pmap-demo/.",
        discussion: """
            Today the demo creates the store, loads the starter vocabulary, prints the status and
            explores the vocabulary. Synthetic patients, ingestion, governance, cohorts and analyses
            join it as they are built (see README: "Not built yet").
            """)

    @Option(name: .long, help: "The demo store (default ./pmap-demo/pmap.sqlite; $PMAP_STORE is ignored so a real store is never touched).")
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
            if json {
                var object: [String: Any] = ["status": StatusRendering.json(summary.status)]
                object["search"] = ["text": "multiple sclerosis", "concepts": search.map(ConceptRendering.json)]
                if let detail { object["concept"] = ConceptRendering.json(detail) }
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
                """

                == Next ==
                Try: swift run pmap status --store \(storePath)
                     swift run pmap vocab search --store \(storePath) prostate
                Not built yet: synthetic patients, ingestion (FHIR, HL7 v2, VCF, CSV), governance,
                cohorts and analytics. See README.md.
                """)
        }
    }
}
