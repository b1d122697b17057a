import Foundation
import PMAPTestSupport
import Testing

@testable import PMAPIngest

/// Reads VCF text the way the platform does: a validation pass over every line, then a loading
/// pass.
enum VCFText {
    /// The lines of a file's text, without line breaks (a final line break ends the last line).
    static func lines(_ text: String) -> [Substring] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last?.isEmpty == true { lines.removeLast() }
        return lines
    }

    /// The header and the data lines of `text`; throws the first rule a line breaks.
    static func load(_ text: String) throws(VCFFileError) -> (header: VCFHeader, lines: [VCFLine]) {
        let lines = lines(text)
        var checker = VCFReader()
        for (index, line) in lines.enumerated() { try checker.check(line: line, number: index + 1) }
        try checker.finish()
        var reader = VCFReader()
        var records: [VCFLine] = []
        for (index, line) in lines.enumerated() {
            if let record = try reader.read(line: line, number: index + 1) { records.append(record) }
        }
        try reader.finish()
        return (reader.header!, records)
    }

    /// The header of text that ends with its column line.
    static func header(_ text: String) throws(VCFFileError) -> VCFHeader { try load(text).header }

    /// The error `load` throws, or nil.
    static func refusal(_ text: String) -> VCFFileError? {
        do {
            _ = try load(text)
            return nil
        } catch {
            return error
        }
    }

    /// A file of ../shared/data/vcf (cyvcf2's test files).
    static func shared(_ name: String) throws -> String {
        try String(contentsOf: SharedData.file("vcf/\(name)"), encoding: .utf8)
    }
}

/// cyvcf2's test files (../shared/data/vcf). Expected values were read from the files
/// themselves (the lines are quoted in the comments).
@Suite(.enabled(if: SharedData.shouldRun, Comment(rawValue: SharedData.skipMessage)))
struct VCFSharedFileTests {
    @Test func emptyFileIsRefused() throws {
        let text = try VCFText.shared("empty.vcf")
        #expect(text.isEmpty)
        #expect(VCFText.refusal(text) == VCFFileError(line: 0, rule: "empty file: no ##fileformat line"))
        #expect(VCFText.refusal(text)?.description == "empty file: no ##fileformat line")
    }

    /// Its column line ends with a tab (`...FORMAT\tFOO\t`): an 11th column with an empty sample
    /// name. (Its data lines have 10 columns, so they would not match the header either.)
    @Test func invalidHeaderIsRefusedForItsEmptySampleName() throws {
        let error = VCFText.refusal(try VCFText.shared("test-invalid-header.vcf"))
        #expect(error == VCFFileError(line: 2, rule: "column 11: a sample name must not be empty"))
    }

