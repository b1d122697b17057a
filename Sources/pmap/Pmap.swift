import ArgumentParser
import PMAPPlatform

/// The `pmap` command: PMAP's command-line face over the use-case layer.
@main
struct Pmap: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pmap",
        abstract: "PMAP, a precision medicine analytics platform on an OMOP CDM v5.4 store.",
        discussion: """
            Every command takes --store PATH (default ./pmap.sqlite, or $PMAP_STORE) and --json.
            Exit codes: 0 success, 64 bad usage, 65 bad input data or unusable store, 77 permission denied, 1 other failure.
            """,
        version: PMAPVersion.current,
        subcommands: [
            DemoCommand.self, InitCommand.self, IngestCommand.self, ListenCommand.self, MergeCommand.self,
            QuarantineCommand.self, UserCommand.self, CenterCommand.self, ProjectCommand.self,
            RequestCommand.self,
            GrantCommand.self, AuditCommand.self, CountCommand.self, CohortCommand.self, ExportCommand.self,
            KeysCommand.self, BackupCommand.self,
            RestoreCommand.self,
            StatusCommand.self,
            SynthCommand.self, VocabCommand.self,
        ]
    )
}

/// The version `pmap --version` prints.
enum PMAPVersion {
    static let current = Platform.version
}
