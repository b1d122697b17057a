/// One VCF data line read against its header: the site, and a ``VariantFact`` per sample and
/// alternate allele the sample's genotype carries.
public struct VCFLine: Sendable, Equatable {
    public var chromosome: String
    public var position: Int64
    /// The ID column (`rs...`, or several separated by `;`); nil when `.`.
    public var id: String?
    public var ref: String
    /// The ALT alleles as written (bases, `*`, `<DEL>`-style symbolic alleles, breakends);
    /// empty when ALT is `.`.
    public var alts: [String]
    /// QUAL; nil when `.`.
    public var quality: Double?
    /// The FILTER column's entries (`PASS`, or the failed filters); empty when `.`.
    public var filter: [String]
    /// One fact per sample and carried alternate allele, in sample order then ALT order.
    public var facts: [VariantFact]
    /// The samples with at least one fact, in sample order: the line cannot be loaded unless
    /// each is linked to a person.
    public var samplesWithVariants: [String]

    /// Checks a data line against its header without building facts: throws exactly when
    /// ``variants(ofDataLine:number:header:)`` would. For a validation pass over a whole file.
    public static func check(dataLine: Substring, number: Int, header: VCFHeader) throws(VCFFileError) {
        var reader = VCFDataLineReader(line: dataLine, number: number, header: header)
        _ = try reader.read(collectFacts: false)
    }

    /// Checks a data line against its header without building facts.
    public static func check(dataLine: String, number: Int, header: VCFHeader) throws(VCFFileError) {
        try check(dataLine: dataLine[...], number: number, header: header)
    }
}

/// Reads one VCF data line (without its line break; a trailing carriage return is ignored):
/// its site and the variant facts of every sample whose genotype (GT) carries an alternate
/// allele. Throws when the line breaks the VCF specification or disagrees with the header.
///
/// - A sample gets one fact per distinct ALT allele its GT names: `0/1` and `0|1` one
///   heterozygous fact; `1/1` one homozygous; `1/2` two heterozygous facts (ALT 1 and ALT 2);
///   `2/2` one homozygous fact for ALT 2; a haploid `1` (chrX in males, chrM) one hemizygous
///   fact; `./1` and `1/.` one fact of `unknown` zygosity. `0/0`, `./.`, `0/.`, `.` and a
///   missing GT give none.
/// - `*` (an allele spanning a deletion written on another line) and the gVCF placeholders
///   `<NON_REF>` and `<*>` give no facts; other symbolic alleles (`<DEL>`, `<DUP:TANDEM>`) and
///   breakends are kept as written.
/// - Read depth is FORMAT DP. Allele fraction is FORMAT AF for the allele (one value per ALT,
///   or a single value on a single-ALT line), else FORMAT AD: the allele's depth over the sum.
/// - Gene and HGVS come from the first SnpEff `ANN` annotation of the allele, else VEP `CSQ`
///   (field order from the header), else SnpEff `EFF`; fields still missing from INFO `GENE`,
///   `GENEINFO` (`BRCA2:675`), `HGVSC`, `HGVSP`. Clinical significance is INFO `CLNSIG` with
///   `_` read as a space. INFO values are percent-decoded (`%3B` → `;`).
public func variants(ofDataLine line: Substring, number: Int, header: VCFHeader) throws(VCFFileError)
    -> VCFLine
{
    var reader = VCFDataLineReader(line: line, number: number, header: header)
    return try reader.read(collectFacts: true)
}

/// Reads one VCF data line (see the `Substring` form).
public func variants(ofDataLine line: String, number: Int, header: VCFHeader) throws(VCFFileError) -> VCFLine
{
    try variants(ofDataLine: line[...], number: number, header: header)
}

/// The INFO values the facts use, as byte ranges of the line.
struct VCFInfoValues {
    var ann: Range<Int>?
    var csq: Range<Int>?
    var eff: Range<Int>?
    var gene: Range<Int>?
    var geneInfo: Range<Int>?
    var hgvsC: Range<Int>?
    var hgvsP: Range<Int>?
    var clinicalSignificance: Range<Int>?
}

/// Reads one data line's bytes column by column; Strings are made only for what the result
/// holds.
struct VCFDataLineReader {
    let bytes: [UInt8]
    let number: Int
    let header: VCFHeader
    /// Reused per sample: the GT's allele indexes (-1 for `.`), the AD and AF values.
    private var alleles: [Int] = []
    private var carried: [Int] = []
    private var depths: [Int] = []
    private var fractions: [Double?] = []

    init(line: Substring, number: Int, header: VCFHeader) {
        self.bytes = Array(VCFBytes.trimmingCarriageReturn(line).utf8)
        self.number = number
        self.header = header
    }

