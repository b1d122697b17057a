@_exported import PMAPModel
import PMAPStore
import PMAPVocabulary

@_exported import struct PMAPGovernance.IdentityVault
@_exported import struct PMAPStore.MappingCoverage
@_exported import struct PMAPStore.QuarantinedRecord

/// PMAP's use-case layer: the one door through which the command-line tool and the server
/// reach the store. Each use case is a method here or in an extension (`Platform+Feature`).
public struct Platform: Sendable {
    let store: any Store

    /// A platform over an already opened store.
    public init(store: any Store) {
        self.store = store
    }

    /// Opens the embedded SQLite store at `storePath` (creating it when `create`), upgrading
    /// an older schema; throws ``PMAPError`` with kind `unusableStore` when it cannot be used.
    public static func open(storePath: String, create: Bool = false) throws -> Platform {
        Platform(store: try SQLiteStore(path: storePath, create: create))
    }

    /// Where the store lives.
    public var storeLocation: String { store.location }
}
