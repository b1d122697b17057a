import CZlib
import Foundation

/// Reads a text file line by line with constant memory, whether it is plain or gzip/bgzip
/// compressed (zlib reads both, continuing across concatenated gzip members). Strips line ends
/// (`\n`, `\r\n`) and a leading UTF-8 byte-order mark; lines longer than `maximumLineBytes`
/// are reported, not read into memory whole.
final class TextFileReader {
    /// One line, or the fact that it was too long.
    enum Line {
        case text(Substring)
        case tooLong(bytes: Int)
    }

    /// One line as bytes, or the fact that it was too long.
    enum ByteLine {
        case bytes([UInt8])
        case tooLong(bytes: Int)
    }

    private let file: gzFile
    private let path: String
    /// Decompressed bytes read ahead; `buffered` is the part not yet returned.
    private var buffer = [UInt8](repeating: 0, count: 1 << 18)
    private var buffered = 0..<0
    private var reachedEnd = false
    private let maximumLineBytes: Int
    /// The 1-based number of the line last returned.
    private(set) var lineNumber = 0

    /// Opens `path`; throws ``PMAPError`` (bad input) naming the file when it cannot be read.
    init(path: String, maximumLineBytes: Int = 64 << 20) throws {
        guard let file = gzopen(path, "rb") else {
            throw PMAPError(
                .badInput, "cannot read the file; check that it exists and is readable",
                at: SourceLocation(file: path))
        }
        gzbuffer(file, 1 << 17)
        self.file = file
        self.path = path
        self.maximumLineBytes = maximumLineBytes
    }

    deinit {
        gzclose(file)
    }

    /// Refills the read-ahead buffer; false at the end of the file.
    private func fill() -> Bool {
        guard !reachedEnd else { return false }
        let read = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32($0.count)) }
        guard read > 0 else {
            reachedEnd = true
            return false
        }
        buffered = 0..<Int(read)
        return true
    }

    /// The next line, or `nil` at the end of the file (a truncated gzip stream ends early and
    /// is reported by ``finishError``).
    func next() -> Line? {
        switch nextBytes() {
        case nil: return nil
        case .bytes(let bytes): return .text(Substring(String(decoding: bytes, as: UTF8.self)))
        case .tooLong(let count): return .tooLong(bytes: count)
        }
    }

    /// The next line as bytes, without its line end (no UTF-8 check: for parsers that read
    /// bytes), or `nil` at the end of the file.
    func nextBytes() -> ByteLine? {
        var bytes: [UInt8] = []
        var total = 0
        var sawAnything = false
        var ended = false
        while !ended {
            if buffered.isEmpty && !fill() { break }
            sawAnything = true
            let newline = buffer.withUnsafeBufferPointer { pointer -> Int? in
                let base = pointer.baseAddress! + buffered.lowerBound
                return memchr(base, 0x0A, buffered.count).map {
                    UnsafePointer($0.assumingMemoryBound(to: UInt8.self)) - base
                }
            }
            let take = newline.map { $0 + 1 } ?? buffered.count
            total += take
            if total <= maximumLineBytes {
                bytes.append(contentsOf: buffer[buffered.lowerBound..<buffered.lowerBound + take])
            }
            buffered = buffered.lowerBound + take..<buffered.upperBound
            ended = newline != nil
        }
        guard sawAnything else { return nil }
        lineNumber += 1
        if total > maximumLineBytes { return .tooLong(bytes: total) }
        while let last = bytes.last, last == 0x0A || last == 0x0D { bytes.removeLast() }
        if lineNumber == 1, bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        return .bytes(bytes)
    }

    /// The next line as text, nil at the end of the file; a line over the limit is an error
    /// (for readers that refuse a whole file on its first bad line, such as vocabulary loads).
    func nextText() throws -> Substring? {
        switch next() {
        case nil: return nil
        case .text(let text): return text
        case .tooLong(let bytes):
            throw PMAPError(
                .badInput,
                "a line of \(bytes) bytes is longer than PMAP reads; check that this is the right file",
                at: SourceLocation(file: path, line: lineNumber))
        }
    }

    /// The next block of raw (decompressed) bytes, or nil at the end of the file; for formats
    /// whose records are not lines (HL7 v2 segments end with a bare CR).
    func nextChunk(size: Int = 1 << 16) -> [UInt8]? {
        if !buffered.isEmpty {
            defer { buffered = buffered.upperBound..<buffered.upperBound }
            return Array(buffer[buffered])
        }
        var chunk = [UInt8](repeating: 0, count: size)
        let read = chunk.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(size)) }
        guard read > 0 else { return nil }
        chunk.removeSubrange(Int(read)...)
        return chunk
    }

    /// An error when the file ended in the middle of a compressed stream, else nil.
    var finishError: PMAPError? {
        var code: Int32 = 0
        let message = gzerror(file, &code)
        guard code != Z_OK && code != Z_STREAM_END, code != 0 else { return nil }
        let text = message.map { String(cString: $0) } ?? "unknown"
        return PMAPError(
            .badInput,
            "the compressed file is damaged or truncated (zlib: \(text)); records before the damage were read",
            at: SourceLocation(file: path, line: lineNumber))
    }

    /// The first bytes of a file (decompressed), for format detection.
    static func prefix(of path: String, bytes count: Int = 4096) -> [UInt8] {
        guard let file = gzopen(path, "rb") else { return [] }
        defer { gzclose(file) }
        var buffer = [UInt8](repeating: 0, count: count)
        let read = buffer.withUnsafeMutableBytes { gzread(file, $0.baseAddress, UInt32(count)) }
        return read > 0 ? Array(buffer[0..<Int(read)]) : []
    }
}
