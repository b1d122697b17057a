import Foundation
import PMAPModel

/// Turns patients into the files of one format.
protocol SynthRenderer: AnyObject {
    /// Renders one patient (called in index order).
    func render(_ patient: SynthPatient) throws
    /// Writes whatever needs every patient (headers of multi-sample files, tables) and
    /// drains the streams.
    func finish() throws
}

/// Small text helpers shared by the renderers.
enum Text {
    /// A JSON string literal, quotes included.
    static func json(_ value: String) -> String { JSONString.quoted(value) }

    /// A number as the source system reports it, with fixed decimals.
    static func number(_ value: Double, decimals: Int) -> String {
        if decimals == 0 { return String(Int(value.rounded())) }
        let factor = pow10(decimals)
        let scaled = Int((abs(value) * factor).rounded())
        let whole = scaled / Int(factor)
        var fraction = String(scaled % Int(factor))
        fraction = String(repeating: "0", count: decimals - fraction.count) + fraction
        return (value < 0 && scaled != 0 ? "-" : "") + "\(whole).\(fraction)"
    }

    private static func pow10(_ n: Int) -> Double {
        var result = 1.0
        for _ in 0..<n { result *= 10 }
        return result
    }

    /// A CSV field, quoted when it holds a comma, quote or line break.
    static func csv(_ value: String) -> String {
        guard needsCSVQuotes(value) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Whether a CSV field must be quoted (scans bytes, not characters).
    static func needsCSVQuotes(_ value: String) -> Bool {
        value.utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
    }
}
