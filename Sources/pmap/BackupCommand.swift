import ArgumentParser
import Foundation
import PMAPPlatform

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "A consistent online backup of the store (admins); names the key files it needs.")
    @OptionGroup var governed: GovernedOptions
    @Option(name: .long, help: "The new backup file.") var out: String

    func run() async throws {
        try await runReportingErrors {
            let (platform, context) = try await governed.open()
            let report = try await platform.backup(context, to: out)
            try governed.emit(
                ["path": report.path, "bytes": report.bytes, "key_ids": report.keyIDs],
                "Wrote \(report.path) (\(report.bytes) bytes, mode 0600). Its encrypted identities, quarantine and audit chain need the vault key file(s) with id \(report.keyIDs.isEmpty ? "(none yet)" : report.keyIDs.joined(separator: ", ")) — keep them apart from the backup."
            )
        }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract:
            "Check a backup against its key (identities decrypt, audit chain verifies) and restore it to a new store."
    )
    @OptionGroup var options: CommonOptions
    @Option(name: .long, help: "The vault key file the backup needs.") var keyFile: String
    @Flag(name: .long, help: "Only check the backup; write nothing.") var checkOnly = false
    @Argument(help: "The backup file.") var backup: String

    func run() async throws {
        try await runReportingErrors {
            let vault = try VaultKeyFile.vault(explicit: keyFile, storePath: options.storePath)
            let check =
                checkOnly
                ? try await Platform.checkBackup(backup, vault: vault)
                : try await Platform.restore(backup, to: options.storePath, vault: vault)
            let summary =
                "schema version \(check.schemaVersion), \(check.persons) persons, \(check.identitiesOpened) identities decrypted, audit chain of \(check.auditEntries) entries verified"
            if options.json {
                try printJSON([
                    "restored_to": checkOnly ? NSNull() : options.storePath as Any,
                    "schema_version": check.schemaVersion,
                    "persons": check.persons, "identities_opened": check.identitiesOpened,
                    "audit_entries": check.auditEntries,
                ])
            } else {
                print(
                    checkOnly
                        ? "The backup is usable: \(summary)."
                        : "Restored to \(options.storePath): \(summary).")
            }
        }
    }
}
