import Crypto
import Foundation
import PMAPModel

/// How a patient-level extract shows each value at a disclosure level, for one project:
/// project pseudonyms instead of person ids, dates reduced to years (Safe Harbor) or shifted
/// by a per-patient offset (date-shifted), restricted ZIP3s blanked, ages over 89 grouped.
public struct Deidentifier: Sendable {
    public let level: DisclosureLevel
    public let projectID: Int64
    /// The year ages are computed against (the extract's year).
    public let referenceYear: Int
    /// Date shifts lie within ±maximumShiftDays (never 0).
    public let maximumShiftDays: Int
    private let pseudonymKey: SymmetricKey
    private let shiftKey: SymmetricKey

    /// The 17 three-digit ZIP codes of 20,000 or fewer people (HHS OCR, Guidance Regarding
    /// Methods for De-identification, 2012, from Census 2000): Safe Harbor shows them as 000.
    public static let restrictedZIP3s: Set<String> = [
        "036", "059", "063", "102", "203", "556", "692", "790", "821", "823", "830", "831", "878", "879",
        "884",
        "890", "893",
    ]

    /// Pseudonyms and shifts come from the project's own ``ProjectKeys``, so the same patient
    /// has unrelated pseudonyms and shifts in two projects, and both are stable within one
    /// (across vault key rotations too).
    public init(
        level: DisclosureLevel, projectID: Int64, keys: ProjectKeys, referenceYear: Int,
        maximumShiftDays: Int = 182
    ) {
        self.level = level
        self.projectID = projectID
        self.referenceYear = referenceYear
        self.maximumShiftDays = maximumShiftDays
        pseudonymKey = keys.pseudonymKey
        shiftKey = keys.shiftKey
    }

    private func mac(_ key: SymmetricKey, _ person: Int64) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: Data(String(person).utf8), using: key))
    }

    /// The patient's id in this project's extracts.
    public func pseudonym(_ person: Int64) -> String {
        "P" + mac(pseudonymKey, person).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    /// The patient's date shift in days (date-shifted level), fixed per patient per project.
    public func shiftDays(_ person: Int64) -> Int {
        let bytes = mac(shiftKey, person)
        let raw = Int(bytes[0]) << 8 | Int(bytes[1])
        let magnitude = 1 + raw % maximumShiftDays
        return bytes[2] & 1 == 0 ? magnitude : -magnitude
    }

    /// Whether a person born in `yearOfBirth` is over 89 (Safe Harbor groups them as 90+).
    public func isOver89(yearOfBirth: Int?) -> Bool {
        guard let yearOfBirth, yearOfBirth > 0 else { return false }
        return referenceYear - yearOfBirth > 89
    }

    /// A date (`YYYY-MM-DD`) as this level shows it: the year (Safe Harbor; nothing at all for
    /// a person over 89), shifted (date-shifted), or as it is (limited, identified).
    public func date(_ iso: String?, person: Int64, yearOfBirth: Int?) -> String? {
        guard let iso, !iso.isEmpty else { return nil }
        switch level {
        case .aggregate: return nil
        case .safeHarbor: return isOver89(yearOfBirth: yearOfBirth) ? nil : String(iso.prefix(4))
        case .dateShifted:
            guard let day = Day(iso: String(iso.prefix(10))) else { return nil }
            return (day + shiftDays(person)).iso
        case .limited, .identified: return String(iso.prefix(10))
        }
    }

    /// The year of birth as shown: nothing for a person over 89 below the limited level.
    public func yearOfBirth(_ year: Int?) -> String? {
        guard let year, year > 0 else { return nil }
        if (level == .safeHarbor || level == .dateShifted) && isOver89(yearOfBirth: year) { return nil }
        return String(year)
    }

    /// The ZIP3 as shown: restricted ones are 000 below the limited level.
    public func zip3(_ zip: String?) -> String? {
        guard let zip, !zip.isEmpty else { return nil }
        let three = String(zip.prefix(3))
        if (level == .safeHarbor || level == .dateShifted) && Self.restrictedZIP3s.contains(three) {
            return "000"
        }
        return three
    }

    /// Whether month of birth may be shown (a date element: limited and identified only).
    public var showsMonthOfBirth: Bool { level == .limited || level == .identified }
}
