import Foundation

/// The kinds of values a store keeps sealed under the vault key.
public enum SealedKind: String, Sendable, CaseIterable {
    /// A person's direct identifiers (`pmap_identity`).
    case identity
    /// A quarantined record (`pmap_quarantine`).
    case quarantinedRecord
    /// A message the MLLP listener acknowledged (`pmap_inbound_message`).
    case inboundMessage
    /// A project's extract keys (`pmap_project_key`).
    case projectKeys
}

/// One sealed value and the vault key it is sealed under.
public struct SealedValue: Sendable {
    /// The row's id (person id for identities, project id for project keys).
    public let id: Int64
    public let sealed: Data
    /// The vault key's id; nil for rows written before key ids were recorded.
    public let keyID: String?
}

/// A blind-index hash pointing to a person.
public struct BlindIndexEntry: Sendable, Hashable {
    public let hash: Data
    public let kind: String
    /// The vault key the hash was made with; nil for hashes from before key ids were recorded.
    public let keyID: String?
}
