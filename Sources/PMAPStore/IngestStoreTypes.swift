import Foundation
import PMAPModel

/// What the vocabulary says about a source code: its own concept and the standard concept
/// it maps to (itself when it is standard).
public struct ConceptResolution: Sendable, Hashable {
    /// The concept of the code itself (0 when the vocabulary lacks the code).
    public let sourceConceptID: Int64
    /// The standard concept data should carry (0 when there is none).
    public let standardConceptID: Int64
    /// The domain of the standard concept ("Condition", "Measurement", ...), if any.
    public let domainID: String?

    public init(sourceConceptID: Int64, standardConceptID: Int64, domainID: String?) {
        self.sourceConceptID = sourceConceptID
        self.standardConceptID = standardConceptID
        self.domainID = domainID
    }
}

/// The state of a source record already loaded.
public struct StoredSourceRecord: Sendable, Hashable {
    public let version: String?
    public let contentHash: String

    public init(version: String?, contentHash: String) {
        self.version = version
        self.contentHash = contentHash
    }
}

/// Where a CDM row came from: its source, file, location in the file and source record.
public struct RowProvenance: Sendable, Hashable {
    public let sourceName: String
    public let sourceFile: String
    public let sourceLocation: String
    public let recordKey: String?
    public let dataLoadID: Int64

    public init(
        sourceName: String, sourceFile: String, sourceLocation: String, recordKey: String?, dataLoadID: Int64
    ) {
        self.sourceName = sourceName
        self.sourceFile = sourceFile
        self.sourceLocation = sourceLocation
        self.recordKey = recordKey
        self.dataLoadID = dataLoadID
    }
}

/// A CDM or extension row written for a source record.
public struct StoredRow: Sendable, Hashable {
    public let table: String
    public let rowID: Int64

    public init(table: String, rowID: Int64) {
        self.table = table
        self.rowID = rowID
    }
}

/// A record held back, with its raw bytes already encrypted.
public struct QuarantineEntry: Sendable {
    public let dataLoadID: Int64?
    public let sourceName: String
    public let sourceFile: String
    public let sourceLocation: String
    public let recordType: String?
    public let reasonCode: String
    public let reason: String
    public let recordCiphertext: Data?
    public let keyID: String?

    public init(
        dataLoadID: Int64?, sourceName: String, sourceFile: String, sourceLocation: String,
        recordType: String?,
        reasonCode: String, reason: String, recordCiphertext: Data?, keyID: String?
    ) {
        self.dataLoadID = dataLoadID
        self.sourceName = sourceName
        self.sourceFile = sourceFile
        self.sourceLocation = sourceLocation
        self.recordType = recordType
        self.reasonCode = reasonCode
        self.reason = reason
        self.recordCiphertext = recordCiphertext
        self.keyID = keyID
    }
}

/// A quarantined record as `pmap quarantine list/show` sees it.
public struct QuarantinedRecord: Sendable, Hashable {
    public let id: Int64
    public let sourceName: String
    public let sourceFile: String
    public let sourceLocation: String
    public let recordType: String?
    public let reasonCode: String
    public let reason: String
    public let createdAt: String
    public let resolvedAt: String?
    public let recordCiphertext: Data?
}
