import Foundation

/// Where tests find `../shared/data` (the public sample data next to the checkout).
///
/// A user's fresh clone has no `../shared`: tests that need it are then skipped with a visible
/// message. CI sets `PMAP_REQUIRE_SHARED_DATA=1`, which makes those tests run, and fail, when
/// the folder is missing. `PMAP_SHARED_DATA` may point at the folder elsewhere.
public enum SharedData {
    /// The `shared/data` folder, when it exists.
    public static let root: URL? = {
        let environment = ProcessInfo.processInfo.environment
        let candidate: URL
        if let override = environment["PMAP_SHARED_DATA"], !override.isEmpty {
            candidate = URL(fileURLWithPath: override)
        } else {
            candidate = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/data")
        }
        return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
    }()

    /// Whether tests that read shared data should run: the data is there, or CI requires it.
    public static var shouldRun: Bool {
        root != nil || ProcessInfo.processInfo.environment["PMAP_REQUIRE_SHARED_DATA"] == "1"
    }

    /// The message a skipped test shows.
    public static let skipMessage =
        "skipped: ../shared/data is absent (set PMAP_SHARED_DATA, or PMAP_REQUIRE_SHARED_DATA=1 to fail instead)"

    /// A file under `shared/data`; throws when the folder or file is missing.
    public static func file(_ relativePath: String) throws -> URL {
        guard let root else {
            throw SharedDataMissing(path: "../shared/data")
        }
        let url = root.appendingPathComponent(relativePath)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw SharedDataMissing(path: url.path)
        }
        return url
    }

    /// The package's root folder (the one holding Package.swift).
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// Thrown when shared data a test needs is missing.
public struct SharedDataMissing: Error, CustomStringConvertible {
    public let path: String
    public var description: String { "shared test data missing at \(path)" }
}

/// A fresh temporary folder for one test, removed by ``remove()``.
public struct TemporaryFolder: Sendable {
    public let url: URL
    public var path: String { url.path }

    public init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("pmap-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the folder.
    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    public func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}
