import ArgumentParser
import PMAPPlatform

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the store's path, schema version and row counts of every table.")

    @OptionGroup var options: CommonOptions

    func run() async throws {
        try await runReportingErrors {
            let platform = try Platform.open(storePath: options.storePath)
            let status = try await platform.status()
            if options.json {
                try printJSON(StatusRendering.json(status))
            } else {
                print(StatusRendering.text(status))
            }
        }
    }
}

/// Text and JSON forms of a ``StoreStatus``.
enum StatusRendering {
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
