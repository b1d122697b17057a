import Testing

@testable import PMAPIngest

/// Random damage to a valid file never crashes the reader: each mutated file is either read or
/// refused with a ``VCFFileError`` (typed throws make any other error impossible; a trap would
/// end the test run), and the validation pass refuses exactly what the loading pass refuses.
struct VCFFuzzTests {
    /// SplitMix64: a fixed seed gives the same 2,000 mutations on every run.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let valid = """
        ##fileformat=VCFv4.3
        ##reference=GRCh38
        ##INFO=<ID=CSQ,Number=.,Type=String,Description="VEP. Format: Allele|Consequence|SYMBOL|HGVSc|HGVSp">
        ##INFO=<ID=ANN,Number=.,Type=String,Description="SnpEff">
        ##INFO=<ID=EFF,Number=.,Type=String,Description="Effect ( Effect_Impact | Functional_Class | Codon_Change | Amino_Acid_Change| Amino_Acid_Length | Gene_Name | Transcript_BioType | Gene_Coding | Transcript_ID | Exon_Rank  | Genotype_Number [ | ERRORS | WARNINGS ] )">
        ##INFO=<ID=CLNSIG,Number=A,Type=String,Description="ClinVar">
        ##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
        ##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">
        ##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
        ##FORMAT=<ID=AF,Number=A,Type=Float,Description="Fractions">
        #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3
        chr1\t100\trs1\tA\tG,T\t50\tPASS\tCSQ=G|missense_variant|BRCA1|c.1A>G|p.Met1Val,-|x|TP53||;CLNSIG=Pathogenic,Benign\tGT:DP:AD:AF\t0/1:30:20,10,0:0.3,0\t1|2:8:0,4,4\t./.
        chr2\t200\t.\tCCT\tC,<DEL>,*\t.\tq10;s50\tANN=C|frameshift|HIGH|ATM|ATM|transcript|NM_1|protein_coding|1/2|c.5del|p.Ser2fs|||||;DB\tGT:AD\t1/3:5,5,0,1\t2\t.
        chr3\t300\t.\tG\tA\t1e3\t.\tEFF=NON_SYNONYMOUS_CODING(MODERATE|MISSENSE|Aca/Gca|p.Thr141Ala/c.421A>G|305|OR4F5|protein_coding|CODING|ENST1|1|1)\tGT:DP\t0|1:12\t1:7\t./1

        """

    /// Bytes that matter to the format, and some that do not.
    static let alphabet: [UInt8] = Array("\t\t::;;,,||//==.%#<>[]*0123456789ACGTNacgtXé\r ".utf8)

    static func mutate(_ line: String, using random: inout SeededGenerator) -> String {
        var bytes = Array(line.utf8)
        func position() -> Int { bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random) }
        func symbol() -> UInt8 { alphabet.randomElement(using: &random)! }
        for _ in 0...Int.random(in: 0..<3, using: &random) {
            switch Int.random(in: 0..<7, using: &random) {
            case 0: if !bytes.isEmpty { bytes.remove(at: position()) }
            case 1:
                bytes.insert(
                    symbol(), at: bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random))
            case 2: if !bytes.isEmpty { bytes[position()] = symbol() }
            case 3: bytes = Array(bytes.prefix(position()))
            case 4:
                let start = position()
                let end = min(bytes.count, start + Int.random(in: 1...20, using: &random))
                bytes.insert(contentsOf: bytes[start..<end], at: position())
            case 5:
                // A digit run: huge or negative numbers.
                let digits = Array(String(Int64.random(in: Int64.min...Int64.max, using: &random)).utf8)
                bytes.insert(contentsOf: digits, at: bytes.isEmpty ? 0 : position())
            default:
                // Swap two tab-separated columns.
                var columns = bytes.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
                if columns.count > 1 {
                    let a = Int.random(in: 0..<columns.count, using: &random)
                    let b = Int.random(in: 0..<columns.count, using: &random)
                    columns.swapAt(a, b)
                    bytes = Array(columns.joined(separator: [UInt8(ascii: "\t")]))
                }
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Validation then loading of lines; the outcome of each pass.
    static func passes(_ lines: [String]) -> (check: VCFFileError?, load: VCFFileError?, facts: Int) {
        var checker = VCFReader()
        var checkError: VCFFileError?
        do {
            for (index, line) in lines.enumerated() { try checker.check(line: line, number: index + 1) }
            try checker.finish()
        } catch {
            checkError = error
        }
        var reader = VCFReader()
        var facts = 0
        do {
            for (index, line) in lines.enumerated() {
                if let record = try reader.read(line: line, number: index + 1) {
                    facts += record.facts.count
                    #expect(Set(record.facts.map(\.sampleID)) == Set(record.samplesWithVariants))
                }
            }
            try reader.finish()
            return (checkError, nil, facts)
        } catch {
            return (checkError, error, facts)
        }
    }

    @Test func theValidFileReads() {
        let outcome = Self.passes(VCFText.lines(Self.valid).map(String.init))
        #expect(outcome.check == nil && outcome.load == nil)
        // chr1: S1 0/1 → G; S2 1|2 → G, T. chr2: S1 1/3 → C (the * gives none); S2 2 → <DEL>.
        // chr3: S1, S2, S3 → A.
        #expect(outcome.facts == 8)
    }

    @Test func twoThousandMutationsNeverCrash() {
        var random = SeededGenerator(state: 20_240_531)
        let lines = VCFText.lines(Self.valid).map(String.init)
        var refused = 0
        for _ in 0..<2000 {
            var mutated = lines
            let target = Int.random(in: 0..<mutated.count, using: &random)
            mutated[target] = Self.mutate(mutated[target], using: &random)
            if Int.random(in: 0..<10, using: &random) == 0 {
                // Sometimes a line more or less.
                if Bool.random(using: &random) {
                    mutated.remove(at: Int.random(in: 0..<mutated.count, using: &random))
                } else {
                    mutated.insert(
                        Self.mutate(mutated.randomElement(using: &random)!, using: &random), at: target)
                }
            }
            let outcome = Self.passes(mutated)
            #expect(outcome.check == outcome.load, "\(mutated)")
            if outcome.load != nil { refused += 1 }
        }
        // Most damage is caught, some is harmless (a changed base, a digit in QUAL).
        #expect(refused > 500 && refused < 2000)
    }
}
