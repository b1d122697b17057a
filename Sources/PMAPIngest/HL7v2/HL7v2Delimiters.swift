/// The delimiters a message declares in MSH-1 (field separator) and MSH-2 (component,
/// repetition, escape and sub-component characters, in that order, then v2.7's truncation
/// character). Any but the component character may be missing.
struct HL7v2Delimiters: Sendable, Hashable {
    var field: UInt8
    var component: UInt8
    var repetition: UInt8?
    var escape: UInt8?
    var subcomponent: UInt8?
    var truncation: UInt8?

    /// The delimiters of MSH-1 and MSH-2, or nil when they are not distinct printable ASCII
    /// punctuation characters.
    init?(field: UInt8, encoding: ArraySlice<UInt8>) {
        guard (1...5).contains(encoding.count), Self.isDelimiter(field) else { return nil }
        let characters = Array(encoding)
        for (index, byte) in characters.enumerated() {
            guard Self.isDelimiter(byte), byte != field, !characters[..<index].contains(byte) else {
                return nil
            }
        }
        self.field = field
        component = characters[0]
        repetition = characters.count > 1 ? characters[1] : nil
        escape = characters.count > 2 ? characters[2] : nil
        subcomponent = characters.count > 3 ? characters[3] : nil
        truncation = characters.count > 4 ? characters[4] : nil
    }

    /// Printable ASCII, neither a letter, a digit nor a space.
    static func isDelimiter(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && !HL7v2Splitter.isAlphanumeric(byte)
    }
}
