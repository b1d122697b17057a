import Foundation

/// Gene, HGVS and clinical significance of one alternate allele.
struct VCFAlleleAnnotation: Equatable {
    var gene: String?
    var hgvsC: String?
    var hgvsP: String?
    var clinicalSignificance: String?
}

/// Where the annotation tools of a file put gene and HGVS fields, read from the header.
///
/// - SnpEff `ANN` has a fixed order: `Allele | Annotation | Annotation_Impact | Gene_Name |
///   Gene_ID | Feature_Type | Feature_ID | Transcript_BioType | Rank | HGVS.c | HGVS.p | ...`.
/// - VEP `CSQ` declares its order in the INFO description: `... Format: Allele|Consequence|...`.
/// - SnpEff's older `EFF` is `Effect(Effect_Impact|Functional_Class|Codon_Change|
///   Amino_Acid_Change|Amino_Acid_Length|Gene_Name|...)`; the order is read from the description
///   when it lists one. Its codon and amino-acid fields hold HGVS only when SnpEff ran with
///   `-hgvs` (`c.` / `p.` notation); other notations (`Aca/Gca`, `T141A`) are not HGVS and are
///   not reported.
struct VCFAnnotationLayout: Sendable {
    var csqAllele: Int?
    var csqSymbol: Int?
    var csqHGVSc: Int?
    var csqHGVSp: Int?
    var effGene = 5
    var effCodon = 2
    var effAminoAcid = 3
    var effGenotype: Int?
    /// For INFO GENE, GENEINFO, HGVSC, HGVSP and CLNSIG declared with one value per ALT
    /// (`Number=A`: 0) or per allele (`Number=R`: 1): the offset of ALT 1's value.
    var perAlleleOffset: [String: Int] = [:]

    init(info: [String: VCFFieldDefinition]) {
        if let csq = info["CSQ"], let names = Self.fieldNames(afterFormatIn: csq.description) {
            csqAllele = names.firstIndex(of: "Allele")
            csqSymbol = names.firstIndex(of: "SYMBOL")
            csqHGVSc = names.firstIndex(of: "HGVSc")
            csqHGVSp = names.firstIndex(of: "HGVSp")
        }
        if let eff = info["EFF"], let names = Self.effFieldNames(eff.description) {
            let lowered = names.map { $0.lowercased() }
            if let index = lowered.firstIndex(of: "gene_name") { effGene = index }
            if let index = lowered.firstIndex(of: "codon_change") { effCodon = index }
            if let index = lowered.firstIndex(of: "amino_acid_change") { effAminoAcid = index }
            effGenotype = lowered.firstIndex { ["genotype_number", "genotypenum", "genotype"].contains($0) }
        }
        for key in ["GENE", "GENEINFO", "HGVSC", "HGVSP", "CLNSIG"] {
            switch info[key]?.number {
            case "A": perAlleleOffset[key] = 0
            case "R": perAlleleOffset[key] = 1
            default: break
            }
        }
    }

