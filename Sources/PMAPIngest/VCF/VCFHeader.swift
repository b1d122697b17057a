/// The header of a VCF 4.0–4.5 file: its meta-information lines (`##key=value`,
/// `##INFO=<...>`, ...) and its `#CHROM` column line. Built line by line with
/// ``VCFHeaderBuilder`` (or ``VCFReader``), then used to read every data line.
public struct VCFHeader: Sendable {
    /// The version from `##fileformat=VCFv4.x`, e.g. `4.2`.
    public let version: String
    /// `GRCh37` or `GRCh38` from `##reference`, else `##assembly`, else a contig's `assembly`
    /// attribute (hg19 and b37 read as GRCh37, hg38 as GRCh38); `unknown` when none names a
    /// build this parser recognises.
    public let genomeBuild: String
    /// The sample names of the column line, in column order.
    public let samples: [String]
    /// Whether the column line has a FORMAT column (always when there are samples).
    public let hasFormatColumn: Bool
    /// Every meta-information line except `##fileformat`, in file order.
    public let metaLines: [VCFMetaLine]
    /// `##INFO` definitions by ID (the first definition of an ID wins).
    public let info: [String: VCFFieldDefinition]
    /// `##FORMAT` definitions by ID (the first definition of an ID wins).
    public let format: [String: VCFFieldDefinition]
    /// `##FILTER` IDs and their descriptions.
    public let filters: [String: String]
    /// `##contig` lines in file order.
    public let contigs: [VCFContig]
    /// The IDs of the `##SAMPLE=<ID=...>` lines in file order.
    public let sampleLineIDs: [String]

    /// How many tab-separated columns every data line must have.
    public var columnCount: Int { hasFormatColumn ? 9 + samples.count : 8 }

    /// Where gene and HGVS fields sit in the annotations of this file (from the INFO
    /// descriptions of CSQ and EFF).
    let annotationLayout: VCFAnnotationLayout

    init(
        version: String, samples: [String], hasFormatColumn: Bool, metaLines: [VCFMetaLine],
        info: [String: VCFFieldDefinition], format: [String: VCFFieldDefinition], filters: [String: String],
        contigs: [VCFContig], sampleLineIDs: [String]
    ) {
        self.version = version
        self.samples = samples
        self.hasFormatColumn = hasFormatColumn
        self.metaLines = metaLines
        self.info = info
        self.format = format
        self.filters = filters
        self.contigs = contigs
        self.sampleLineIDs = sampleLineIDs
        self.genomeBuild = Self.genomeBuild(metaLines: metaLines, contigs: contigs)
        self.annotationLayout = VCFAnnotationLayout(info: info)
    }

    /// `##reference`, then `##assembly`, then the contigs' `assembly` attributes; the first
    /// that names a recognised build.
    static func genomeBuild(metaLines: [VCFMetaLine], contigs: [VCFContig]) -> String {
        for key in ["reference", "assembly"] {
            for line in metaLines where line.key == key {
                if let build = recognisedBuild(in: line.value ?? line.attributes["ID"] ?? "") { return build }
            }
        }
        for contig in contigs {
            if let assembly = contig.assembly, let build = recognisedBuild(in: assembly) { return build }
        }
        return "unknown"
    }

    /// The build named by a reference value such as
    /// `file:///genomes/hg19/bwa/gatk/human_g1k_v37.fasta` or `GRCh38.p14`: the first
    /// alphanumeric word (words are split at any other character, `_` included) that is
    /// GRCh37, hg19, b37 or hs37d5 (→ `GRCh37`), or GRCh38 or hg38 (→ `GRCh38`), ignoring case.
    public static func recognisedBuild(in value: String) -> String? {
        var word: [UInt8] = []
        func build() -> String? {
            switch String(decoding: word, as: UTF8.self).lowercased() {
            case "grch37", "hg19", "b37", "hs37d5": return "GRCh37"
            case "grch38", "hg38": return "GRCh38"
            default: return nil
            }
        }
        for byte in value.utf8 {
            if VCFBytes.isAlphanumeric(byte) {
                word.append(byte)
            } else if !word.isEmpty {
                if let found = build() { return found }
                word.removeAll(keepingCapacity: true)
            }
        }
        return word.isEmpty ? nil : build()
    }
}

/// One `##key=value` or `##key=<attributes>` line of a VCF header.
public struct VCFMetaLine: Sendable, Equatable {
    /// The key, e.g. `source`, `INFO`, `contig`.
    public let key: String
    /// The value of an unstructured line (`##source=freeBayes`); nil for a `<...>` line.
    public let value: String?
    /// The attributes of a structured line, quotes and escapes removed; empty for an
    /// unstructured line.
    public let attributes: [String: String]
}

/// An `##INFO` or `##FORMAT` definition.
public struct VCFFieldDefinition: Sendable, Equatable {
    public let id: String
    /// An integer, or `A` (one per ALT allele), `R` (one per allele), `G` (one per genotype),
    /// `.` (varies).
    public let number: String
    /// `Integer`, `Float`, `Flag`, `Character` or `String`.
    public let type: String
    public let description: String
}

/// A `##contig` line.
public struct VCFContig: Sendable, Equatable {
    public let id: String
    public let length: Int?
    public let assembly: String?
}
