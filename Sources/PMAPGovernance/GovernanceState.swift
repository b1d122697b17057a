import PMAPModel

/// A project's IRB protocol: its number, the days its approval covers, and the people it names.
///
/// Encoded (Codable) with the days as ISO dates (`YYYY-MM-DD`).
public struct IRBProtocol: Sendable, Equatable, Codable {
    /// The IRB's protocol number, e.g. `IRB00012345`.
    public var number: String
    /// The first day the approval covers.
    public var approved: Day
    /// The last day the approval covers.
    public var expires: Day
    /// The user ids of the study personnel the protocol names.
    public var personnel: Set<Int64>
    /// Whether the IRB waived informed consent.
    public var waiverOfConsent: Bool

    public init(
        number: String, approved: Day, expires: Day, personnel: Set<Int64>, waiverOfConsent: Bool = false
    ) {
        self.number = number
        self.approved = approved
        self.expires = expires
        self.personnel = personnel
        self.waiverOfConsent = waiverOfConsent
    }

    /// Whether the approval covers `day` (both ends included).
    public func covers(_ day: Day) -> Bool { approved <= day && day <= expires }

    private enum CodingKeys: String, CodingKey {
        case number, approved, expires, personnel, waiverOfConsent
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        number = try container.decode(String.self, forKey: .number)
        approved = try Self.decodeDay(container, .approved)
        expires = try Self.decodeDay(container, .expires)
        personnel = try container.decode(Set<Int64>.self, forKey: .personnel)
        waiverOfConsent = try container.decode(Bool.self, forKey: .waiverOfConsent)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(number, forKey: .number)
        try container.encode(approved.iso, forKey: .approved)
        try container.encode(expires.iso, forKey: .expires)
        try container.encode(personnel.sorted(), forKey: .personnel)
        try container.encode(waiverOfConsent, forKey: .waiverOfConsent)
    }

    private static func decodeDay(_ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys) throws
        -> Day
    {
        let text = try container.decode(String.self, forKey: key)
        guard text.count == 10, let day = Day(iso: text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "expected an ISO date (YYYY-MM-DD)")
        }
        return day
    }
}

/// What the policy needs to know about a research project.
public struct ProjectState: Sendable, Equatable {
    public var id: Int64
    /// The center the project belongs to; its center leads manage the project.
    public var centerID: Int64
    /// The user id of the principal investigator.
    public var principalInvestigator: Int64
    /// The project's IRB protocol; nil until one is recorded.
    public var irb: IRBProtocol?
    /// The user ids of the project's members.
    public var members: Set<Int64>

    public init(
        id: Int64, centerID: Int64, principalInvestigator: Int64, irb: IRBProtocol? = nil,
        members: Set<Int64> = []
    ) {
        self.id = id
        self.centerID = centerID
        self.principalInvestigator = principalInvestigator
        self.irb = irb
        self.members = members
    }
}

/// An approved permission for a project to read some domains of patient data up to a disclosure
/// level, between two days, perhaps only for one cohort.
public struct GrantState: Sendable, Equatable {
    public var id: Int64
    public var projectID: Int64
    /// The data domains the grant covers.
    public var domains: Set<DataDomain>
    /// The most identifying level the grant allows; less identifying levels are allowed too.
    public var level: DisclosureLevel
    /// Whether the data may leave the platform (export, download).
    public var leavesPlatform: Bool
    /// The only cohort the grant covers; nil for every patient the project may see.
    public var cohortID: Int64?
    /// The first day the grant is valid.
    public var validFrom: Day
    /// The last day the grant is valid.
    public var validUntil: Day
    /// The day a steward revoked the grant; a revoked grant never allows anything again.
    public var revokedOn: Day?

    public init(
        id: Int64, projectID: Int64, domains: Set<DataDomain>, level: DisclosureLevel,
        leavesPlatform: Bool = false,
        cohortID: Int64? = nil, validFrom: Day, validUntil: Day, revokedOn: Day? = nil
    ) {
        self.id = id
        self.projectID = projectID
        self.domains = domains
        self.level = level
        self.leavesPlatform = leavesPlatform
        self.cohortID = cohortID
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.revokedOn = revokedOn
    }

    /// The reason the grant allows nothing on `day` (revoked, not yet valid, expired), or nil
    /// when it is in force.
    public func lapse(on day: Day) -> String? {
        if let revokedOn { return "grant \(id) was revoked on \(revokedOn.iso)" }
        if day < validFrom { return "grant \(id) is not valid before \(validFrom.iso)" }
        if validUntil < day { return "grant \(id) expired on \(validUntil.iso)" }
        return nil
    }
}

/// The user asking to do something.
public struct Actor: Sendable, Equatable {
    public var userID: Int64
    /// The user's login name; reasons name the user by id.
    public var name: String
    public var role: Role
    /// The centers the user belongs to (a center lead manages these centers' projects).
    public var centers: Set<Int64>

    public init(userID: Int64, name: String, role: Role, centers: Set<Int64> = []) {
        self.userID = userID
        self.name = name
        self.role = role
        self.centers = centers
    }
}
