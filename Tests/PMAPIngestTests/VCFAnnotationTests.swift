import Testing

@testable import PMAPIngest

/// Gene, HGVS and significance from SnpEff ANN and EFF, VEP CSQ and plain INFO keys.
struct VCFAnnotationTests {
    static func header(_ info: [String]) throws(VCFFileError) -> VCFHeader {
        try VCFText.header(
            (["##fileformat=VCFv4.2"] + info + [
                "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">",
                "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2",
            ]).joined(separator: "\n"))
    }

    /// The facts of a line `chr13 100 . ref alt . . info GT s1 s2`.
    static func facts(_ header: VCFHeader, ref: String, alt: String, info: String, _ s1: String, _ s2: String)
        throws(VCFFileError) -> [VariantFact]
    {
        let text = ["chr13", "100", ".", ref, alt, ".", ".", info, "GT", s1, s2].joined(separator: "\t")
        return try variants(ofDataLine: text, number: 5, header: header).facts
    }

    /// VEP's field order comes from the header; VEP writes a deletion's allele as `-` and drops
    /// the shared first base of every allele (REF CCT, ALT C and CCA: Allele `-` and `CA`).
    @Test func vepFieldsInTheHeaderOrder() throws {
        let vep = try Self.header([
            "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"Consequence annotations from Ensembl VEP. "
                + "Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|"
                + "HGVSc|HGVSp\">"
        ])
        let csq =
            "CSQ=CA|missense_variant|MODERATE|GENE2|ENSG2|Transcript|ENST2|protein_coding|3/10||"
            + "ENST2.1:c.100T>A|ENSP2.1:p.Leu34%3D,"
            + "-|frameshift_variant|HIGH|BRCA2|ENSG1|Transcript|ENST1|protein_coding|11/27||"
            + "ENST1.5:c.5946del|ENSP1.4:p.Ser1982ArgfsTer22"
        let facts = try Self.facts(vep, ref: "CCT", alt: "C,CCA", info: csq, "0/1", "0/2")
        #expect(facts.map(\.geneSymbol) == ["BRCA2", "GENE2"])
        #expect(facts.map(\.hgvsC) == ["ENST1.5:c.5946del", "ENST2.1:c.100T>A"])
        #expect(facts.map(\.hgvsP) == ["ENSP1.4:p.Ser1982ArgfsTer22", "ENSP2.1:p.Leu34="])

        // Another order: symbol first, allele last.
        let reordered = try Self.header([
            "##INFO=<ID=CSQ,Number=.,Type=String,Description=\"VEP. Format: SYMBOL|HGVSp|HGVSc|Allele\">"
        ])
        let single = try Self.facts(
            reordered, ref: "G", alt: "A,T", info: "CSQ=TP53|p.Arg1Ter|c.1G>T|T,TP53|p.Arg1Gln|c.1G>A|A",
            "1/1", "2")
        #expect(single.map(\.geneSymbol) == ["TP53", "TP53"])
        #expect(single.map(\.hgvsP) == ["p.Arg1Gln", "p.Arg1Ter"])
        #expect(single.map(\.hgvsC) == ["c.1G>A", "c.1G>T"])
        #expect(single.map(\.zygosity) == ["homozygous", "hemizygous"])
    }

