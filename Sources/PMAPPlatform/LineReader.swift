import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a text file line by line with constant memory (C `getline`), stripping line ends
/// (`\n` or `\r\n`) and a leading UTF-8 byte-order mark.
final class LineReader {
    private let file: UnsafeMutablePointer<FILE>
    private var buffer: UnsafeMutablePointer<CChar>?
    private var capacity = 0
    /// The 1-based number of the line last returned.
    private(set) var lineNumber = 0

    /// Opens `path`; throws ``PMAPError`` (bad input) naming the file when it cannot be read.
    init(path: String) throws {
        guard let file = fopen(path, "r") else {
            throw PMAPError(
                .badInput,
                "cannot read the file (\(String(cString: strerror(errno)))); check that it exists and is readable",
                at: SourceLocation(file: path))
        }
        self.file = file
    }

    deinit {
        free(buffer)
        fclose(file)
    }

    /// The next line without its line end, or `nil` at the end of the file.
    func next() -> Substring? {
        let length = getline(&buffer, &capacity, file)
        guard length >= 0, let buffer else { return nil }
        lineNumber += 1
        var count = length
        while count > 0, buffer[count - 1] == 0x0A || buffer[count - 1] == 0x0D { count -= 1 }
        var start = 0
        if lineNumber == 1, count >= 3, UInt8(bitPattern: buffer[0]) == 0xEF,
            UInt8(bitPattern: buffer[1]) == 0xBB,
            UInt8(bitPattern: buffer[2]) == 0xBF
        {
            start = 3
        }
        let bytes = UnsafeRawBufferPointer(start: buffer + start, count: count - start)
        return Substring(String(decoding: bytes, as: UTF8.self))
    }
}
