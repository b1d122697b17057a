import Foundation
import Testing

@testable import PMAPIngest

struct VCFLineTests {
    static let headerText = """
        ##fileformat=VCFv4.3
        ##reference=GRCh38
        ##INFO=<ID=GENE,Number=1,Type=String,Description="Gene symbol">
        ##INFO=<ID=HGVSC,Number=1,Type=String,Description="HGVS c.">
        ##INFO=<ID=CLNSIG,Number=.,Type=String,Description="ClinVar significance">
        ##INFO=<ID=DB,Number=0,Type=Flag,Description="dbSNP membership">
        ##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
        ##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
        ##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
        ##FORMAT=<ID=AF,Number=A,Type=Float,Description="Allele fractions">
        #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3
        """

    static let header = try! VCFText.header(headerText)

    /// A data line of `header`: the site columns then FORMAT and three samples.
    static func line(
        ref: String = "A", alt: String = "G", info: String = ".", format: String = "GT", _ samples: String...
    ) throws(VCFFileError) -> VCFLine {
        let text = (["chr1", "1000", "rs1", ref, alt, "50", "PASS", info, format] + samples).joined(
            separator: "\t")
        return try variants(ofDataLine: text, number: 7, header: header)
    }

    static func refusal(_ text: String) -> VCFFileError? {
        do {
            try VCFLine.check(dataLine: text, number: 9, header: header)
        } catch {
            #expect(throws: error) { try variants(ofDataLine: text, number: 9, header: header) }
            return error
        }
        return nil
    }

    @Test func siteColumns() throws {
        let line = try Self.line(alt: "G,T", info: "DB", "0/0", "./.", ".")
        #expect(line.chromosome == "chr1" && line.position == 1000 && line.id == "rs1" && line.ref == "A")
        #expect(line.alts == ["G", "T"] && line.quality == 50 && line.filter == ["PASS"])
        #expect(line.facts.isEmpty && line.samplesWithVariants.isEmpty)
        let missing = try variants(
            ofDataLine: "2\t5\t.\tc\t.\t.\t.\t.\tGT\t0\t0/0\t.", number: 1, header: Self.header)
        #expect(missing.id == nil && missing.alts.isEmpty && missing.quality == nil && missing.filter.isEmpty)
        #expect(missing.facts.isEmpty)
        let filters = try variants(
            ofDataLine: "2\t5\t.\tC\tT\t1e3\tq10;s50\t.\tGT\t0\t0\t0", number: 1, header: Self.header)
        #expect(filters.filter == ["q10", "s50"] && filters.quality == 1000)
    }

    @Test func genotypesGiveOneFactPerCarriedAllele() throws {
        let line = try Self.line(alt: "G,T", "0|1", "1/2", "2/2")
        #expect(line.facts.map(\.sampleID) == ["S1", "S2", "S2", "S3"])
        #expect(line.facts.map(\.alternate) == ["G", "G", "T", "T"])
        #expect(line.facts.map(\.zygosity) == ["heterozygous", "heterozygous", "heterozygous", "homozygous"])
        #expect(line.samplesWithVariants == ["S1", "S2", "S3"])
        #expect(
            line.facts.allSatisfy {
                $0.genomeBuild == "GRCh38" && $0.chromosome == "chr1" && $0.position == 1000
            })

