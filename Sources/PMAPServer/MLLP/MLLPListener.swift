import Foundation
import NIOCore
import NIOPosix
import PMAPPlatform

/// A live HL7 v2 feed over MLLP (TCP). Each message is stored, encrypted, before its ACK is
/// sent; a loader task then loads stored messages through the ingest pipeline. On start, the
/// loader first takes messages stored but not loaded before a crash.
public final class MLLPListener: Sendable {
    public let platform: Platform
    public let context: AccessContext
    public let vault: IdentityVault
    public let sourceName: String
    let loaderSignal: AsyncStream<Void>.Continuation
    let loaderEvents: AsyncStream<Void>

    /// Largest message accepted (a longer frame closes the connection).
    public static let maximumMessageBytes = 16 << 20

    /// A listener acting as `context`'s user (who must hold an operational role).
    public init(platform: Platform, context: AccessContext, vault: IdentityVault, sourceName: String) {
        self.platform = platform
        self.context = context
        self.vault = vault
        self.sourceName = sourceName
        (loaderEvents, loaderSignal) = AsyncStream.makeStream(
            of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Binds `host:port` (port 0 picks a free one), calls `ready` with the bound address, and
    /// serves until cancelled. Reports of each loader pass go to `loaded`.
    public func run(
        host: String, port: Int, ready: @Sendable (String, Int) -> Void,
        loaded: @escaping @Sendable (IngestReport) -> Void = { _ in }
    ) async throws {
        try await platform.authorizeListener(context, sourceName: sourceName)
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(MLLPFrameDecoder(maximumBytes: Self.maximumMessageBytes)))
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(MLLPFrameEncoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        ready(host, server.channel.localAddress?.port ?? port)
        loaderSignal.yield()  // load what an earlier run stored but did not load
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await self.runLoader(loaded) }
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await self.serve(connection) }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<ByteBuffer, ByteBuffer>) async {
        let peer = connection.channel.remoteAddress?.description ?? "unknown peer"
        do {
            try await connection.executeThenClose { inbound, outbound in
                for try await frame in inbound {
                    let receipt = try await platform.receiveHL7Message(
                        context, Array(frame.readableBytesView), channel: "mllp", sourceName: sourceName,
                        vault: vault)
                    try await outbound.write(ByteBuffer(string: receipt.acknowledgement))
                    if receipt.code == "AA" { loaderSignal.yield() }
                }
            }
        } catch {
            FileHandle.standardError.write(
                Data("pmap listen: connection from \(peer) closed: \(error)\n".utf8))
        }
    }

    private func runLoader(_ loaded: @escaping @Sendable (IngestReport) -> Void) async throws {
        for await _ in loaderEvents {
            let report = try await platform.loadInboundMessages(context, vault: vault, sourceName: sourceName)
            if report.read > 0 { loaded(report) }
        }
    }
}