    private func fail(_ rule: String) -> VCFFileError { VCFFileError(line: number, rule: rule) }

    mutating func read(collectFacts: Bool) throws(VCFFileError) -> VCFLine {
        let end = bytes.count
        guard end > 0 else { throw fail("a data line must not be empty") }
        guard bytes[0] != UInt8(ascii: "#") else {
            throw fail("header lines (#...) must come before the #CHROM column line")
        }
        var columns = 1
        for byte in bytes where byte == VCFBytes.tab { columns += 1 }
        guard columns == header.columnCount else {
            throw fail("\(columns) columns, the header declares \(header.columnCount)")
        }
        var spans: [Range<Int>] = []
        spans.reserveCapacity(9)
        var start = 0
        for _ in 0..<min(columns, 9) {
            let stop = VCFBytes.next(VCFBytes.tab, in: bytes, from: start, to: end)
            spans.append(start..<stop)
            start = stop + 1
        }

        let chromosome = spans[0]
        guard !chromosome.isEmpty else { throw fail("CHROM must not be empty") }
        guard !bytes[chromosome].contains(where: VCFBytes.isSpace) else {
            throw fail("CHROM must not contain spaces")
        }
        guard let position = VCFBytes.integer(bytes, spans[1]) else {
            throw fail("POS must be a non-negative integer")
        }
        let id = spans[2]
        guard !id.isEmpty, !bytes[id].contains(where: VCFBytes.isSpace) else {
            throw fail("ID must be . or identifiers separated by ; without spaces")
        }
        let ref = spans[3]
        guard !ref.isEmpty, bytes[ref].allSatisfy(VCFBytes.isBase) else {
            throw fail("REF must be A, C, G, T or N bases")
        }
        var alts: [String] = []
        if !VCFBytes.equals(bytes, spans[4], ".") {
            for allele in VCFBytes.split(bytes, spans[4], by: VCFBytes.comma) {
                guard isValidAlternate(allele) else {
                    throw fail("ALT must be . or alleles separated by , (bases, *, <ID> or a breakend)")
                }
                alts.append(VCFBytes.string(bytes, allele))
            }
        }
        var quality: Double?
        if !VCFBytes.equals(bytes, spans[5], ".") {
            guard let value = VCFBytes.double(bytes, spans[5]) else {
                throw fail("QUAL must be a number or .")
            }
            quality = value
        }
        var filter: [String] = []
        guard !spans[6].isEmpty else { throw fail("FILTER must be PASS, . or filter names separated by ;") }
        if !VCFBytes.equals(bytes, spans[6], ".") {
            for name in VCFBytes.split(bytes, spans[6], by: VCFBytes.semicolon) {
                guard !name.isEmpty, !bytes[name].contains(where: VCFBytes.isSpace) else {
                    throw fail("FILTER must be PASS, . or filter names separated by ;")
                }
                filter.append(VCFBytes.string(bytes, name))
            }
        }
        let info = try readInfo(spans[7])

        var result = VCFLine(
            chromosome: VCFBytes.string(bytes, chromosome), position: position,
            id: VCFBytes.equals(bytes, id, ".") ? nil : VCFBytes.string(bytes, id),
            ref: VCFBytes.string(bytes, ref), alts: alts, quality: quality, filter: filter, facts: [],
            samplesWithVariants: [])
        if columns > 9 {
            try readSamples(
                format: spans[8], from: start, info: info, line: &result, collectFacts: collectFacts)
        } else if columns == 9 {
            _ = try formatKeys(spans[8])
        }
        return result
    }