    /// The `|`-separated names after `Format:` in a VEP description.
    static func fieldNames(afterFormatIn description: String) -> [String]? {
        guard let range = description.range(of: "Format:", options: .caseInsensitive) else { return nil }
        let list = description[range.upperBound...].trimmingCharacters(in: .whitespaces.union(["'", "\""]))
        let names = list.split(separator: "|", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        return names.count > 1 ? names : nil
    }

    /// The names inside `Effect ( ... )` of an EFF description, without the impact's leading
    /// `Effect` and with `[`, `]` and spaces removed.
    static func effFieldNames(_ description: String) -> [String]? {
        guard let open = description.firstIndex(of: "("), let close = description.lastIndex(of: ")"),
            open < close
        else { return nil }
        let names = description[description.index(after: open)..<close]
            .split(separator: "|", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " []'")) }
        return names.count > 1 ? names : nil
    }

    /// The annotation of ALT `allele` (1-based).
    func annotation(bytes: [UInt8], info: VCFInfoValues, alts: [String], ref: String, allele: Int)
        -> VCFAlleleAnnotation
    {
        let alt = alts[allele - 1]
        var result =
            info.ann.flatMap { snpEffAnnotation(bytes, $0, alt: alt) }
            ?? info.csq.flatMap { vepAnnotation(bytes, $0, alts: alts, ref: ref, allele: allele) }
            ?? info.eff.flatMap { effAnnotation(bytes, $0, alt: alt, allele: allele) }
            ?? VCFAlleleAnnotation()
        if result.gene == nil {
            result.gene = plainValue(bytes, info.gene, key: "GENE", allele: allele)
        }
        if result.gene == nil, let text = plainValue(bytes, info.geneInfo, key: "GENEINFO", allele: allele) {
            // ClinVar: `SYMBOL:GeneID|SYMBOL:GeneID`.
            let first = text.split(separator: "|").first.flatMap { $0.split(separator: ":").first }
            result.gene = first.map(String.init)
        }
        if result.hgvsC == nil { result.hgvsC = plainValue(bytes, info.hgvsC, key: "HGVSC", allele: allele) }
        if result.hgvsP == nil { result.hgvsP = plainValue(bytes, info.hgvsP, key: "HGVSP", allele: allele) }
        result.clinicalSignificance = plainValue(
            bytes, info.clinicalSignificance, key: "CLNSIG", allele: allele
        ).map { String($0.map { $0 == "_" ? " " : $0 }) }
        return result
    }

    /// A plain INFO value, the allele's own when the header declares one per allele.
    private func plainValue(_ bytes: [UInt8], _ range: Range<Int>?, key: String, allele: Int) -> String? {
        guard let range else { return nil }
        if let offset = perAlleleOffset[key] {
            guard let part = VCFBytes.part(allele - 1 + offset, of: range, in: bytes, by: VCFBytes.comma),
                !VCFBytes.equals(bytes, part, ".")
            else { return nil }
            return VCFBytes.decoded(bytes, part)
        }
        return VCFBytes.equals(bytes, range, ".") ? nil : VCFBytes.decoded(bytes, range)
    }

    /// The first ANN annotation whose Allele is `alt`.
    private func snpEffAnnotation(_ bytes: [UInt8], _ range: Range<Int>, alt: String) -> VCFAlleleAnnotation?
    {
        for entry in VCFBytes.split(bytes, range, by: VCFBytes.comma) {
            guard let allele = VCFBytes.part(0, of: entry, in: bytes, by: VCFBytes.pipe),
                VCFBytes.matches(bytes, allele, alt)
            else { continue }
            return fields(bytes, entry, gene: 3, hgvsC: 9, hgvsP: 10)
        }
        return nil
    }

    /// The first CSQ annotation whose Allele is the ALT as VEP writes it; the first annotation
    /// when the layout has no Allele field and the line one ALT.
    private func vepAnnotation(
        _ bytes: [UInt8], _ range: Range<Int>, alts: [String], ref: String, allele: Int
    )
        -> VCFAlleleAnnotation?
    {
        let entries = VCFBytes.split(bytes, range, by: VCFBytes.comma)
        guard let alleleField = csqAllele else {
            guard alts.count == 1, let first = entries.first else { return nil }
            return fields(bytes, first, gene: csqSymbol, hgvsC: csqHGVSc, hgvsP: csqHGVSp)
        }
        let alt = alts[allele - 1]
        let trimmed = Self.vepAllele(alt, ref: ref, alts: alts)
        for entry in entries {
            guard let field = VCFBytes.part(alleleField, of: entry, in: bytes, by: VCFBytes.pipe),
                VCFBytes.matches(bytes, field, alt) || VCFBytes.matches(bytes, field, trimmed)
            else { continue }
            return fields(bytes, entry, gene: csqSymbol, hgvsC: csqHGVSc, hgvsP: csqHGVSp)
        }
        return nil
    }

    /// VEP drops the first base of every allele when REF and all ALTs share it (`-` when nothing
    /// is left): REF `CCT`, ALT `C` is Allele `-`.
    static func vepAllele(_ alt: String, ref: String, alts: [String]) -> String {
        guard let first = ref.utf8.first,
            alts.allSatisfy({ $0.utf8.first == first && !$0.hasPrefix("<") })
        else { return alt }
        let rest = String(decoding: alt.utf8.dropFirst(), as: UTF8.self)
        return rest.isEmpty ? "-" : rest
    }

    /// The first EFF effect whose genotype field (when the layout has one) names this ALT.
    private func effAnnotation(_ bytes: [UInt8], _ range: Range<Int>, alt: String, allele: Int)
        -> VCFAlleleAnnotation?
    {
        for entry in VCFBytes.split(bytes, range, by: VCFBytes.comma) {
            guard let open = bytes[entry].firstIndex(of: UInt8(ascii: "(")),
                let close = bytes[entry].lastIndex(of: UInt8(ascii: ")")), open < close
            else { continue }
            let inner = (open + 1)..<close
            if let genotypeField = effGenotype,
                let genotype = VCFBytes.part(genotypeField, of: inner, in: bytes, by: VCFBytes.pipe),
                !genotype.isEmpty
            {
                let number = VCFBytes.integer(bytes, genotype)
                guard number == Int64(allele) || (number == nil && VCFBytes.matches(bytes, genotype, alt))
                else {
                    continue
                }
            }
            var result = VCFAlleleAnnotation()
            result.gene = VCFBytes.part(effGene, of: inner, in: bytes, by: VCFBytes.pipe)
                .flatMap { VCFBytes.decoded(bytes, $0) }
            let codon = VCFBytes.part(effCodon, of: inner, in: bytes, by: VCFBytes.pipe)
                .flatMap { VCFBytes.decoded(bytes, $0) }
            if let codon, codon.hasPrefix("c.") { result.hgvsC = codon }
            // With -hgvs, SnpEff 3 writes `p.Leu54Arg/c.161T>G` in the amino-acid field.
            let aminoAcid = VCFBytes.part(effAminoAcid, of: inner, in: bytes, by: VCFBytes.pipe)
                .flatMap { VCFBytes.decoded(bytes, $0) }
            for part in aminoAcid?.split(separator: "/") ?? [] {
                if part.hasPrefix("p."), result.hgvsP == nil { result.hgvsP = String(part) }
                if part.hasPrefix("c."), result.hgvsC == nil { result.hgvsC = String(part) }
            }
            return result
        }
        return nil
    }

    private func fields(_ bytes: [UInt8], _ entry: Range<Int>, gene: Int?, hgvsC: Int?, hgvsP: Int?)
        -> VCFAlleleAnnotation
    {
        let parts = VCFBytes.split(bytes, entry, by: VCFBytes.pipe)
        func value(_ index: Int?) -> String? {
            guard let index, index < parts.count else { return nil }
            return VCFBytes.decoded(bytes, parts[index])
        }
        return VCFAlleleAnnotation(gene: value(gene), hgvsC: value(hgvsC), hgvsP: value(hgvsP))
    }
}
