import ArgumentParser
import PMAPPlatform

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract:
            "Create the store (mode 0600) or upgrade an existing one, load the starter vocabulary into an empty one, and create the first admin."
    )

    @OptionGroup var options: CommonOptions
    @OptionGroup var keys: KeyOptions

    @Flag(
        name: .long,
        help: "Leave the vocabulary empty (to load a full Athena download with `pmap vocab load DIR`).")
    var noStarterVocabulary = false

    func run() async throws {
        try await runReportingErrors {
            let (platform, summary) = try await Platform.initialize(
                storePath: options.storePath, loadStarterVocabulary: !noStarterVocabulary)
            let keyPath = VaultKeyFile.path(explicit: keys.keyFile, storePath: options.storePath)
            let createdKey = try VaultKeyFile.createIfAbsent(keyPath)
            let vault = try VaultKeyFile.vault(explicit: keyPath, storePath: options.storePath)
            let admin = try await platform.createFirstAdmin(vault: vault)
            if options.json {
                var object = StatusRendering.json(summary.status)
                object["created"] = summary.created
                object["loadedStarterVocabulary"] = summary.loadedStarterVocabulary
                object["keyFile"] = keyPath
                object["createdKeyFile"] = createdKey
                if let admin {
                    object["admin"] = ["id": admin.user.id, "name": admin.user.name, "token": admin.token]
                }
                try printJSON(object)
            } else {
                let verb = summary.created ? "Created" : "Opened existing"
                print(
                    "\(verb) store \(summary.status.location) (schema version \(summary.status.schemaVersion))."
                )
                if createdKey {
                    print(
                        "Created the identity vault key \(keyPath) (mode 0600). Back it up: without it the vault cannot be read."
                    )
                }
                if let admin {
                    print(
                        """
                        Created the first admin, user \(admin.user.id) "\(admin.user.name)". Its API token, shown only this once:
                          \(admin.token)
                        Use it with PMAP_TOKEN=... or --token-file FILE; store it like a password.
                        """)
                }
                if summary.loadedStarterVocabulary {
                    let concepts = summary.status.cdmTables.first { $0.name == "concept" }?.rows ?? 0
                    print("Loaded the starter vocabulary: \(concepts) concepts.")
                }
            }
        }
    }
}