    /// Bases; `*`; `<ID>`; a breakend (`G]17:198982]`, `.A`, `A.`).
    private func isValidAlternate(_ allele: Range<Int>) -> Bool {
        guard let first = allele.first, let last = allele.last else { return false }
        if allele.count == 1, bytes[first] == UInt8(ascii: "*") { return true }
        if bytes[first] == UInt8(ascii: "<") {
            return allele.count > 2 && bytes[last] == UInt8(ascii: ">")
                && !bytes[(first + 1)..<last].contains { $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }
        }
        if bytes[allele].contains(where: { $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "]") }) {
            return !bytes[allele].contains(where: { VCFBytes.isSpace($0) || $0 == VCFBytes.comma })
        }
        if allele.count >= 2, bytes[first] == VCFBytes.dot {
            return bytes[(first + 1)...last].allSatisfy(VCFBytes.isBase)
        }
        if allele.count >= 2, bytes[last] == VCFBytes.dot {
            return bytes[first..<last].allSatisfy(VCFBytes.isBase)
        }
        return bytes[allele].allSatisfy(VCFBytes.isBase)
    }

    /// `.` or `KEY[=value]` entries separated by `;` (empty entries, e.g. a trailing `;`, are
    /// tolerated).
    private func readInfo(_ range: Range<Int>) throws(VCFFileError) -> VCFInfoValues {
        var values = VCFInfoValues()
        guard !range.isEmpty else { throw fail("INFO must be . or KEY[=value] entries separated by ;") }
        if VCFBytes.equals(bytes, range, ".") { return values }
        var start = range.lowerBound
        while start <= range.upperBound {
            let stop = VCFBytes.next(VCFBytes.semicolon, in: bytes, from: start, to: range.upperBound)
            if stop > start {
                let keyEnd = VCFBytes.next(VCFBytes.equals, in: bytes, from: start, to: stop)
                guard keyEnd > start else { throw fail("INFO keys must not be empty") }
                let key = start..<keyEnd
                let value = keyEnd < stop ? (keyEnd + 1)..<stop : nil
                switch key.count {
                case 3:
                    if VCFBytes.equals(bytes, key, "ANN") {
                        values.ann = value
                    } else if VCFBytes.equals(bytes, key, "CSQ") {
                        values.csq = value
                    } else if VCFBytes.equals(bytes, key, "EFF") {
                        values.eff = value
                    }
                case 4:
                    if VCFBytes.equals(bytes, key, "GENE") { values.gene = value }
                case 5:
                    if VCFBytes.equals(bytes, key, "HGVSC") {
                        values.hgvsC = value
                    } else if VCFBytes.equals(bytes, key, "HGVSP") {
                        values.hgvsP = value
                    }
                case 6:
                    if VCFBytes.equals(bytes, key, "CLNSIG") { values.clinicalSignificance = value }
                case 8:
                    if VCFBytes.equals(bytes, key, "GENEINFO") { values.geneInfo = value }
                default:
                    break
                }
            }
            start = stop + 1
        }
        return values
    }

    private func formatKeys(_ range: Range<Int>) throws(VCFFileError) -> [Range<Int>] {
        let keys = VCFBytes.split(bytes, range, by: VCFBytes.colon)
        guard keys.allSatisfy({ !$0.isEmpty }) else { throw fail("FORMAT must be keys separated by :") }
        if let gt = keys.firstIndex(where: { VCFBytes.equals(bytes, $0, "GT") }), gt != 0 {
            throw fail("GT must be the first FORMAT key")
        }
        return keys
    }

    private enum GenotypeProblem {
        case syntax
        case index(Int)
    }

    private mutating func readSamples(
        format: Range<Int>, from firstSample: Int, info: VCFInfoValues, line: inout VCFLine,
        collectFacts: Bool
    ) throws(VCFFileError) {
        let keys = try formatKeys(format)
        let hasGenotype = VCFBytes.equals(bytes, keys[0], "GT")
        let depthKey = keys.firstIndex { VCFBytes.equals(bytes, $0, "DP") }
        let alleleDepthKey = keys.firstIndex { VCFBytes.equals(bytes, $0, "AD") }
        let fractionKey = keys.firstIndex { VCFBytes.equals(bytes, $0, "AF") }
        let altCount = line.alts.count
        let skipped = line.alts.map { $0 == "*" || $0 == "<NON_REF>" || $0 == "<*>" }
        var annotations: [VCFAlleleAnnotation?] = Array(repeating: nil, count: collectFacts ? altCount : 0)
        let end = bytes.count
        var start = firstSample
        for sample in 0..<header.samples.count {
            let stop = VCFBytes.next(VCFBytes.tab, in: bytes, from: start, to: end)
            let column = sample + 10
            guard stop > start else {
                throw fail("column \(column): a sample column must not be empty (. if missing)")
            }
            var genotype: Range<Int>?
            var depth: Range<Int>?
            var alleleDepths: Range<Int>?
            var fraction: Range<Int>?
            var count = 0
            var valueStart = start
            while true {
                let valueStop = VCFBytes.next(VCFBytes.colon, in: bytes, from: valueStart, to: stop)
                let value = valueStart..<valueStop
                if count == 0, hasGenotype {
                    genotype = value
                } else if count == depthKey {
                    depth = value
                } else if count == alleleDepthKey {
                    alleleDepths = value
                } else if count == fractionKey {
                    fraction = value
                }
                count += 1
                if valueStop == stop { break }
                valueStart = valueStop + 1
            }
            guard count <= keys.count else {
                throw fail("column \(column): \(count) values, FORMAT has \(keys.count) keys")
            }
            start = stop + 1

            alleles.removeAll(keepingCapacity: true)
            if let genotype {
                switch readGenotype(genotype, altCount: altCount) {
                case nil: break
                case .syntax?:
                    throw fail("column \(column): GT must be allele indexes or . separated by / or |")
                case .index(let index)?:
                    throw fail(
                        "column \(column): GT allele \(index), but the line has \(altCount) ALT alleles")
                }
            }
            var readDepth: Int?
            if let depth, !VCFBytes.equals(bytes, depth, ".") {
                guard let value = VCFBytes.integer(bytes, depth) else {
                    throw fail("column \(column): FORMAT DP must be an integer or .")
                }
                readDepth = Int(value)
            }
            depths.removeAll(keepingCapacity: true)
            if let alleleDepths, !VCFBytes.equals(bytes, alleleDepths, ".") {
                for part in VCFBytes.split(bytes, alleleDepths, by: VCFBytes.comma) {
                    if VCFBytes.equals(bytes, part, ".") {
                        depths.append(-1)
                    } else if let value = VCFBytes.integer(bytes, part) {
                        depths.append(Int(value))
                    } else {
                        throw fail("column \(column): FORMAT AD must be integers or . separated by ,")
                    }
                }
            }
            fractions.removeAll(keepingCapacity: true)
            if let fraction, !VCFBytes.equals(bytes, fraction, ".") {
                for part in VCFBytes.split(bytes, fraction, by: VCFBytes.comma) {
                    if VCFBytes.equals(bytes, part, ".") {
                        fractions.append(nil)
                    } else if let value = VCFBytes.double(bytes, part) {
                        fractions.append(value)
                    } else {
                        throw fail("column \(column): FORMAT AF must be numbers or . separated by ,")
                    }
                }
            }

            guard collectFacts, alleles.contains(where: { $0 > 0 }) else { continue }
            carried.removeAll(keepingCapacity: true)
            for allele in alleles where allele > 0 && !carried.contains(allele) && !skipped[allele - 1] {
                carried.append(allele)
            }
            guard !carried.isEmpty else { continue }
            carried.sort()
            for allele in carried {
                if annotations[allele - 1] == nil {
                    annotations[allele - 1] = header.annotationLayout.annotation(
                        bytes: bytes, info: info, alts: line.alts, ref: line.ref, allele: allele)
                }
                let annotation = annotations[allele - 1]!
                var fact = VariantFact(
                    sampleID: header.samples[sample], genomeBuild: header.genomeBuild,
                    chromosome: line.chromosome, position: line.position, reference: line.ref,
                    alternate: line.alts[allele - 1], zygosity: zygosity(of: allele))
                fact.geneSymbol = annotation.gene
                fact.hgvsC = annotation.hgvsC
                fact.hgvsP = annotation.hgvsP
                fact.clinicalSignificance = annotation.clinicalSignificance
                fact.readDepth = readDepth
                fact.alleleFraction = alleleFraction(of: allele, altCount: altCount)
                line.facts.append(fact)
            }
            line.samplesWithVariants.append(header.samples[sample])
        }
    }

    /// Fills `alleles` from a GT value: allele indexes (`.` as -1) separated by `/` or `|`,
    /// optionally led by a phasing mark (VCF 4.4).
    private mutating func readGenotype(_ range: Range<Int>, altCount: Int) -> GenotypeProblem? {
        var i = range.lowerBound
        let end = range.upperBound
        if i < end, bytes[i] == VCFBytes.slash || bytes[i] == VCFBytes.pipe { i += 1 }
        while true {
            guard i < end else { return .syntax }
            if bytes[i] == VCFBytes.dot {
                alleles.append(-1)
                i += 1
            } else {
                let digitsStart = i
                while i < end, VCFBytes.isDigit(bytes[i]) { i += 1 }
                guard let index = VCFBytes.integer(bytes, digitsStart..<i) else { return .syntax }
                guard index <= altCount else { return .index(Int(clamping: index)) }
                alleles.append(Int(index))
            }
            if i == end { return nil }
            guard bytes[i] == VCFBytes.slash || bytes[i] == VCFBytes.pipe else { return .syntax }
            i += 1
        }
    }

    /// One allele in the GT: hemizygous; a `.` among several: unknown; all this allele:
    /// homozygous; else heterozygous.
    private func zygosity(of allele: Int) -> String {
        if alleles.count == 1 { return "hemizygous" }
        if alleles.contains(-1) { return "unknown" }
        return alleles.allSatisfy { $0 == allele } ? "homozygous" : "heterozygous"
    }

    /// FORMAT AF for the allele, else its AD share.
    private func alleleFraction(of allele: Int, altCount: Int) -> Double? {
        if fractions.count == altCount, let value = fractions[allele - 1] { return value }
        guard depths.count == altCount + 1, !depths.contains(-1) else { return nil }
        let total = depths.reduce(0, +)
        return total > 0 ? Double(depths[allele]) / Double(total) : nil
    }
}
