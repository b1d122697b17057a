import Foundation

/// The formats `pmap ingest` reads.
public enum IngestFormat: String, Sendable, CaseIterable {
    case auto
    case fhir
    case omopCSV = "omop-csv"
    case hl7v2
    case vcf
    /// A plain CSV file loaded through a declarative mapping (`--mapping`, or `NAME.mapping.yaml` beside it).
    case csv
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
    /// The mapping for CSV inputs (else each CSV file's `NAME.mapping.yaml|yml|json` beside it).
    public var mappingPath: String?
    /// VCF sample names are MRNs in this identifier system (e.g. `Patient.identifier.system` in FHIR).
    public var mrnSystem: String?
    /// A CSV file `sample_id,identifier_system,identifier_value` linking VCF samples to persons.
    public var sampleMapPath: String?

    public init(
        paths: [String], format: IngestFormat = .auto, sourceName: String = "default", dryRun: Bool = false,
        batchSize: Int = 10000
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
        /// Why the whole file was refused (nothing of it loaded), e.g. a malformed VCF line.
        public var refusal: String?

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
    /// Files refused whole, with their reasons.
    public var refusedFiles: [FileReport] { files.filter { $0.refusal != nil } }
}

/// Progress callbacks while ingesting: records done in the current file.
public struct IngestProgress: Sendable {
    public let file: String
    public let records: Int
}
