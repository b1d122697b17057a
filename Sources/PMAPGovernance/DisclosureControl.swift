/// A count as it may be shown to a user.
///
/// Small-cell suppression of counts shown to users.
public struct DisclosedCount: Sendable, Equatable {
    /// The count, or nil when it is suppressed.
    public let count: Int?
    /// Whether the count was too small to show.
    public let suppressed: Bool
    /// What to print: the count ("0", "123"), or "<11" when suppressed under threshold 10.
    public let display: String
}

/// Small-cell suppression: counts of 1 to `threshold` people could single someone out, so they
/// are shown only as "fewer than threshold + 1". Zero reveals no one and is shown.
public enum DisclosureControl {
    /// The usual minimum cell size (CMS's cell size suppression policy: no cell of 1 to 10).
    public static let defaultThreshold = 10

    /// `n` as it may be shown: suppressed when it is between 1 and `threshold`; a threshold below
    /// 1 suppresses nothing.
    public static func count(_ n: Int, threshold: Int = defaultThreshold) -> DisclosedCount {
        if threshold >= 1, (1...threshold).contains(n) {
            return DisclosedCount(count: nil, suppressed: true, display: "<\(threshold + 1)")
        }
        return DisclosedCount(count: n, suppressed: false, display: "\(n)")
    }
}
