import Testing

@testable import PMAPIngest

struct VCFHeaderTests {
    static let columns = "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"

    /// A header of `meta` lines after `##fileformat=VCFv4.2`, ending with the column line.
    static func header(_ meta: [String], samples: [String] = ["S1"]) throws(VCFFileError) -> VCFHeader {
        let columns =
            samples.isEmpty ? Self.columns : ([Self.columns, "FORMAT"] + samples).joined(separator: "\t")
        return try VCFText.header((["##fileformat=VCFv4.2"] + meta + [columns]).joined(separator: "\n"))
    }

    @Test func genomeBuildFromReferenceAssemblyOrContig() throws {
        #expect(try Self.header(["##reference=GRCh38"]).genomeBuild == "GRCh38")
        #expect(try Self.header(["##reference=GRCh38.p14"]).genomeBuild == "GRCh38")
        #expect(try Self.header(["##reference=file:///data/hg19/ucsc.hg19.fasta"]).genomeBuild == "GRCh37")
        #expect(try Self.header(["##reference=https://example.org/refs/hg38.fa.gz"]).genomeBuild == "GRCh38")
        #expect(try Self.header(["##reference=/refs/human_g1k_b37.fasta"]).genomeBuild == "GRCh37")
        #expect(try Self.header(["##reference=/refs/hs37d5.fa"]).genomeBuild == "GRCh37")
        #expect(try Self.header(["##reference=/refs/Homo_sapiens.GRCh37.dna.fa"]).genomeBuild == "GRCh37")
        // Not a build name: the next source decides.
        #expect(try Self.header(["##reference=/refs/genome.fa", "##assembly=hg38"]).genomeBuild == "GRCh38")
        #expect(
            try Self.header(["##reference=/refs/genome.fa", "##contig=<ID=1,length=249250621,assembly=b37>"])
                .genomeBuild == "GRCh37")
        // ##reference wins over contigs; words are whole: `lib37` and `hg190` are not builds.
        #expect(
            try Self.header(["##contig=<ID=1,assembly=hg19>", "##reference=GRCh38"]).genomeBuild == "GRCh38")
        #expect(try Self.header(["##reference=/lib37/hg190.fa"]).genomeBuild == "unknown")
        #expect(try Self.header([]).genomeBuild == "unknown")
    }

    @Test func structuredLinesAreRead() throws {
        let header = try Self.header(
            [
                #"##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth, \"raw\" reads">"#,
                #"##INFO=<ID=DB,Number=0,Type=Flag,Description="dbSNP",Source="dbsnp",Version="138">"#,
                #"##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic "depths" (ref, alt)">"#,
                #"##FILTER=<ID=q10,Description="Quality below 10">"#,
                "##contig=<ID=chr1,length=248956422,assembly=GRCh38,md5=2648ae1bacce4ec4b6cf337dcae37816>",
                #"##SAMPLE=<ID=S1,Description="Germline panel, blood">"#,
                "##source=PMAP synthetic sequencing lab (pmap synth)",
            ], samples: ["S1", "S2"])
        #expect(header.version == "4.2")
        #expect(
            header.info["DP"]
                == VCFFieldDefinition(
                    id: "DP", number: "1", type: "Integer", description: #"Depth, "raw" reads"#))
        #expect(header.info["DB"]?.type == "Flag")
        #expect(header.format["AD"]?.description == #"Allelic "depths" (ref, alt)"#)
        #expect(header.filters == ["q10": "Quality below 10"])
        #expect(header.contigs == [VCFContig(id: "chr1", length: 248_956_422, assembly: "GRCh38")])
        #expect(header.sampleLineIDs == ["S1"])
        #expect(header.samples == ["S1", "S2"])
        #expect(header.columnCount == 11)
        #expect(
            header.metaLines.last
                == VCFMetaLine(
                    key: "source", value: "PMAP synthetic sequencing lab (pmap synth)", attributes: [:]))
        #expect(header.genomeBuild == "GRCh38")
    }

    @Test func versionsFourZeroToFourFive() throws {
        for minor in 0...5 {
            let header = try VCFText.header("##fileformat=VCFv4.\(minor)\n\(Self.columns)")
            #expect(header.version == "4.\(minor)")
            #expect(header.samples.isEmpty && !header.hasFormatColumn && header.columnCount == 8)
        }
        #expect(try VCFText.header("\u{FEFF}##fileformat=VCFv4.1\n\(Self.columns)").version == "4.1")
        let rule = "the first line must be ##fileformat=VCFv4.x (VCF 4.0 to 4.5)"
        for first in [
            "##fileformat=VCFv3.3", "##fileformat=VCFv4.6", "##fileformat=VCFv4.2 ", "##source=x", "",
            Self.columns,
        ] {
            #expect(VCFText.refusal("\(first)\n\(Self.columns)") == VCFFileError(line: 1, rule: rule))
        }
    }

    @Test func headerRulesAreNamedWithTheirLine() {
        func refusal(_ meta: String, samples: [String] = ["S1"]) -> VCFFileError? {
            do {
                _ = try Self.header([meta], samples: samples)
                return nil
            } catch {
                return error
            }
        }
        #expect(
            refusal("##INFO=<ID=DP,Number=1,Description=\"x\">")?.rule
                == "##INFO Type must be one of Integer, Float, Flag, Character, String")
        #expect(
            refusal("##INFO=<ID=DP,Number=one,Type=Integer,Description=\"x\">")?.rule
                == "##INFO Number must be an integer, A, R, G or .")
        #expect(
            refusal("##FORMAT=<ID=FT,Number=0,Type=Flag,Description=\"x\">")?.rule
                == "##FORMAT Type must be one of Integer, Float, Character, String")
        #expect(refusal("##INFO=<ID=DP,Number=1,Type=Integer>")?.rule == "##INFO lines need a Description")
        #expect(
            refusal("##INFO=<Number=1,Type=Integer,Description=\"x\">")?.rule == "##INFO lines need an ID")
        #expect(
            refusal("##INFO=<ID=DP,Number=1,Type=Integer,Description=\"x\"")
                == VCFFileError(line: 2, rule: "a structured meta line ##key=<...> must end with >"))
        #expect(
            refusal("##INFO=<ID=DP,Number=1,Type=Integer,Description=\"open>")?.rule
                == "a structured meta line must hold key=value pairs separated by commas")
        #expect(
            refusal("##contig=<ID=1,length=12a>")?.rule == "##contig length must be a non-negative integer")
        #expect(refusal("##just text")?.rule == "meta-information lines must be ##key=value")
        #expect(
            refusal("#comment")?.rule
                == "the column line must start #CHROM POS ID REF ALT QUAL FILTER INFO, separated by tabs")
        #expect(refusal("##fileformat=VCFv4.2")?.rule == "a header has one ##fileformat line, the first")
        #expect(refusal("1\t100\t.\tA\tG\t.\t.\t.")?.rule == "a data line before the #CHROM column line")
    }

    @Test func columnLineRules() {
        let start = "##fileformat=VCFv4.2\n"
        #expect(
            VCFText.refusal(start + "#CHROM POS ID REF ALT QUAL FILTER INFO")?.rule
                == "the column line must start #CHROM POS ID REF ALT QUAL FILTER INFO, separated by tabs")
        #expect(
            VCFText.refusal(start + Self.columns + "\tS1\tS2")
                == VCFFileError(line: 2, rule: "the 9th column must be FORMAT when samples follow"))
        #expect(
            VCFText.refusal(start + Self.columns + "\tFORMAT\tS1\tS2\tS1")
                == VCFFileError(line: 2, rule: "column 12: the same sample name as column 10"))
        #expect(
            VCFText.refusal(start + Self.columns + "\tFORMAT\t\tS2")?.rule
                == "column 10: a sample name must not be empty")
        // A FORMAT column without samples, and CRLF line ends, are accepted.
        #expect(VCFText.refusal(start + Self.columns + "\tFORMAT\r") == nil)
        #expect(
            VCFText.refusal("##fileformat=VCFv4.2")
                == VCFFileError(line: 1, rule: "the file ends before the #CHROM column line"))
        #expect(VCFText.refusal("") == VCFFileError(line: 0, rule: "empty file: no ##fileformat line"))
    }

    @Test func builderCanBeUsedDirectly() throws {
        var builder = VCFHeaderBuilder()
        #expect(!builder.hasFileFormat)
        try builder.add(line: "##fileformat=VCFv4.3", number: 1)
        try builder.add(line: "##assembly=GRCh38", number: 2)
        let header = try builder.finish(columnLine: Self.columns + "\tFORMAT\tMRN001", number: 3)
        #expect(header.samples == ["MRN001"] && header.genomeBuild == "GRCh38" && header.version == "4.3")
        #expect(throws: VCFFileError(line: 1, rule: VCFHeaderBuilder.firstLineRule)) {
            _ = try VCFHeaderBuilder().finish(columnLine: Self.columns, number: 1)
        }
    }
}