        let partial = try Self.line("./1", "1", "1|.")
        #expect(partial.facts.map(\.zygosity) == ["unknown", "hemizygous", "unknown"])
        let none = try Self.line("0/0", "./.", ".")
        #expect(none.facts.isEmpty && none.samplesWithVariants.isEmpty)
        // Triploid, and a VCF 4.4 phasing prefix.
        let polyploid = try Self.line("0/1/1", "1/1/1", "|0|1")
        #expect(polyploid.facts.map(\.zygosity) == ["heterozygous", "homozygous", "heterozygous"])
        // Order of the GT does not matter: 2/1 gives ALT 1 then ALT 2.
        #expect(try Self.line(alt: "G,T", "2/1", "0", "0").facts.map(\.alternate) == ["G", "T"])
    }

    @Test func spanningDeletionsAndSymbolicAlleles() throws {
        let line = try Self.line(alt: "*,<DEL>,<NON_REF>", "1/2", "1/1", "0/3")
        #expect(line.facts.map(\.alternate) == ["<DEL>"])
        #expect(line.facts.map(\.sampleID) == ["S1"])
        #expect(line.facts.first?.zygosity == "heterozygous")  // 1/2: the other allele is `*`
        #expect(line.samplesWithVariants == ["S1"])
        let breakend = try Self.line(alt: "G]17:198982],.A", "0/1", "0/2", "0/0")
        #expect(breakend.facts.map(\.alternate) == ["G]17:198982]", ".A"])
    }

    @Test func depthAndAlleleFraction() throws {
        let fromDepths = try Self.line(format: "GT:DP:AD", "0/1:40:30,10", "1/1:.:0,12", "0/1:9:.")
        #expect(fromDepths.facts.map(\.readDepth) == [40, nil, 9])
        #expect(fromDepths.facts.map(\.alleleFraction) == [0.25, 1, nil])
        let multi = try Self.line(alt: "G,T", format: "GT:AD", "1/2:10,20,30", "0/2:5,0,.", "0/1:0,0,0")
        let multiExpected: [Double?] = [20.0 / 60, 30.0 / 60, nil, nil]
        #expect(multi.facts.map(\.alleleFraction) == multiExpected)
        // FORMAT AF (one per ALT) wins over AD; a single AF value serves a single ALT.
        let fractions = try Self.line(
            alt: "G,T", format: "GT:AD:AF", "1/2:10,20,30:0.3,0.4", "0/2:5,5,5:.,.", "0/0")
        let fractionsExpected: [Double?] = [0.3, 0.4, 5.0 / 15]
        #expect(fractions.facts.map(\.alleleFraction) == fractionsExpected)
        #expect(try Self.line(format: "GT:AF", "0/1:0.42", "0", "0").facts.first?.alleleFraction == 0.42)
    }

    /// Trailing FORMAT values may be dropped (VCF 4.x), not added.
    @Test func missingTrailingFormatValues() throws {
        let line = try Self.line(format: "GT:DP:AD:AF", "0/1", "0/1:12", ".")
        #expect(line.facts.map(\.readDepth) == [nil, 12])
        #expect(line.facts.allSatisfy { $0.alleleFraction == nil })
        #expect(throws: VCFFileError(line: 7, rule: "column 12: 3 values, FORMAT has 2 keys")) {
            try Self.line(format: "GT:DP", "0/1:1", "0/1", "0/1:2:3")
        }
    }

    @Test func infoValuesArePercentDecoded() throws {
        let line = try Self.line(
            info:
                "DB;GENE=BRCA1;HGVSC=NM_007294.4%3Ac.68_69del%3B%25%2C%3D%ZZ;"
                + "CLNSIG=Likely_pathogenic%2C_low_penetrance",
            "0/1", "0/0", "0/0")
        let fact = try #require(line.facts.first)
        #expect(fact.geneSymbol == "BRCA1")
        #expect(fact.hgvsC == "NM_007294.4:c.68_69del;%,=%ZZ")
        #expect(fact.clinicalSignificance == "Likely pathogenic, low penetrance")
    }

    /// The (real) PMAP generator's line shape, from Sources/PMAPSynth/Render/VCFRenderer.swift:
    /// GRCh38, INFO GENE/HGVSC/HGVSP/CLNSIG, GT:DP, samples named by MRN.
    @Test func pmapSyntheticGermlinePanelLine() throws {
        let text = """
            ##fileformat=VCFv4.2
            ##fileDate=20241231
            ##source=PMAP synthetic sequencing lab (pmap synth)
            ##reference=GRCh38
            ##comment=Synthetic germline panel: genotypes are simulated; positions and alleles are illustrative.
            ##contig=<ID=chr13,length=114364328,assembly=GRCh38>
            ##INFO=<ID=GENE,Number=1,Type=String,Description="HGNC gene symbol">
            ##INFO=<ID=HGVSC,Number=1,Type=String,Description="HGVS coding DNA notation">
            ##INFO=<ID=HGVSP,Number=1,Type=String,Description="HGVS protein notation">
            ##INFO=<ID=CLNSIG,Number=1,Type=String,Description="Clinical significance (ClinVar terms)">
            ##FILTER=<ID=PASS,Description="All filters passed">
            ##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
            ##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
            ##SAMPLE=<ID=MRN00000001,Description="Germline panel, blood",CollectionDate=2021-03-04>
            ##SAMPLE=<ID=MRN00000002,Description="Germline panel, blood",CollectionDate=2022-11-30>
            ##SAMPLE=<ID=MRN00000003,Description="Germline panel, blood",CollectionDate=2023-06-15>
            #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tMRN00000001\tMRN00000002\tMRN00000003
            chr13\t32340300\trs80359550\tCT\tC\t99\tPASS\tGENE=BRCA2;HGVSC=NM_000059.4:c.5946del;\
            HGVSP=NP_000050.3:p.Ser1982ArgfsTer22;CLNSIG=Pathogenic\tGT:DP\t0/0:37\t0/1:44\t1/1:51
            chr22\t28711987\trs17879961\tC\tT\t99\tPASS\tGENE=CHEK2;HGVSC=NM_007194.4:c.470T>C;\
            HGVSP=NP_009125.1:p.Ile157Thr;CLNSIG=Uncertain_significance\tGT:DP\t0/0:58\t0/0:65\t0/0:72

            """
        let (header, lines) = try VCFText.load(text)
        #expect(header.genomeBuild == "GRCh38")
        #expect(header.sampleLineIDs == header.samples)
        #expect(lines.count == 2 && lines[1].facts.isEmpty)
        var expected = VariantFact(
            sampleID: "MRN00000002", genomeBuild: "GRCh38", chromosome: "chr13", position: 32_340_300,
            reference: "CT", alternate: "C", zygosity: "heterozygous")
        expected.geneSymbol = "BRCA2"
        expected.hgvsC = "NM_000059.4:c.5946del"
        expected.hgvsP = "NP_000050.3:p.Ser1982ArgfsTer22"
        expected.clinicalSignificance = "Pathogenic"
        expected.readDepth = 44
        #expect(lines[0].facts.first == expected)
        #expect(lines[0].facts.last?.zygosity == "homozygous" && lines[0].facts.last?.readDepth == 51)
        #expect(lines[0].samplesWithVariants == ["MRN00000002", "MRN00000003"])
        #expect(lines[0].id == "rs80359550")
    }

    @Test func malformedLinesAreRefusedWithTheirRule() {
        let good = "chr1\t1000\trs1\tA\tG\t50\tPASS\t.\tGT:DP\t0/1:3\t0/0\t."
        #expect(Self.refusal(good) == nil)
        func with(_ column: Int, _ value: String) -> String {
            var columns = good.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            columns[column] = value
            return columns.joined(separator: "\t")
        }
        #expect(
            Self.refusal("chr1\t1000\trs1\tA\tG\t50\tPASS")
                == VCFFileError(line: 9, rule: "7 columns, the header declares 12"))
        #expect(Self.refusal(good + "\t0/1")?.description == "line 9: 13 columns, the header declares 12")
        #expect(Self.refusal("")?.rule == "a data line must not be empty")
        #expect(
            Self.refusal("#" + good)?.rule == "header lines (#...) must come before the #CHROM column line")
        #expect(Self.refusal(with(0, ""))?.rule == "CHROM must not be empty")
        #expect(Self.refusal(with(0, "chr 1"))?.rule == "CHROM must not contain spaces")
        for position in ["abc", "-5", "12.5", "", "1e5", "1234567890123456789"] {
            #expect(Self.refusal(with(1, position))?.rule == "POS must be a non-negative integer")
        }
        #expect(
            Self.refusal(with(2, ""))?.rule == "ID must be . or identifiers separated by ; without spaces")
        for ref in ["", "AXG", "A-G", "R", "."] {
            #expect(
                Self.refusal(with(3, ref)) == VCFFileError(line: 9, rule: "REF must be A, C, G, T or N bases")
            )
        }
        #expect(Self.refusal(with(3, "acgtn")) == nil)
        for alt in ["", "G,", "<DEL", "<>", "GX", "..", "G,,T"] {
            #expect(
                Self.refusal(with(4, alt))?.rule
                    == "ALT must be . or alleles separated by , (bases, *, <ID> or a breakend)")
        }
        #expect(Self.refusal(with(5, "high"))?.rule == "QUAL must be a number or .")
        #expect(Self.refusal(with(6, ""))?.rule == "FILTER must be PASS, . or filter names separated by ;")
        #expect(
            Self.refusal(with(6, "q10;;s50"))?.rule == "FILTER must be PASS, . or filter names separated by ;"
        )
        #expect(Self.refusal(with(7, ""))?.rule == "INFO must be . or KEY[=value] entries separated by ;")
        #expect(Self.refusal(with(7, "=3"))?.rule == "INFO keys must not be empty")
        #expect(Self.refusal(with(7, "DP=3;;DB;")) == nil)
        #expect(Self.refusal(with(8, "DP:GT"))?.rule == "GT must be the first FORMAT key")
        #expect(Self.refusal(with(8, "GT::DP"))?.rule == "FORMAT must be keys separated by :")
        for genotype in ["0/", "a/1", "0//1", "0\\1", "", "0/1/"] {
            let rule =
                genotype.isEmpty
                ? "column 10: a sample column must not be empty (. if missing)"
                : "column 10: GT must be allele indexes or . separated by / or |"
            #expect(Self.refusal(with(9, genotype))?.rule == rule)
        }
        #expect(
            Self.refusal(with(9, "0/2"))?.rule == "column 10: GT allele 2, but the line has 1 ALT alleles")
        #expect(Self.refusal(with(10, "0/1:x"))?.rule == "column 11: FORMAT DP must be an integer or .")
        #expect(
            Self.refusal(with(4, ".").replacingOccurrences(of: "0/1:3", with: "1:3"))?.rule
                == "column 10: GT allele 1, but the line has 0 ALT alleles")
    }

    @Test func alleleDepthAndFractionValuesAreChecked() {
        let base = "chr1\t1000\t.\tA\tG\t.\t.\t.\tGT:AD:AF"
        #expect(
            Self.refusal(base + "\t0/1:3,x\t.\t.")?.rule
                == "column 10: FORMAT AD must be integers or . separated by ,")
        #expect(
            Self.refusal(base + "\t0/1:3,1:high\t.\t.")?.rule
                == "column 10: FORMAT AF must be numbers or . separated by ,")
        #expect(Self.refusal(base + "\t0/1:3,.:.\t.:.:.\t0/0:.:0.5") == nil)
    }

    /// A line of 10,000 samples reads in linear time (a quadratic reader would take seconds).
    @Test func tenThousandSamples() throws {
        let samples = (1...10_000).map { "P\($0)" }
        let header = try VCFText.header(
            "##fileformat=VCFv4.2\n"
                + (["#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT"] + samples).joined(
                    separator: "\t"))
        let calls = (1...10_000).map { $0 % 10 == 0 ? "0/1:30:20,10" : "0/0:30:30,0" }
        let text =
            (["chr2", "47403192", "rs4987188", "C", "T", "99", "PASS", "GENE=MSH2", "GT:DP:AD"] + calls)
            .joined(separator: "\t")
        let clock = ContinuousClock()
        var line: VCFLine?
        let elapsed = try clock.measure {
            for _ in 0..<10 { line = try variants(ofDataLine: text, number: 3, header: header) }
        }
        #expect(line?.facts.count == 1000)
        #expect(line?.facts.last?.sampleID == "P10000")
        #expect(line?.facts.allSatisfy { $0.geneSymbol == "MSH2" && $0.alleleFraction == 1.0 / 3 } == true)
        #expect(elapsed < .seconds(5), "10 reads of a 10,000-sample line took \(elapsed)")
    }
}
