import ArgumentParser
import Foundation
import PMAPPlatform

/// Options every command takes.
struct CommonOptions: ParsableArguments {
    @Option(name: .long, help: "The store file (default: $PMAP_STORE, else ./pmap.sqlite).")
    var store: String?

    @Flag(name: .long, help: "Write machine-readable JSON to stdout.")
    var json = false

    /// The store path: --store, else PMAP_STORE, else ./pmap.sqlite.
    var storePath: String {
        if let store, !store.isEmpty { return store }
        if let fromEnvironment = ProcessInfo.processInfo.environment["PMAP_STORE"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "pmap.sqlite"
    }
}

/// Runs a command body, turning a ``PMAPError`` into a one-line message on stderr and the
/// exit code its kind calls for.
func runReportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as PMAPError {
        FileHandle.standardError.write(Data("pmap: error: \(error)\n".utf8))
        throw ExitCode(exitCode(for: error.kind))
    }
}

/// The exit code for a kind of failure (sysexits.h values).
func exitCode(for kind: PMAPError.Kind) -> Int32 {
    switch kind {
    case .usage: return 64
    case .badInput, .unusableStore, .notFound: return 65
    case .permissionDenied: return 77
    default: return 1
    }
}

/// Writes a JSON object to stdout with sorted keys.
func printJSON(_ object: Any) throws {
    let data = try JSONSerialization.data(
        withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}
