/// HL7 v2 escape sequences (v2.5 section 2.7): `\F\`, `\S\`, `\T\`, `\R\`, `\E\`, `\P\`,
/// formatting (`\.br\`, `\.sp\`, `\H\`, `\N\`) and hexadecimal data (`\Xhh…\`).
enum HL7v2Escape {
    /// The text of `bytes` with escape sequences resolved; unknown sequences are kept as sent.
    static func unescape(_ bytes: ArraySlice<UInt8>, _ delimiters: HL7v2Delimiters) -> String {
        guard let escape = delimiters.escape, bytes.contains(escape) else {
            return String(decoding: bytes, as: UTF8.self)
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        /// Bytes of consecutive `\X…\` sequences, decoded together so a UTF-8 character may span them.
        var hex: [UInt8] = []
        func flushHex() {
            guard !hex.isEmpty else { return }
            if String(validating: hex, as: UTF8.self) != nil {
                output.append(contentsOf: hex)
            } else {
                for byte in hex { output.append(contentsOf: String(Unicode.Scalar(byte)).utf8) }
            }
            hex.removeAll()
        }
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            guard byte == escape,
                let close = bytes[(index + 1)...].firstIndex(of: escape), close > index + 1
            else {
                flushHex()
                output.append(byte)
                index += 1
                continue
            }
            let sequence = bytes[(index + 1)..<close]
            if sequence.first == 0x58, let data = hexBytes(sequence.dropFirst()) {  // X
                hex.append(contentsOf: data)
                index = close + 1
                continue
            }
            flushHex()
            switch Array(sequence) {
            case [0x46]: output.append(delimiters.field)  // F
            case [0x53]: output.append(delimiters.component)  // S
            case [0x54] where delimiters.subcomponent != nil: output.append(delimiters.subcomponent!)  // T
            case [0x52] where delimiters.repetition != nil: output.append(delimiters.repetition!)  // R
            case [0x45]: output.append(escape)  // E
            case [0x50] where delimiters.truncation != nil: output.append(delimiters.truncation!)  // P
            case [0x48], [0x4E]: break  // H, N: highlighting on and off
            case [0x2E, 0x62, 0x72], [0x2E, 0x73, 0x70]: output.append(0x0A)  // .br, .sp
            default: output.append(contentsOf: bytes[index...close])
            }
            index = close + 1
        }
        flushHex()
        return String(decoding: output, as: UTF8.self)
    }

    /// The bytes an even number of hexadecimal digits spell, or nil.
    private static func hexBytes(_ digits: ArraySlice<UInt8>) -> [UInt8]? {
        guard !digits.isEmpty, digits.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(digits.count / 2)
        var index = digits.startIndex
        while index < digits.endIndex {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }
}
