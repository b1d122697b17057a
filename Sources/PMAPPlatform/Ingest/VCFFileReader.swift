import Foundation
import PMAPIngest
import PMAPModel

/// What loading a VCF file's lines needs from its header.
struct VCFContext: Sendable {
    let header: VCFHeader
    let fileName: String
    /// Sample name → its 1-based column in the file (names are MRNs: errors cite columns).
    let sampleColumns: [String: Int]
    /// Sample name → collection date (`##SAMPLE=<ID=..,CollectionDate=YYYY-MM-DD>`), when given.
    let sampleDates: [String: String]
    /// The meta lines a single data line needs to be read again (format, build, INFO/FORMAT definitions).
    let essentialMeta: String
    let columnLine: String

    /// A standalone VCF text holding one data line, for quarantine and retry (with the
    /// collection dates of the samples it names).
    func compactHeader(forLine line: Data, samples: [String], linking: SampleLinking) -> String {
        var dates = ""
        for sample in Set(samples).sorted() {
            if let date = sampleDates[sample] { dates += "##SAMPLE=<ID=\(sample),CollectionDate=\(date)>\n" }
            if let identifier = linking.identifier(of: sample) {
                dates +=
                    "##\(VCFFileReader.linkKey)=<ID=\(sample),System=\(identifier.system),Value=\(identifier.value)>\n"
            }
        }
        return essentialMeta + dates + columnLine + "\n" + String(decoding: line, as: UTF8.self) + "\n"
    }
}

/// Reads a VCF file (plain, gzip or bgzip): a validation pass refuses a malformed file with
/// the line and the rule it breaks before anything loads; then one record per data line.
enum VCFFileReader {
    static let recordType = "VCF line"
    /// Meta lines PMAP adds to a quarantined VCF line: how its samples were to be linked.
    static let linkKey = "pmap_sample_identifier"

    /// Reads the header and checks every line; the context for loading.
    static func validate(_ path: String) throws -> VCFContext {
        let name = (path as NSString).lastPathComponent
        func refuse(_ error: VCFFileError) -> PMAPError {
            PMAPError(.badInput, "not a valid VCF file: \(error.description); nothing of it was loaded")
        }
        let reader = try TextFileReader(path: path)
        var builder = VCFHeaderBuilder()
        var header: VCFHeader?
        var essential = ""
        var columnLine = ""
        do {
            while let line = try reader.nextText() {
                let number = reader.lineNumber
                if let header {
                    if line.isEmpty { continue }
                    try VCFLine.check(dataLine: line, number: number, header: header)
                } else if line.hasPrefix("##") {
                    try builder.add(line: line, number: number)
                    if line.hasPrefix("##fileformat") || line.hasPrefix("##reference")
                        || line.hasPrefix("##assembly")
                        || line.hasPrefix("##INFO") || line.hasPrefix("##FORMAT")
                    {
                        essential += line + "\n"
                    }
                } else {
                    header = try builder.finish(columnLine: line, number: number)
                    columnLine = String(line)
                }
            }
        } catch let error as VCFFileError {
            throw refuse(error)
        }
        if let damage = reader.finishError { throw damage }
        guard let header else {
            throw refuse(
                VCFFileError(
                    line: reader.lineNumber,
                    rule: reader.lineNumber == 0
                        ? "empty file: no ##fileformat line" : "no #CHROM column line after the meta lines"))
        }
        return context(header, fileName: name, essential: essential, columnLine: columnLine)
    }

    /// The context and data line of a quarantined VCF line (see ``VCFContext/compactHeader(forLine:samples:)``).
    static func replayContext(_ text: String, fileName: String) -> (VCFContext, String, SampleLinking)? {
        var builder = VCFHeaderBuilder()
        var header: VCFHeader?
        var essential = ""
        var columnLine = ""
        var dataLine: String?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            if header != nil {
                dataLine = String(line)
            } else if line.hasPrefix("##") {
                guard (try? builder.add(line: line, number: index + 1)) != nil else { return nil }
                if !line.hasPrefix("##SAMPLE") && !line.hasPrefix("##\(linkKey)") { essential += line + "\n" }
            } else {
                header = try? builder.finish(columnLine: line, number: index + 1)
                columnLine = String(line)
                if header == nil { return nil }
            }
        }
        guard let header, let dataLine else { return nil }
        var linking = SampleLinking()
        for meta in header.metaLines where meta.key == linkKey {
            if let id = meta.attributes["ID"], let system = meta.attributes["System"],
                let value = meta.attributes["Value"]
            {
                linking.map[id] = (system, value)
            }
        }
        return (
            context(header, fileName: fileName, essential: essential, columnLine: columnLine), dataLine,
            linking
        )
    }

    static func context(_ header: VCFHeader, fileName: String, essential: String, columnLine: String)
        -> VCFContext
    {
        var columns: [String: Int] = [:]
        for (index, sample) in header.samples.enumerated() { columns[sample] = 10 + index }
        var dates: [String: String] = [:]
        for meta in header.metaLines where meta.key == "SAMPLE" {
            if let id = meta.attributes["ID"], let date = meta.attributes["CollectionDate"],
                Day(iso: date) != nil
            {
                dates[id] = String(date.prefix(10))
            }
        }
        return VCFContext(
            header: header, fileName: (fileName as NSString).lastPathComponent, sampleColumns: columns,
            sampleDates: dates, essentialMeta: essential, columnLine: columnLine)
    }

    /// The data lines of a validated file as records.
    static func records(of path: String, context: VCFContext) throws -> AnySequence<PendingRecord> {
        let reader = try TextFileReader(path: path)
        var inHeader = true
        return AnySequence(
            AnyIterator {
                while let line = reader.next() {
                    guard case .text(let text) = line else { continue }  // validation refused long lines
                    if inHeader {
                        if text.hasPrefix("#CHROM") { inHeader = false }
                        continue
                    }
                    if text.isEmpty { continue }
                    return record(text, number: reader.lineNumber, context: context)
                }
                return nil
            })
    }

    /// One data line as a record. The raw bytes are the line alone; quarantine adds the
    /// header lines it needs.
    static func record(_ line: Substring, number: Int, context: VCFContext) -> PendingRecord {
        let raw = Data(line.utf8)
        let result: Result<[IngestFact], RecordProblem>
        do {
            result = .success(
                try variants(ofDataLine: line, number: number, header: context.header).facts.map(
                    IngestFact.variant))
        } catch {
            result = .failure(RecordProblem(.malformed, error.description))
        }
        return PendingRecord(
            // Keyed by content: the same line in two files (or one file sent twice) is one record.
            key: "vcf:" + sha256Hex(raw), type: recordType, location: "line \(number)", raw: raw,
            hash: sha256Hex(raw), version: nil, result: result)
    }
}
