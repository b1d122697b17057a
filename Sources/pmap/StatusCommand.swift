import ArgumentParser
import Foundation
import PMAPPlatform

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the store's path, schema version and row counts of every table.")

    @OptionGroup var options: CommonOptions
    @OptionGroup var keys: KeyOptions

    @Flag(
        name: .long,
        help: "Also show vocabulary mapping coverage and the most frequent unmapped source codes.")
    var mapping = false

    func run() async throws {
        try await runReportingErrors {
            let platform = try Platform.open(storePath: options.storePath)
            let (context, _) = try await keys.access(platform, storePath: options.storePath)
            let status = try await platform.status(context)
            let coverage = mapping ? try await platform.mappingCoverage(context) : nil
            if options.json {
                var object = StatusRendering.json(status)
                if let coverage { object["mapping"] = StatusRendering.json(coverage) }
                try printJSON(object)
            } else {
                print(StatusRendering.text(status))
                if let coverage { print("\n" + StatusRendering.text(coverage)) }
            }
        }
    }
}

/// Text and JSON forms of a ``StoreStatus``.
enum StatusRendering {
    static func json(_ coverage: MappingCoverage) -> [String: Any] {
        [
            "tables": coverage.tables.map { ["table": $0.table, "rows": $0.rows, "mapped": $0.mapped] },
            "vocabularies": coverage.vocabularies.map {
                ["vocabulary": $0.vocabularyID ?? NSNull(), "rows": $0.rows, "mapped": $0.mapped]
                    as [String: Any]
            },
            "top_unmapped": coverage.topUnmapped.map {
                ["table": $0.table, "source_value": $0.sourceValue, "rows": $0.rows]
            },
        ]
    }

    static func text(_ coverage: MappingCoverage) -> String {
        var table = TextTable(
            headers: ["table", "rows", "mapped to a standard concept"], rightAligned: [1, 2])
        table.rows = coverage.tables.map { entry in
            let share =
                entry.rows == 0
                ? "-" : String(format: "%.1f%%", 100 * Double(entry.mapped) / Double(entry.rows))
            return [entry.table, String(entry.rows), "\(entry.mapped) (\(share))"]
        }
        var text = "Mapping coverage by table:\n" + table.render()
        var vocabularies = TextTable(
            headers: ["source vocabulary", "rows", "mapped to a standard concept"], rightAligned: [1, 2])
        vocabularies.rows = coverage.vocabularies.map { entry in
            let share =
                entry.rows == 0
                ? "-" : String(format: "%.1f%%", 100 * Double(entry.mapped) / Double(entry.rows))
            return [
                entry.vocabularyID ?? "(code not in the vocabulary)", String(entry.rows),
                "\(entry.mapped) (\(share))",
            ]
        }
        text += "\n\nMapping coverage by source vocabulary:\n" + vocabularies.render()
        if !coverage.topUnmapped.isEmpty {
            var unmapped = TextTable(headers: ["table", "unmapped source value", "rows"], rightAligned: [2])
            unmapped.rows = coverage.topUnmapped.map { [$0.table, $0.sourceValue, String($0.rows)] }
            text += "\n\nMost frequent unmapped codes:\n" + unmapped.render()
        }
        return text
    }

    static func json(_ status: StoreStatus) -> [String: Any] {
        [
            "store": status.location,
            "schemaVersion": status.schemaVersion,
            "latestSchemaVersion": status.latestSchemaVersion,
            "cdmVersion": status.cdmVersion,
            "tables": Dictionary(uniqueKeysWithValues: status.cdmTables.map { ($0.name, $0.rows) }),
            "extensionTables": Dictionary(
                uniqueKeysWithValues: status.extensionTables.map { ($0.name, $0.rows) }),
        ]
    }

    /// The status as text; without `includeEmpty`, empty tables are summed up in one line.
    static func text(_ status: StoreStatus, includeEmpty: Bool = true) -> String {
        var table = TextTable(headers: ["table", "rows"], rightAligned: [1])
        let all = status.cdmTables + status.extensionTables
        for entry in all where includeEmpty || entry.rows > 0 {
            table.rows.append([entry.name, String(entry.rows)])
        }
        var text = """
            store:   \(status.location)
            schema:  version \(status.schemaVersion) of \(status.latestSchemaVersion), OMOP CDM v\(status.cdmVersion)

            \(table.render())
            """
        if !includeEmpty {
            text += "\n(\(all.filter { $0.rows == 0 }.count) more tables are empty; `pmap status` lists all)"
        }
        return text
    }
}
