/// Why a VCF file is refused: the line that breaks a rule of the VCF 4.x specification and the
/// rule, e.g. `line 12: POS must be a non-negative integer`.
///
/// The platform validates a whole file before loading any of it, so one malformed line refuses
/// the file. Rules name fields and column numbers, never values: sample names are MRNs.
public struct VCFFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The 1-based line number as the caller counted it; 0 when the problem is the file as a
    /// whole (an empty file).
    public let line: Int
    /// The rule the line breaks.
    public let rule: String

    public init(line: Int, rule: String) {
        self.line = line
        self.rule = rule
    }

    public var description: String { line > 0 ? "line \(line): \(rule)" : rule }
}
