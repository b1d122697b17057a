/// The germline panel the synthetic sequencing lab reports: a fixed list of variants in
/// cancer-predisposition genes. Positions are on GRCh38 and illustrative; the generator
/// assigns genotypes, the VCF rendering writes them.
public enum GermlinePanel {
    public struct Variant: Sendable {
        public let gene: String
        public let chromosome: String
        public let position: Int
        public let reference: String
        public let alternate: String
        public let hgvsC: String
        public let hgvsP: String
        /// ClinVar-style significance: Pathogenic, Likely_pathogenic, Uncertain_significance, Benign.
        public let significance: String
        /// Alternate-allele frequency among tested patients (rare pathogenic variants: carrier share).
        public let alleleFrequency: Double
        public let rsID: String
    }

    /// The index of the BRCA2 pathogenic variant whose carriers progress faster (planted).
    public static let brca2Pathogenic = 0

    public static let variants: [Variant] = [
        Variant(
            gene: "BRCA2", chromosome: "chr13", position: 32_340_300, reference: "CT", alternate: "C",
            hgvsC: "NM_000059.4:c.5946del", hgvsP: "NP_000050.3:p.Ser1982ArgfsTer22",
            significance: "Pathogenic",
            alleleFrequency: 0, rsID: "rs80359550"),
        Variant(
            gene: "BRCA2", chromosome: "chr13", position: 32_316_527, reference: "A", alternate: "G",
            hgvsC: "NM_000059.4:c.-26G>A", hgvsP: "p.?", significance: "Benign", alleleFrequency: 0.22,
            rsID: "rs1799943"),
        Variant(
            gene: "ATM", chromosome: "chr11", position: 108_335_053, reference: "G", alternate: "A",
            hgvsC: "NM_000051.4:c.5932G>T", hgvsP: "NP_000042.3:p.Glu1978Ter", significance: "Pathogenic",
            alleleFrequency: 0.01, rsID: "rs587779852"),
        Variant(
            gene: "ATM", chromosome: "chr11", position: 108_236_168, reference: "G", alternate: "A",
            hgvsC: "NM_000051.4:c.146C>G", hgvsP: "NP_000042.3:p.Ser49Cys", significance: "Benign",
            alleleFrequency: 0.3,
            rsID: "rs1800054"),
        Variant(
            gene: "HOXB13", chromosome: "chr17", position: 48_728_343, reference: "C", alternate: "T",
            hgvsC: "NM_006361.6:c.251G>A", hgvsP: "NP_006352.2:p.Gly84Glu", significance: "Pathogenic",
            alleleFrequency: 0.008, rsID: "rs138213197"),
        Variant(
            gene: "CHEK2", chromosome: "chr22", position: 28_695_868, reference: "AG", alternate: "A",
            hgvsC: "NM_007194.4:c.1100del", hgvsP: "NP_009125.1:p.Thr367MetfsTer15",
            significance: "Pathogenic",
            alleleFrequency: 0.008, rsID: "rs555607708"),
        Variant(
            gene: "CHEK2", chromosome: "chr22", position: 28_711_987, reference: "C", alternate: "T",
            hgvsC: "NM_007194.4:c.470T>C", hgvsP: "NP_009125.1:p.Ile157Thr",
            significance: "Uncertain_significance",
            alleleFrequency: 0.01, rsID: "rs17879961"),
        Variant(
            gene: "BRCA1", chromosome: "chr17", position: 43_124_027, reference: "ACT", alternate: "A",
            hgvsC: "NM_007294.4:c.68_69del", hgvsP: "NP_009225.1:p.Glu23ValfsTer17",
            significance: "Pathogenic",
            alleleFrequency: 0.003, rsID: "rs80357914"),
        Variant(
            gene: "PALB2", chromosome: "chr16", position: 23_635_354, reference: "G", alternate: "A",
            hgvsC: "NM_024675.4:c.2993C>T", hgvsP: "NP_078951.2:p.Gly998Glu", significance: "Benign",
            alleleFrequency: 0.08,
            rsID: "rs45551636"),
        Variant(
            gene: "MSH2", chromosome: "chr2", position: 47_403_192, reference: "C", alternate: "T",
            hgvsC: "NM_000251.3:c.965G>A", hgvsP: "NP_000242.1:p.Gly322Asp",
            significance: "Uncertain_significance",
            alleleFrequency: 0.01, rsID: "rs4987188"),
        Variant(
            gene: "TP53", chromosome: "chr17", position: 7_676_154, reference: "G", alternate: "C",
            hgvsC: "NM_000546.6:c.215C>G", hgvsP: "NP_000537.3:p.Pro72Arg", significance: "Benign",
            alleleFrequency: 0.35,
            rsID: "rs1042522"),
    ]

    /// GRCh38 lengths of the chromosomes the panel uses, for the VCF header.
    public static let contigLengths: [(String, Int)] = [
        ("chr2", 242_193_529), ("chr11", 135_086_622), ("chr13", 114_364_328), ("chr16", 90_338_345),
        ("chr17", 83_257_441), ("chr22", 50_818_468),
    ]
}
