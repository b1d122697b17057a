import Foundation

/// The formats `pmap ingest` reads.
public enum IngestFormat: String, Sendable, CaseIterable {
    case auto
    case fhir
    case omopCSV = "omop-csv"
}

/// What to ingest and how.
public struct IngestRequest: Sendable {
    public var paths: [String]
    public var format: IngestFormat
    /// The source's name: records are deduplicated within a source.
    public var sourceName: String
    /// Parse, map and check everything, then roll back: nothing is written.
    public var dryRun: Bool
    /// Records per transaction.
    public var batchSize: Int
    /// Longer lines are quarantined as too long instead of being read into memory.
    public var maximumLineBytes = 64 << 20

    public init(
        paths: [String], format: IngestFormat = .auto, sourceName: String = "default", dryRun: Bool = false,
        batchSize: Int = 2000
    ) {
        self.paths = paths
        self.format = format
        self.sourceName = sourceName
        self.dryRun = dryRun
        self.batchSize = batchSize
    }
}

/// The reconciliation of one ingest: `read == loaded + duplicates + quarantined`.
public struct IngestReport: Sendable {
    /// One input file's counts.
    public struct FileReport: Sendable {
        public let path: String
        public let format: IngestFormat
        public var read = 0
        public var loaded = 0
        public var duplicates = 0
        public var quarantined = 0
        /// Notes such as columns dropped from a v5.3 file.
        public var notes: [String] = []
        /// Quarantined records per reason.
        public var quarantineReasonCounts: [String: Int] = [:]

        public init(path: String, format: IngestFormat) {
            self.path = path
            self.format = format
        }
    }
    /// A file PMAP did not read, with the reason.
    public struct SkippedFile: Sendable {
        public let path: String
        public let reason: String
    }

    public var files: [FileReport] = []
    public var skippedFiles: [SkippedFile] = []
    /// Quarantined records per reason.
    public var quarantineReasons: [String: Int] = [:]
    /// Rows written per table.
    public var rowsByTable: [String: Int] = [:]
    /// Persons whose observation periods and eras were rebuilt.
    public var personsRebuilt = 0
    public var dataLoadID: Int64?
    public var dryRun = false

    public var read: Int { files.reduce(0) { $0 + $1.read } }
    public var loaded: Int { files.reduce(0) { $0 + $1.loaded } }
    public var duplicates: Int { files.reduce(0) { $0 + $1.duplicates } }
    public var quarantined: Int { files.reduce(0) { $0 + $1.quarantined } }
}

/// Progress callbacks while ingesting: records done in the current file.
public struct IngestProgress: Sendable {
    public let file: String
    public let records: Int
}
