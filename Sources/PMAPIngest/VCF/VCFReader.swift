/// Reads a VCF file fed line by line: the header lines build the ``VCFHeader``, each data line
/// then gives a ``VCFLine``. It does no I/O: the caller reads lines (from plain or bgzip text,
/// decompressed by the caller), strips line breaks and counts lines from 1.
///
/// The platform reads a file twice: a validation pass (``check(line:number:)`` for every line,
/// then ``finish()``) refuses a malformed file before anything is loaded; the loading pass
/// (``read(line:number:)``) then builds facts. Nothing is kept per data line.
public struct VCFReader: Sendable {
    private var builder = VCFHeaderBuilder()
    /// The header, once the `#CHROM` line has been read.
    public private(set) var header: VCFHeader?
    private var lastLine = 0

    public init() {}

    /// Reads one line: nil for a header line, the site and its facts for a data line.
    public mutating func read(line: Substring, number: Int) throws(VCFFileError) -> VCFLine? {
        lastLine = number
        guard let header else {
            try readHeader(line: line, number: number)
            return nil
        }
        return try variants(ofDataLine: line, number: number, header: header)
    }

    /// Reads one line: nil for a header line, the site and its facts for a data line.
    public mutating func read(line: String, number: Int) throws(VCFFileError) -> VCFLine? {
        try read(line: line[...], number: number)
    }

    /// Checks one line without building facts: throws exactly when ``read(line:number:)`` would.
    public mutating func check(line: Substring, number: Int) throws(VCFFileError) {
        lastLine = number
        guard let header else {
            try readHeader(line: line, number: number)
            return
        }
        try VCFLine.check(dataLine: line, number: number, header: header)
    }

    /// Checks one line without building facts.
    public mutating func check(line: String, number: Int) throws(VCFFileError) {
        try check(line: line[...], number: number)
    }

    /// Call at the end of the input: throws when the file is empty or its header never ended.
    /// A header without data lines is a valid file with no variants.
    public func finish() throws(VCFFileError) {
        guard lastLine > 0 else { throw VCFFileError(line: 0, rule: "empty file: no ##fileformat line") }
        guard header != nil else {
            throw VCFFileError(line: lastLine, rule: "the file ends before the #CHROM column line")
        }
    }

    private mutating func readHeader(line: Substring, number: Int) throws(VCFFileError) {
        if line.hasPrefix("##") || !builder.hasFileFormat {
            try builder.add(line: line, number: number)
        } else if line.hasPrefix("#") {
            header = try builder.finish(columnLine: line, number: number)
        } else {
            throw VCFFileError(line: number, rule: "a data line before the #CHROM column line")
        }
    }
}
