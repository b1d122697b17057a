#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads the lines of a large text file that contain a given substring, filtering in C
/// (`getline`, `strstr`) so tests can scan hundreds of megabytes quickly even in debug builds.
public enum LineScanner {
    /// The lines of `path` containing `needle` (every line when `needle` is nil), without line ends.
    public static func lines(of path: String, containing needle: String? = nil) -> [String] {
        guard let file = fopen(path, "r") else { return [] }
        defer { fclose(file) }
        var buffer: UnsafeMutablePointer<CChar>?
        var capacity = 0
        defer { free(buffer) }
        var result: [String] = []
        while true {
            let length = getline(&buffer, &capacity, file)
            guard length >= 0, let line = buffer else { break }
            if length > 0 && line[length - 1] == 0x0A { line[length - 1] = 0 }
            if let needle, strstr(line, needle) == nil { continue }
            result.append(String(cString: line))
        }
        return result
    }
}
