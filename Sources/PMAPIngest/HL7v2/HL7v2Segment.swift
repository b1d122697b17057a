/// One segment of an ``HL7v2Message``; values are cut out and unescaped when asked for.
public struct HL7v2Segment: Sendable {
    let storage: HL7v2MessageStorage
    let index: Int

    private var layout: HL7v2MessageStorage.Segment { storage.segments[index] }
    private var isHeader: Bool { index == 0 }

    /// The segment id, e.g. `PID`.
    public var id: String { layout.id }

    /// The 1-based position of the segment in its message.
    public var position: Int { index + 1 }

    /// The number of the segment's last field (trailing empty fields included).
    public var fieldCount: Int { layout.separatorCount + (isHeader ? 1 : 0) }

    /// One value of field `field`, unescaped; nil when it is absent or empty.
    ///
    /// Numbers are 1-based as in HL7 (`PID-3.4.2`: `value(field: 3, component: 4, subcomponent: 2)`).
    /// Escape sequences are resolved: `\F\ \S\ \T\ \R\ \E\` give the delimiters, `\.br\` and
    /// `\.sp\` a line feed, `\H\` and `\N\` (highlighting) nothing, `\Xhh…\` the bytes it spells
    /// (as UTF-8 when valid, else ISO 8859-1); any other sequence is kept as sent. HL7's explicit
    /// null `""` is returned as the two characters `""`. MSH-1 and MSH-2 are returned whole and
    /// as sent.
    public func value(field: Int, repetition: Int = 1, component: Int = 1, subcomponent: Int = 1) -> String? {
        guard repetition >= 1, component >= 1, subcomponent >= 1 else { return nil }
        let delimiters = storage.delimiters
        if isHeader && field <= 2 {
            guard field >= 1, repetition == 1, component == 1, subcomponent == 1 else { return nil }
            return rawValue(field: field)
        }
        guard let whole = fieldRange(field),
            let inRepetition = piece(of: whole, delimiter: delimiters.repetition, number: repetition),
            let inComponent = piece(of: inRepetition, delimiter: delimiters.component, number: component),
            let range = piece(of: inComponent, delimiter: delimiters.subcomponent, number: subcomponent),
            !range.isEmpty
        else { return nil }
        return HL7v2Escape.unescape(storage.bytes[range], delimiters)
    }

    /// Field `field` as sent (delimiters and escape sequences left in); nil when absent or empty.
    public func rawValue(field: Int) -> String? {
        if isHeader && field == 1 { return String(Unicode.Scalar(storage.delimiters.field)) }
        guard let range = fieldRange(field), !range.isEmpty else { return nil }
        return String(decoding: storage.bytes[range], as: UTF8.self)
    }

    /// The number of repetitions of field `field` (0 when absent or empty).
    public func repetitionCount(field: Int) -> Int {
        guard let range = fieldRange(field), !range.isEmpty else { return 0 }
        if isHeader && field <= 2 { return 1 }
        guard let repetition = storage.delimiters.repetition else { return 1 }
        return storage.bytes[range].reduce(1) { $1 == repetition ? $0 + 1 : $0 }
    }

    /// The number of components of one repetition of field `field` (0 when it is absent or empty).
    public func componentCount(field: Int, repetition: Int = 1) -> Int {
        if isHeader && field <= 2 { return field >= 1 && repetition == 1 ? 1 : 0 }
        guard let whole = fieldRange(field), repetition >= 1,
            let range = piece(of: whole, delimiter: storage.delimiters.repetition, number: repetition),
            !range.isEmpty
        else { return 0 }
        let component = storage.delimiters.component
        return storage.bytes[range].reduce(1) { $1 == component ? $0 + 1 : $0 }
    }

    /// The byte range of field `field`.
    private func fieldRange(_ field: Int) -> Range<Int>? {
        let layout = layout
        if isHeader && field == 1 { return (layout.start + 3)..<(layout.start + 4) }
        let ordinal = isHeader ? field - 1 : field
        guard ordinal >= 1, ordinal <= layout.separatorCount else { return nil }
        let start = storage.separators[layout.firstSeparator + ordinal - 1] + 1
        let end =
            ordinal < layout.separatorCount ? storage.separators[layout.firstSeparator + ordinal] : layout.end
        return start..<end
    }

    /// The `number`th piece of `range` between `delimiter`s (the whole range is piece 1 when the
    /// message declares no such delimiter).
    private func piece(of range: Range<Int>, delimiter: UInt8?, number: Int) -> Range<Int>? {
        guard let delimiter else { return number == 1 ? range : nil }
        let bytes = storage.bytes
        var current = 1
        var start = range.lowerBound
        var index = range.lowerBound
        while index < range.upperBound {
            if bytes[index] == delimiter {
                if current == number { return start..<index }
                current += 1
                start = index + 1
            }
            index += 1
        }
        return current == number ? start..<range.upperBound : nil
    }
}
