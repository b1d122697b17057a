import PMAPModel

/// VCF 4.2: one multi-sample germline panel file (`vcf/germline-panel.vcf`), samples named by
/// MRN. A VCF line holds every sample, so genotypes are gathered while patients stream by
/// (one byte per tested patient and variant) and the file is written at the end.
final class VCFRenderer: SynthRenderer {
    private let sink: SynthSink
    private var samples: [(mrn: String, date: Day, depthSeed: Int)] = []
    private var genotypes: [[UInt8]] = GermlinePanel.variants.map { _ in [] }

    init(sink: SynthSink) {
        self.sink = sink
    }

    func render(_ patient: SynthPatient) throws {
        guard let panel = patient.germlineGenotypes, let date = patient.germlineTestDate else { return }
        samples.append((patient.mrn, date, patient.index))
        for (index, genotype) in panel.enumerated() { genotypes[index].append(genotype) }
    }

    func finish() throws {
        let out = try sink.stream("vcf/germline-panel.vcf")
        var header = """
            ##fileformat=VCFv4.2
            ##fileDate=\(PlantedTruth.dataEnd.compact)
            ##source=PMAP synthetic sequencing lab (pmap synth)
            ##reference=GRCh38
            ##comment=Synthetic germline panel: genotypes are simulated; positions and alleles are illustrative.

            """
        for (name, length) in GermlinePanel.contigLengths {
            header += "##contig=<ID=\(name),length=\(length),assembly=GRCh38>\n"
        }
        header += """
            ##INFO=<ID=GENE,Number=1,Type=String,Description="HGNC gene symbol">
            ##INFO=<ID=HGVSC,Number=1,Type=String,Description="HGVS coding DNA notation">
            ##INFO=<ID=HGVSP,Number=1,Type=String,Description="HGVS protein notation">
            ##INFO=<ID=CLNSIG,Number=1,Type=String,Description="Clinical significance (ClinVar terms)">
            ##FILTER=<ID=PASS,Description="All filters passed">
            ##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
            ##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">

            """
        try out.write(header)
        for sample in samples {
            try out.write(
                "##SAMPLE=<ID=\(sample.mrn),Description=\"Germline panel, blood\",CollectionDate=\(sample.date.iso)>\n"
            )
        }
        try out.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT")
        for sample in samples { try out.write("\t" + sample.mrn) }
        try out.write("\n")
        let calls = ["0/0", "0/1", "1/1"]
        for (index, variant) in GermlinePanel.variants.enumerated() {
            var line =
                "\(variant.chromosome)\t\(variant.position)\t\(variant.rsID)\t\(variant.reference)\t\(variant.alternate)\t99\tPASS\t"
                + "GENE=\(variant.gene);HGVSC=\(variant.hgvsC);HGVSP=\(variant.hgvsP);CLNSIG=\(variant.significance)\tGT:DP"
            for (sampleIndex, genotype) in genotypes[index].enumerated() {
                let depth = 30 + (samples[sampleIndex].depthSeed &* 7 &+ index &* 13) % 60
                line += "\t\(calls[Int(genotype)]):\(depth)"
            }
            try out.write(line + "\n")
        }
        try out.drain()
    }
}
