import Foundation

/// What `pmap init` did.
public struct InitializeSummary: Sendable {
    /// Whether the store file was created now (otherwise it existed and was upgraded if older).
    public let created: Bool
    /// Whether the starter vocabulary was loaded now.
    public let loadedStarterVocabulary: Bool
    /// The store's status afterwards.
    public let status: StoreStatus
}

extension Platform {
    /// Creates the store at `storePath`, or upgrades an existing one, and loads the starter
    /// vocabulary when the store has no concepts yet (unless `loadStarterVocabulary` is false).
    public static func initialize(storePath: String, loadStarterVocabulary: Bool = true) async throws -> (
        Platform, InitializeSummary
    ) {
        let existed = FileManager.default.fileExists(atPath: storePath)
        let platform = try Platform.open(storePath: storePath, create: true)
        var status = try await platform.storeStatus()
        let conceptCount = status.cdmTables.first { $0.name == "concept" }?.rows ?? 0
        let loadNow = loadStarterVocabulary && conceptCount == 0
        if loadNow {
            try await platform.loadStarterVocabulary()
            status = try await platform.storeStatus()
        }
        return (
            platform, InitializeSummary(created: !existed, loadedStarterVocabulary: loadNow, status: status)
        )
    }
}
