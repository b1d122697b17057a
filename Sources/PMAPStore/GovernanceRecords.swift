import PMAPGovernance
import PMAPModel

/// A platform user (never a patient).
public struct UserRecord: Sendable, Hashable {
    public let id: Int64
    public let name: String
    public let role: Role
    /// The centers the user belongs to.
    public let centers: Set<Int64>

    /// The user as the policy sees them.
    public var actor: Actor { Actor(userID: id, name: name, role: role, centers: centers) }
}

/// A precision medicine center.
public struct CenterRecord: Sendable, Hashable {
    public let id: Int64
    public let name: String
    public let members: [Int64]
}

/// A project with its IRB protocol and team.
public struct ProjectRecord: Sendable, Equatable {
    public let state: ProjectState
    public let name: String
    public let purpose: String
}

/// A data-use request to the Data Trust Council, with its reviews.
public struct RequestRecord: Sendable, Equatable {
    public struct Review: Sendable, Equatable {
        public let reviewerID: Int64
        public let approved: Bool
        public let reason: String
    }
    public let id: Int64
    public let projectID: Int64
    public let requestedBy: Int64
    public let domains: Set<DataDomain>
    public let level: DisclosureLevel
    public let leavesPlatform: Bool
    public let cohortID: Int64?
    public let validUntil: Day
    public let tier: RiskTier
    public let requiredApprovals: Int
    /// `pending`, `approved` or `denied`.
    public let status: String
    public let reviews: [Review]
    public let submittedAt: String
}

/// A grant with the request it came from and its revocation.
public struct GrantRecord: Sendable, Equatable {
    public let state: GrantState
    public let requestID: Int64
    public let revokeReason: String?
}
