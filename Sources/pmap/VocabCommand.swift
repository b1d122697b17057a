import ArgumentParser
import Foundation
import PMAPPlatform

struct VocabCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vocab", abstract: "Load, search and show vocabulary concepts.",
        subcommands: [Load.self, Search.self, Show.self])

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Load an OHDSI Athena vocabulary download (tab-separated CONCEPT.csv, ...), replacing the vocabulary but keeping local concepts."
        )

        @OptionGroup var options: CommonOptions
        @OptionGroup var keys: KeyOptions

        @Argument(help: "The folder of the unzipped Athena download.")
        var folder: String

        func run() async throws {
            try await runReportingErrors {
                let platform = try Platform.open(storePath: options.storePath)
                let (context, _) = try await keys.access(platform, storePath: options.storePath)
                let summary = try await platform.loadAthenaVocabulary(context, folder: folder)
                if options.json {
                    try printJSON([
                        "loaded": Dictionary(
                            uniqueKeysWithValues: summary.entries.map { ($0.table, $0.rows) })
                    ])
                } else {
                    var table = TextTable(headers: ["table", "rows loaded"], rightAligned: [1])
                    table.rows = summary.entries.map { [$0.table, String($0.rows)] }
                    print(table.render())
                }
            }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find concepts by words of their name (prefixes match), by code or by id.")

        @OptionGroup var options: CommonOptions

        @Option(name: .long, help: "At most this many concepts.")
        var limit = 25

        @Argument(help: "Words of the name, a code such as C61 or 2857-1, or a concept id.")
        var text: [String]

        func validate() throws {
            guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        }

        func run() async throws {
            try await runReportingErrors {
                let platform = try Platform.open(storePath: options.storePath)
                let concepts = try await platform.searchConcepts(text.joined(separator: " "), limit: limit)
                if options.json {
                    try printJSON(["concepts": concepts.map(ConceptRendering.json)])
                } else if concepts.isEmpty {
                    print("No concept matches. Try fewer or shorter words.")
                } else {
                    print(ConceptRendering.table(concepts))
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a concept with its relationships, ancestors and descendants.")

        @OptionGroup var options: CommonOptions

        @Argument(help: "The concept id.")
        var conceptID: Int64

        func run() async throws {
            try await runReportingErrors {
                let platform = try Platform.open(storePath: options.storePath)
                let detail = try await platform.conceptDetail(ConceptID(conceptID))
                if options.json {
                    try printJSON(ConceptRendering.json(detail))
                } else {
                    print(ConceptRendering.text(detail))
                }
            }
        }
    }
}

/// Text and JSON forms of concepts.
enum ConceptRendering {
    static func json(_ concept: Concept) -> [String: Any] {
        [
            "conceptId": concept.id.rawValue, "conceptName": concept.name, "domainId": concept.domainID,
            "vocabularyId": concept.vocabularyID, "conceptClassId": concept.conceptClassID,
            "standardConcept": concept.standardConcept ?? NSNull(), "conceptCode": concept.code,
        ]
    }

    static func json(_ detail: ConceptDetail) -> [String: Any] {
        func relatives(_ list: [ConceptRelative]) -> [[String: Any]] {
            list.map { relative in
                var object = json(relative.concept)
                object["minLevelsOfSeparation"] = relative.minLevels
                object["maxLevelsOfSeparation"] = relative.maxLevels
                return object
            }
        }
        return [
            "concept": json(detail.concept),
            "ancestors": relatives(detail.ancestors),
            "descendants": relatives(detail.descendants),
            "relationships": detail.relationships.map { link in
                var object = json(link.concept)
                object["relationshipId"] = link.relationshipID
                return object
            },
        ]
    }

    static func table(_ concepts: [Concept]) -> String {
        var table = TextTable(
            headers: ["concept_id", "name", "domain", "vocabulary", "code", "std"], rightAligned: [0])
        table.rows = concepts.map {
            [
                String($0.id.rawValue), $0.name, $0.domainID, $0.vocabularyID, $0.code,
                $0.standardConcept ?? "",
            ]
        }
        return table.render()
    }

    static func text(_ detail: ConceptDetail) -> String {
        let concept = detail.concept
        var lines = [
            "\(concept.id)  \(concept.name)",
            "  domain \(concept.domainID), vocabulary \(concept.vocabularyID) code \(concept.code), class \(concept.conceptClassID), "
                + (concept.isStandard
                    ? "standard" : concept.standardConcept == "C" ? "classification" : "non-standard"),
        ]
        if !detail.relationships.isEmpty {
            lines.append("\nRelationships:")
            lines += detail.relationships.map {
                "  \($0.relationshipID): \($0.concept.id)  \($0.concept.name)"
            }
        }
        for (title, relatives) in [("Ancestors", detail.ancestors), ("Descendants", detail.descendants)] {
            lines.append("\n\(title) (\(relatives.count)):")
            lines += relatives.map {
                "  " + String(repeating: "  ", count: max(0, $0.minLevels - 1))
                    + "\($0.concept.id)  \($0.concept.name)  [levels \($0.minLevels)]"
            }
        }
        return lines.joined(separator: "\n")
    }
}
