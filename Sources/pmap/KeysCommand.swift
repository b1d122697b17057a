import ArgumentParser
import Foundation
import PMAPPlatform

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "The identity vault key (admins).", subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Replace the vault key: re-seal the vault, re-make its lookups, re-key the audit chain.",
            discussion: """
                Writes the new key to KEYFILE.next first, re-seals every identity, quarantined record, inbound
                message and project key in batches (each records its key, so a crash loses nothing: run the
                command again and it finishes), checks and re-keys the audit chain in one transaction, then
                moves the new key over KEYFILE and keeps the old one as KEYFILE.retired-<id> (older backups
                need it; keep it offline). Stop `pmap listen` and running ingests first: they hold the old key.
                """)
        @OptionGroup var governed: GovernedOptions
        @Option(name: .long, help: "Values re-sealed per transaction.") var batchSize = 500

        func run() async throws {
            try await runReportingErrors {
                let platform = try Platform.open(storePath: governed.options.storePath)
                let keyFile = VaultKeyFile.path(
                    explicit: governed.keys.keyFile, storePath: governed.options.storePath)
                let report = try await platform.rotateVaultKey(
                    token: try governed.keys.token(), keyFile: keyFile, batchSize: batchSize,
                    checkpoint: FaultInjection.killAt)
                let counts = report.resealed.sorted { $0.key.rawValue < $1.key.rawValue }
                try governed.emit(
                    [
                        "previous_key_id": report.previousKeyID, "key_id": report.keyID,
                        "resumed": report.resumed,
                        "resealed": Dictionary(
                            uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }),
                        "lookups": report.lookups, "audit_entries": report.auditEntries,
                        "retired_key_file": report.retiredKeyFile,
                    ],
                    """
                    \(report.resumed ? "Finished the interrupted rotation" : "Rotated the vault key"): \(report.previousKeyID) → \(report.keyID) in \(keyFile).
                    Re-sealed: \(counts.isEmpty ? "nothing left" : counts.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", ")); \(report.lookups) lookup hashes re-made; \(report.auditEntries) audit entries re-keyed.
                    The old key is in \(report.retiredKeyFile): backups made before now need it, so move it offline; nothing in the store needs it any more.
                    """)
            }
        }
    }
}

/// A test hook: `PMAP_TEST_KILL_AT=<checkpoint>` makes the process kill itself with SIGKILL
/// when a long operation reaches that checkpoint, so crash tests hit exact points.
enum FaultInjection {
    static let killAt: @Sendable (String) -> Void = { checkpoint in
        guard let wanted = ProcessInfo.processInfo.environment["PMAP_TEST_KILL_AT"], wanted == checkpoint
        else { return }
        kill(getpid(), SIGKILL)
    }
}
