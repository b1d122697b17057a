/// The review tier of a data access request, after the Johns Hopkins Data Trust's tiers: the
/// more identifying the data and the further it travels, the more data stewards must approve.
public enum RiskTier: String, Sendable, Codable {
    /// Aggregate results, or de-identified data that stays inside the platform: a valid IRB
    /// approval is enough.
    case a = "A"
    /// De-identified data leaving the platform, or date-shifted data: one steward approves.
    case b = "B"
    /// A limited data set or identified data: two stewards approve.
    case c = "C"
}

/// A request's tier, how many data stewards must approve it, and why.
public struct TierAssessment: Sendable, Equatable {
    public let tier: RiskTier
    /// Distinct data stewards who must approve before the grant exists; 0 for tier A.
    public let requiredApprovals: Int
    /// One sentence the requester sees before submitting, e.g. "tier B: date-shifted data needs
    /// one data steward's approval".
    public let reason: String

    public init(tier: RiskTier, requiredApprovals: Int, reason: String) {
        self.tier = tier
        self.requiredApprovals = requiredApprovals
        self.reason = reason
    }
}

extension RiskTier {
    /// The tier of a request for data at `level`, which leaves the platform (is exported or
    /// downloaded) when `leavesPlatform` is true.
    public static func assess(level: DisclosureLevel, leavesPlatform: Bool) -> TierAssessment {
        let outside = leavesPlatform ? " leaving the platform" : ""
        switch level {
        case .aggregate:
            return TierAssessment(
                tier: .a, requiredApprovals: 0,
                reason: "tier A: aggregate results need no data steward's approval, only a valid IRB approval"
            )
        case .safeHarbor where !leavesPlatform:
            return TierAssessment(
                tier: .a, requiredApprovals: 0,
                reason:
                    "tier A: de-identified (safe-harbor) data that stays inside the platform needs no data steward's approval, only a valid IRB approval"
            )
        case .safeHarbor:
            return TierAssessment(
                tier: .b, requiredApprovals: 1,
                reason:
                    "tier B: de-identified (safe-harbor) data leaving the platform needs one data steward's approval"
            )
        case .dateShifted:
            return TierAssessment(
                tier: .b, requiredApprovals: 1,
                reason: "tier B: date-shifted data\(outside) needs one data steward's approval")
        case .limited:
            return TierAssessment(
                tier: .c, requiredApprovals: 2,
                reason: "tier C: a limited data set\(outside) needs the approval of two data stewards")
        case .identified:
            return TierAssessment(
                tier: .c, requiredApprovals: 2,
                reason: "tier C: identified data\(outside) needs the approval of two data stewards")
        }
    }
}