    /// `##contig=<ID=3,assembly=b37>` has no length and no-seq-names.vcf has no contig line;
    /// VCF 4.1 requires neither, so both load. One line:
    /// `3 81262 . G A ... GT 0/. ./0 1/. ./1 ./.`: samples 3 and 4 carry A with a missing
    /// second allele.
    @Test(arguments: ["no-seq-len.vcf", "no-seq-names.vcf", "decomposed.vcf"])
    func filesWithoutContigDetailsLoad(name: String) throws {
        let (header, lines) = try VCFText.load(try VCFText.shared(name))
        #expect(header.version == "4.1")
        #expect(header.samples == ["sample1", "sample2", "sample3", "sample4", "sample5"])
        #expect(header.genomeBuild == (name == "no-seq-names.vcf" ? "unknown" : "GRCh37"))
        #expect(header.contigs.first?.length == (name == "decomposed.vcf" ? 198_022_430 : nil))
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.chromosome == "3" && line.position == 81262 && line.ref == "G" && line.alts == ["A"])
        #expect(line.quality == 1_826_147.32)
        #expect(line.samplesWithVariants == ["sample3", "sample4"])
        #expect(line.facts.map(\.zygosity) == ["unknown", "unknown"])
        #expect(line.facts.allSatisfy { $0.alternate == "A" && $0.readDepth == nil })
    }

    /// 777 chrX lines of three male samples, every GT haploid: 1,439 `1`, 274 `0` and 618 `.`
    /// (counted with awk over the GT sub-fields) give 1,439 hemizygous facts. First line:
    /// `chrX 2700157 . G A ... GT:AD:DP:GQ:PL 1:0,52:52:99:1701,0 1:0,38:38:... 1:0,27:27:...`
    /// with CSQ `missense_variant|Gac/Aac|D/N|ENSG00000124343|XG|...` (no Allele field).
    @Test func haploidXGivesHemizygousFacts() throws {
        let (header, lines) = try VCFText.load(try VCFText.shared("test-haploidX.vcf"))
        #expect(header.genomeBuild == "GRCh37")  // ##reference=.../ucsc.hg19.fasta
        #expect(header.samples == ["37150", "37165", "38008"])
        #expect(lines.count == 777)
        let facts = lines.flatMap(\.facts)
        #expect(facts.count == 1439)
        #expect(facts.allSatisfy { $0.zygosity == "hemizygous" && $0.chromosome == "chrX" })
        let first = lines[0]
        #expect(first.position == 2_700_157 && first.ref == "G" && first.alts == ["A"])
        #expect(first.facts.map(\.sampleID) == ["37150", "37165", "38008"])
        #expect(first.facts.map(\.readDepth) == [52, 38, 27])
        #expect(first.facts.map(\.alleleFraction) == [1, 1, 1])
        #expect(first.facts.allSatisfy { $0.geneSymbol == "XG" && $0.genomeBuild == "GRCh37" })
        // Line 3: `chrX 2733109 ... .:0,0:.:.:. 1:0,55:55:99:1505,0 .:0,0:.:.:.`
        #expect(lines[2].samplesWithVariants == ["37165"])
        // Line 2 writes three AD values for two alleles (`1:0,10,0:10`): no fraction from them.
        #expect(lines[1].facts.first?.alleleFraction == nil)
    }

    /// test-hemi.vcf has no haploid call: its two chr19 lines hold 0/0, 0/1, 0/. and `.` over
    /// 27 samples. 0/. carries no ALT, so only the three 0/1 calls give (heterozygous) facts:
    /// C>T in 15G17766 and 15G18726, C>G in 15G18300. CSQ has no Allele field and each line one
    /// ALT: the first annotation gives the gene (LDLR); its layout has no HGVS fields.
    @Test func hemiFileGivesItsThreeCalls() throws {
        let (header, lines) = try VCFText.load(try VCFText.shared("test-hemi.vcf"))
        #expect(header.samples.count == 27)
        #expect(header.genomeBuild == "unknown")  // ##reference=/var/reference_sequences/MiSeq/genome.fa
        #expect(lines.count == 2)
        #expect(lines[0].filter == ["FAIL"] && lines[1].filter.isEmpty)
        #expect(lines[0].samplesWithVariants == ["15G17766", "15G18726"])
        #expect(lines[1].samplesWithVariants == ["15G18300"])
        let facts = lines.flatMap(\.facts)
        #expect(facts.map(\.alternate) == ["T", "T", "G"])
        #expect(facts.map(\.readDepth) == [605, 882, 1036])
        #expect(facts.allSatisfy { $0.zygosity == "heterozygous" && $0.geneSymbol == "LDLR" })
        #expect(facts.allSatisfy { $0.hgvsC == nil && $0.hgvsP == nil && $0.alleleFraction == nil })
    }

    /// SnpEff 3 `EFF` effects; the first names the gene. Its codon and amino-acid fields are
    /// not HGVS (SnpEff ran without -hgvs: `Aca/Gca`, `T141A`), so no HGVS is reported.
    /// Carriers (GT:AD:DP:GQ:PL): 30867 CCT>C `0/1:5,1:6` in 1094PC0012; 30895 T>C in 0005
    /// `0/1:7,1:8` and 0009 `0/1:1,2:3`; 69270 A>G `1/1` in 0012 and 0013; 69511 A>G `0/1` in
    /// 0012 and 0013; 69761 A>T `0/1:6,1:7` in 0009.
    @Test func snpEffEffectsGiveTheGene() throws {
        let (header, lines) = try VCFText.load(try VCFText.shared("test.snpeff.vcf"))
        #expect(header.genomeBuild == "GRCh37")  // ##reference=.../hg19/bwa/gatk/hg19_gatk.fa
        #expect(lines.count == 10)
        let facts = lines.flatMap(\.facts)
        #expect(facts.count == 8)
        let deletion = try #require(lines.first { $0.position == 30867 }?.facts.first)
        #expect(deletion.sampleID == "1094PC0012" && deletion.reference == "CCT" && deletion.alternate == "C")
        #expect(deletion.geneSymbol == "FAM138A" && deletion.readDepth == 6)
        #expect(deletion.alleleFraction == 1.0 / 6)
        let homozygous = try #require(lines.first { $0.position == 69270 })
        #expect(homozygous.facts.map(\.zygosity) == ["homozygous", "homozygous"])
        #expect(homozygous.facts.map(\.geneSymbol) == ["OR4F5", "OR4F5"])
        let missense = try #require(lines.first { $0.position == 69511 })
        #expect(missense.samplesWithVariants == ["1094PC0012", "1094PC0013"])
        #expect(missense.facts.allSatisfy { $0.geneSymbol == "OR4F5" && $0.hgvsC == nil && $0.hgvsP == nil })
        let fractions: [Double?] = [4.0 / 6, 0.5]
        #expect(missense.facts.map(\.alleleFraction) == fractions)
    }

    /// freebayes -p 1 on one sample named `unknown`: every GT is `0`, so no facts; the
    /// multi-allelic MNP sites keep their ALTs in order. Line 3:
    /// `NODE_12_... 69322 . GCC TCC,GCA,GCG ... 0:33:22,2,5,2:...`.
    @Test func mnpFileKeepsMultiAllelicSites() throws {
        let text = try VCFText.shared("test.mnp.vcf")
        let (header, lines) = try VCFText.load(text)
        #expect(header.samples == ["unknown"])
        #expect(header.genomeBuild == "unknown")  // ##reference=assembly/scaffolds.fasta
        #expect(lines.count == 6)
        #expect(lines.allSatisfy { $0.facts.isEmpty && $0.samplesWithVariants.isEmpty })
        #expect(lines[0].alts == ["GCGGG", "GCGGT"])
        #expect(lines[2].ref == "GCC" && lines[2].alts == ["TCC", "GCA", "GCG"])
        #expect(lines[5].ref == "ATTAC" && lines[5].alts == ["ATAC", "AATAC"])

        // The same line with the sample calling ALT 2: hemizygous GCA, AD 5 of 22+2+5+2.
        let line = try #require(VCFText.lines(text).first { $0.hasPrefix("NODE_12_") })
        let called = line.replacingOccurrences(of: "\t0:33:", with: "\t2:33:")
        let record = try variants(ofDataLine: called, number: 1, header: header)
        #expect(record.facts.count == 1)
        #expect(record.facts.first?.alternate == "GCA" && record.facts.first?.zygosity == "hemizygous")
        #expect(record.facts.first?.alleleFraction == 5.0 / 31 && record.facts.first?.readDepth == 33)
    }

    /// One line, six samples (GT:AD:GQ:DQ): `0/0:20,0` `0/1:20,20` `1/1:0,20` `0/.:20,0`
    /// `./1:0,20` `./.:0,0`.
    @Test func altRepresentationLine() throws {
        let (header, lines) = try VCFText.load(try VCFText.shared("test-alt-repr.vcf"))
        #expect(header.genomeBuild == "GRCh37")  // ##reference=.../hg19/.../human_g1k_v37.fasta
        let line = try #require(lines.first)
        #expect(
            lines.count == 1 && line.chromosome == "1" && line.position == 17363 && line.filter == ["PASS"])
        #expect(line.samplesWithVariants == ["sampleb", "samplec", "samplee"])
        #expect(line.facts.map(\.zygosity) == ["heterozygous", "homozygous", "unknown"])
        #expect(line.facts.map(\.alleleFraction) == [0.5, 1, 1])
        #expect(line.facts.allSatisfy { $0.readDepth == nil })  // no DP in FORMAT
    }

    /// FORMAT `GT:ADP_ALL:RULE`: `1|1` (line 1, Normal); `1/2` over A,C,G and `2|3` (line 2);
    /// triploid `0/1/.` (line 3, Tumor); `.` and `0|2` over G,T (line 4).
    @Test func formatStrings() throws {
        let (_, lines) = try VCFText.load(try VCFText.shared("test-format-string.vcf"))
        #expect(lines.count == 4)
        #expect(lines[0].facts.map(\.sampleID) == ["Normal"])
        #expect(lines[0].facts.map(\.zygosity) == ["homozygous"])
        #expect(lines[1].facts.map(\.sampleID) == ["Tumor", "Tumor", "Normal", "Normal"])
        #expect(lines[1].facts.map(\.alternate) == ["A", "C", "C", "G"])
        #expect(lines[1].facts.allSatisfy { $0.zygosity == "heterozygous" })
        #expect(lines[2].facts.map(\.zygosity) == ["unknown"])
        #expect(lines[3].facts.map(\.sampleID) == ["Normal"])
        #expect(lines[3].facts.map(\.alternate) == ["T"])
        #expect(lines.flatMap(\.facts).allSatisfy { $0.alleleFraction == nil && $0.readDepth == nil })
    }

    /// VarDict/freebayes tumour–normal file; INFO is `.` on every line. Line 1
    /// `chr22 16060 . C T ... GT:AD:BQ:DP:FREQ 0/1:8,2:30:21:0.381 0/0:0,20:.:28:0.607`;
    /// line 6 `chrM 15011 . T C ... GT:GQ:DP:... 1:160:970:...` in both samples.
    @Test func alleleFractionsFromAD() throws {
        let (header, lines) = try VCFText.load(try VCFText.shared("test_gt_alt_freqs.vcf"))
        #expect(header.samples == ["c-tumor2", "c-normal"])
        #expect(header.genomeBuild == "GRCh37")
        #expect(lines.count == 6)
        #expect(lines.flatMap(\.facts).count == 3)
        let tumour = try #require(lines[0].facts.first)
        #expect(lines[0].facts.count == 1 && tumour.sampleID == "c-tumor2")
        #expect(tumour.alleleFraction == 0.2 && tumour.readDepth == 21 && tumour.zygosity == "heterozygous")
        #expect(lines[5].facts.map(\.zygosity) == ["hemizygous", "hemizygous"])
        #expect(lines[5].facts.map(\.readDepth) == [970, 970])
        #expect(lines[5].facts.allSatisfy { $0.alleleFraction == nil })
    }

    /// Every other file of the folder loads; the facts per file are the carrying GT calls
    /// (listed with awk over the GT sub-fields).
    @Test(arguments: [
        ("test-genotypes.vcf", 5, 5), ("test-no-genotypes.vcf", 1, 0), ("test.bug.117.vcf", 3, 2),
        ("test.isa.vcf", 5, 0), ("issue_198.vcf", 2, 0), ("issue_44.vcf", 4, 0),
        ("test.comp_het.3.vcf", 6, 39),
    ])
    func otherFilesLoad(name: String, lineCount: Int, factCount: Int) throws {
        let (_, lines) = try VCFText.load(try VCFText.shared(name))
        #expect(lines.count == lineCount)
        #expect(lines.flatMap(\.facts).count == factCount)
    }

    /// `test-genotypes.vcf`: `1:36,0` and `./1:36,0,40` in sampleb; `0/1` and `0`.
    @Test func genotypeShapes() throws {
        let (_, lines) = try VCFText.load(try VCFText.shared("test-genotypes.vcf"))
        #expect(
            lines.map { $0.facts.map(\.zygosity) } == [
                ["hemizygous"], ["unknown"], ["hemizygous"], ["heterozygous"], ["heterozygous"],
            ])
        #expect(
            lines.map(\.samplesWithVariants) == [
                ["sampleb"], ["sampleb"], ["sampleb"], ["samplea"], ["sampleb"],
            ])
    }
}