    /// ANN: the first annotation whose Allele is the ALT.
    @Test func snpEffAnnotationOfEachAllele() throws {
        let header = try Self.header([
            "##INFO=<ID=ANN,Number=.,Type=String,Description=\"Functional annotations: 'Allele | "
                + "Annotation | Annotation_Impact | Gene_Name | Gene_ID | Feature_Type | Feature_ID | "
                + "Transcript_BioType | Rank | HGVS.c | HGVS.p | cDNA.pos / cDNA.length | "
                + "CDS.pos / CDS.length | AA.pos / AA.length | Distance | "
                + "ERRORS / WARNINGS / INFO' \">",
            "##INFO=<ID=GENE,Number=1,Type=String,Description=\"Gene\">",
        ])
        let ann =
            "ANN=G|missense_variant|MODERATE|TP53|ENSG00000141510|transcript|NM_000546.6|protein_coding|4/11|"
            + "c.215C>G|p.Pro72Arg|215/2512|215/1182|72/393||,G|upstream_gene_variant|MODIFIER|WRAP53|ENSG2|"
            + "transcript|NM_2|protein_coding||c.-1000C>G|||||1000|,"
            + "T|synonymous_variant|LOW|TP53|ENSG00000141510|"
            + "transcript|NM_000546.6|protein_coding|4/11|c.215C>T|p.Pro72%3D|215/2512|215/1182|72/393||"
        let facts = try Self.facts(header, ref: "C", alt: "T,G,A", info: ann + ";GENE=FALLBACK", "1/2", "0/3")
        #expect(facts.map(\.alternate) == ["T", "G", "A"])
        #expect(facts.map(\.geneSymbol) == ["TP53", "TP53", "FALLBACK"])
        #expect(facts.map(\.hgvsC) == ["c.215C>T", "c.215C>G", nil])
        #expect(facts.map(\.hgvsP) == ["p.Pro72=", "p.Pro72Arg", nil])
    }

    /// SnpEff 3 run with -hgvs writes `p.../c...` in the amino-acid field; the genotype number
    /// ties an effect to its ALT.
    @Test func snpEffThreeEffectsWithHGVS() throws {
        let header = try Self.header([
            "##INFO=<ID=EFF,Number=.,Type=String,Description=\"Predicted effects for this variant."
                + "Format: 'Effect ( Effect_Impact | Functional_Class | Codon_Change | Amino_Acid_Change| "
                + "Amino_Acid_Length | Gene_Name | Transcript_BioType | Gene_Coding | Transcript_ID | "
                + "Exon_Rank  | Genotype_Number [ | ERRORS | "
                + "WARNINGS ] )' \">"
        ])
        let eff =
            "EFF=NON_SYNONYMOUS_CODING(MODERATE|MISSENSE|Aca/Gca|p.Thr141Ala/c.421A>G|305|OR4F5|"
            + "protein_coding|"
            + "CODING|ENST00000335137|1|2),STOP_GAINED(HIGH|NONSENSE|Aca/Tca|p.Thr141*/c.421A>T|305|OR4F5|"
            + "protein_coding|CODING|ENST00000335137|1|1)"
        let facts = try Self.facts(header, ref: "A", alt: "T,G", info: eff, "0/1", "0/2")
        #expect(facts.map(\.geneSymbol) == ["OR4F5", "OR4F5"])
        #expect(facts.map(\.hgvsC) == ["c.421A>T", "c.421A>G"])
        #expect(facts.map(\.hgvsP) == ["p.Thr141*", "p.Thr141Ala"])
    }

    /// ClinVar style: GENEINFO `SYMBOL:GeneID|...`; one HGVSC per ALT when declared Number=A;
    /// CLNSIG kept as written with `_` read as a space.
    @Test func plainInfoKeys() throws {
        let header = try Self.header([
            "##INFO=<ID=GENEINFO,Number=1,Type=String,Description=\"Gene(s): symbol:gene id\">",
            "##INFO=<ID=HGVSC,Number=A,Type=String,Description=\"HGVS c. per ALT\">",
            "##INFO=<ID=CLNSIG,Number=.,Type=String,Description=\"Clinical significance\">",
        ])
        let info = "GENEINFO=BRCA2:675|ZAR1L:345862;HGVSC=c.1A>G,.;CLNSIG=Pathogenic/Likely_pathogenic"
        let facts = try Self.facts(header, ref: "A", alt: "G,T", info: info, "0/1", "2/2")
        #expect(facts.map(\.geneSymbol) == ["BRCA2", "BRCA2"])
        #expect(facts.map(\.hgvsC) == ["c.1A>G", nil])
        #expect(facts.allSatisfy { $0.clinicalSignificance == "Pathogenic/Likely pathogenic" })
        #expect(facts.allSatisfy { $0.hgvsP == nil })
    }
}
