import ArgumentParser
import Foundation
import PMAPPlatform
import PMAPServer

struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Receive a live HL7 v2 feed over MLLP and load it.",
        discussion: """
            Each message is stored encrypted before its ACK (AA) is sent, then loaded through the same pipeline
            as `pmap ingest`; a message that cannot be read or mapped is quarantined and answered AR or AE with
            the reason. A restarted listener first loads what was stored but not yet loaded. Listens on
            loopback unless another address is given.
            """)

    @OptionGroup var options: CommonOptions
    @OptionGroup var keys: KeyOptions

    @Option(name: .long, help: "HOST:PORT to listen on (port 0 picks a free port).")
    var mllp = "127.0.0.1:2575"

    @Option(name: .long, help: "The source's name; records are deduplicated within a source.")
    var source = "mllp"

    /// A line on stdout, written at once (scripts and tests read the bound port from it).
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    func run() async throws {
        try await runReportingErrors {
            guard let colon = mllp.lastIndex(of: ":"), let port = Int(mllp[mllp.index(after: colon)...]),
                (0...65535).contains(port)
            else {
                throw PMAPError(.usage, "--mllp takes HOST:PORT, e.g. 127.0.0.1:2575")
            }
            let host = String(mllp[..<colon])
            let platform = try Platform.open(storePath: options.storePath)
            let (context, vault) = try await keys.access(platform, storePath: options.storePath)
            let listener = MLLPListener(
                platform: platform, context: context, vault: vault, sourceName: source)
            try await listener.run(
                host: host, port: port,
                ready: { host, port in
                    Self.say("pmap listen: MLLP on \(host):\(port), source \(source)")
                },
                loaded: { report in
                    Self.say(
                        "loaded: read \(report.read) = loaded \(report.loaded) + duplicates \(report.duplicates) + quarantined \(report.quarantined)"
                    )
                })
        }
    }
}
