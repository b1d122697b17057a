import ArgumentParser
import Foundation
import PMAPPlatform

struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Person merges from HL7 ADT^A40: list them, or undo one.",
        subcommands: [List.self, Undo.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List person merges, oldest first.")
        @OptionGroup var options: CommonOptions
        @OptionGroup var keys: KeyOptions

        func run() async throws {
            try await runReportingErrors {
                let platform = try Platform.open(storePath: options.storePath)
                let (context, _) = try await keys.access(platform, storePath: options.storePath)
                let merges = try await platform.personMerges(context)
                if options.json {
                    try printJSON(merges.map(MergeCommand.json))
                    return
                }
                var table = TextTable(
                    headers: ["merge", "survivor", "prior", "rows moved", "merged at", "undone at"],
                    rightAligned: [0, 1, 2, 3])
                for merge in merges {
                    table.rows.append([
                        String(merge.id), String(merge.survivorPersonID), String(merge.priorPersonID),
                        String(merge.rowsMoved), merge.mergedAt, merge.undoneAt ?? "",
                    ])
                }
                print(merges.isEmpty ? "No person merges." : table.render())
            }
        }
    }

    struct Undo: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo a merge: the prior person's records, identifiers and row come back.")
        @OptionGroup var options: CommonOptions
        @OptionGroup var keys: KeyOptions
        @Argument(help: "The merge id (see `pmap merge list`).") var id: Int64
        @Option(name: .long, help: "Why the merge is undone (kept with it).") var reason: String

        func run() async throws {
            try await runReportingErrors {
                let platform = try Platform.open(storePath: options.storePath)
                let (context, _) = try await keys.access(platform, storePath: options.storePath)
                let merge = try await platform.undoMerge(context, id: id, reason: reason)
                if options.json {
                    try printJSON(MergeCommand.json(merge))
                } else {
                    print(
                        "Merge \(merge.id) undone: person \(merge.priorPersonID) is separate from person \(merge.survivorPersonID) again."
                    )
                }
            }
        }
    }

    static func json(_ merge: PersonMerge) -> [String: Any] {
        [
            "id": merge.id, "survivor_person_id": merge.survivorPersonID,
            "prior_person_id": merge.priorPersonID,
            "source": merge.sourceName, "rows_moved": merge.rowsMoved, "merged_at": merge.mergedAt,
            "undone_at": merge.undoneAt ?? NSNull(), "undo_reason": merge.undoReason ?? NSNull(),
        ]
    }
}
