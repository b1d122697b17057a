/// Builds a ``VCFHeader`` from the header lines of a file, as they are read.
///
/// Give it every `##` line with ``add(line:number:)`` (the first must be
/// `##fileformat=VCFv4.x`), then the `#CHROM` line with ``finish(columnLine:number:)``.
/// ``VCFReader`` does this routing for a whole file. Each line is checked as it comes: a line
/// that breaks the specification throws a ``VCFFileError`` naming it.
public struct VCFHeaderBuilder: Sendable {
    private var version: String?
    private var metaLines: [VCFMetaLine] = []
    private var info: [String: VCFFieldDefinition] = [:]
    private var format: [String: VCFFieldDefinition] = [:]
    private var filters: [String: String] = [:]
    private var contigs: [VCFContig] = []
    private var sampleLineIDs: [String] = []

    public init() {}

    /// Whether the `##fileformat` line has been added.
    public var hasFileFormat: Bool { version != nil }

    /// The fixed columns every column line starts with.
    static let fixedColumns = ["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]
    static let firstLineRule = "the first line must be ##fileformat=VCFv4.x (VCF 4.0 to 4.5)"

    /// Adds one `##` line (without its line break; a trailing carriage return is ignored).
    public mutating func add(line: String, number: Int) throws(VCFFileError) {
        try add(line: line[...], number: number)
    }

    /// Adds one `##` line (without its line break; a trailing carriage return is ignored).
    public mutating func add(line rawLine: Substring, number: Int) throws(VCFFileError) {
        let line = VCFBytes.trimmingCarriageReturn(rawLine)
        func fail(_ rule: String) -> VCFFileError { VCFFileError(line: number, rule: rule) }
        guard version != nil else {
            // A byte-order mark some editors write is not part of the line.
            let unmarked =
                line.utf8.starts(with: [0xEF, 0xBB, 0xBF]) ? Substring(line.utf8.dropFirst(3)) : line
            guard let found = Self.fileFormatVersion(unmarked) else { throw fail(Self.firstLineRule) }
            version = found
            return
        }
        guard line.hasPrefix("##") else {
            throw fail("header lines must start with ## until the #CHROM column line")
        }
        let body = line.dropFirst(2)
        guard let equals = body.firstIndex(of: "="), equals != body.startIndex else {
            throw fail("meta-information lines must be ##key=value")
        }
        let key = String(body[..<equals])
        let value = body[body.index(after: equals)...]
        if key == "fileformat" { throw fail("a header has one ##fileformat line, the first") }
        guard value.hasPrefix("<") else {
            metaLines.append(VCFMetaLine(key: key, value: String(value), attributes: [:]))
            return
        }
        let attributes = try Self.attributes(of: value, line: number)
        metaLines.append(VCFMetaLine(key: key, value: nil, attributes: attributes))
        let id = attributes["ID"]
        switch key {
        case "INFO", "FORMAT":
            guard let id, !id.isEmpty else { throw fail("##\(key) lines need an ID") }
            guard let number = attributes["Number"], Self.isValidNumber(number) else {
                throw fail("##\(key) Number must be an integer, A, R, G or .")
            }
            let types = key == "INFO" ? Self.infoTypes : Self.formatTypes
            guard let type = attributes["Type"], types.contains(type) else {
                throw fail("##\(key) Type must be one of \(types.joined(separator: ", "))")
            }
            guard let description = attributes["Description"] else {
                throw fail("##\(key) lines need a Description")
            }
            let definition = VCFFieldDefinition(id: id, number: number, type: type, description: description)
            if key == "INFO" {
                if info[id] == nil { info[id] = definition }
            } else if format[id] == nil {
                format[id] = definition
            }
        case "FILTER":
            guard let id, !id.isEmpty else { throw fail("##FILTER lines need an ID") }
            if filters[id] == nil { filters[id] = attributes["Description"] ?? "" }
        case "contig":
            guard let id, !id.isEmpty else { throw fail("##contig lines need an ID") }
            var length: Int?
            if let text = attributes["length"] {
                guard let value = Int(text), value >= 0 else {
                    throw fail("##contig length must be a non-negative integer")
                }
                length = value
            }
            contigs.append(VCFContig(id: id, length: length, assembly: attributes["assembly"]))
        case "SAMPLE", "ALT":
            guard let id, !id.isEmpty else { throw fail("##\(key) lines need an ID") }
            if key == "SAMPLE" { sampleLineIDs.append(id) }
        default:
            break
        }
    }

    /// Reads the `#CHROM` column line and returns the finished header.
    public func finish(columnLine: String, number: Int) throws(VCFFileError) -> VCFHeader {
        try finish(columnLine: columnLine[...], number: number)
    }

    /// Reads the `#CHROM` column line and returns the finished header.
    public func finish(columnLine rawLine: Substring, number: Int) throws(VCFFileError) -> VCFHeader {
        let line = VCFBytes.trimmingCarriageReturn(rawLine)
        func fail(_ rule: String) -> VCFFileError { VCFFileError(line: number, rule: rule) }
        guard let version else { throw fail(Self.firstLineRule) }
        let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
        guard columns.count >= 8, zip(columns, Self.fixedColumns).allSatisfy({ $0 == $1 }) else {
            throw fail("the column line must start #CHROM POS ID REF ALT QUAL FILTER INFO, separated by tabs")
        }
        guard columns.count > 8 else {
            return header(version: version, samples: [], hasFormatColumn: false)
        }
        guard columns[8] == "FORMAT" else { throw fail("the 9th column must be FORMAT when samples follow") }
        var samples: [String] = []
        samples.reserveCapacity(columns.count - 9)
        var columnOfSample: [Substring: Int] = [:]
        for column in 9..<columns.count {
            let name = columns[column]
            guard !name.isEmpty else { throw fail("column \(column + 1): a sample name must not be empty") }
            if let first = columnOfSample[name] {
                throw fail("column \(column + 1): the same sample name as column \(first + 1)")
            }
            columnOfSample[name] = column
            samples.append(String(name))
        }
        return header(version: version, samples: samples, hasFormatColumn: true)
    }

    private func header(version: String, samples: [String], hasFormatColumn: Bool) -> VCFHeader {
        VCFHeader(
            version: version, samples: samples, hasFormatColumn: hasFormatColumn, metaLines: metaLines,
            info: info, format: format, filters: filters, contigs: contigs, sampleLineIDs: sampleLineIDs)
    }

    static let infoTypes = ["Integer", "Float", "Flag", "Character", "String"]
    static let formatTypes = ["Integer", "Float", "Character", "String"]

    /// `4.0` ... `4.5` from an exact `##fileformat=VCFv4.x` line.
    static func fileFormatVersion(_ line: Substring) -> String? {
        let prefix = "##fileformat=VCFv4."
        guard line.hasPrefix(prefix) else { return nil }
        let minor = line.dropFirst(prefix.count)
        guard minor.count == 1, let digit = minor.first, ("0"..."5").contains(digit) else { return nil }
        return "4.\(digit)"
    }

    static func isValidNumber(_ number: String) -> Bool {
        ["A", "R", "G", "."].contains(number) || (!number.isEmpty && number.utf8.allSatisfy(VCFBytes.isDigit))
    }

    /// The `key=value` pairs of `<...>`; values may be double-quoted with `\"` and `\\`
    /// escapes. A quote inside a quoted value that is not followed by `,` or the closing `>` is
    /// kept as text (some tools write unescaped quotes in descriptions).
    static func attributes(of value: Substring, line: Int) throws(VCFFileError) -> [String: String] {
        guard value.hasSuffix(">"), value.utf8.count >= 2 else {
            throw VCFFileError(line: line, rule: "a structured meta line ##key=<...> must end with >")
        }
        let malformed = VCFFileError(
            line: line, rule: "a structured meta line must hold key=value pairs separated by commas")
        let bytes = Array(value.utf8.dropFirst().dropLast())
        var result: [String: String] = [:]
        var i = 0
        while i < bytes.count {
            let keyStart = i
            while i < bytes.count, bytes[i] != UInt8(ascii: "="), bytes[i] != UInt8(ascii: ",") { i += 1 }
            guard i < bytes.count, bytes[i] == UInt8(ascii: "="), i > keyStart else { throw malformed }
            let key = String(decoding: bytes[keyStart..<i], as: UTF8.self)
            i += 1
            var text: [UInt8] = []
            if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < bytes.count {
                    let byte = bytes[i]
                    if byte == UInt8(ascii: "\\"), i + 1 < bytes.count,
                        bytes[i + 1] == UInt8(ascii: "\"") || bytes[i + 1] == UInt8(ascii: "\\")
                    {
                        text.append(bytes[i + 1])
                        i += 2
                    } else if byte == UInt8(ascii: "\""),
                        i + 1 == bytes.count || bytes[i + 1] == UInt8(ascii: ",")
                    {
                        i += 1
                        closed = true
                        break
                    } else {
                        text.append(byte)
                        i += 1
                    }
                }
                guard closed else { throw malformed }
            } else {
                while i < bytes.count, bytes[i] != UInt8(ascii: ",") {
                    text.append(bytes[i])
                    i += 1
                }
            }
            if result[key] == nil { result[key] = String(decoding: text, as: UTF8.self) }
            if i < bytes.count {
                i += 1  // the comma
                guard i < bytes.count else { throw malformed }
            }
        }
        return result
    }
}
