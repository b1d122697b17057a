/// What a platform user is for. One role per user; the role decides which actions ``Policy``
/// lets them take at all, before any project, IRB or grant is looked at.
public enum Role: String, CaseIterable, Sendable, Codable {
    /// Runs the platform: users, centers, projects, ingest and operations; never reads research data.
    case admin
    /// Reviews data access requests, revokes grants and reads the audit trail; never reads research data.
    case steward = "data-steward"
    /// Loads data and keeps it healthy (quarantine, mappings, merges); never reads research data.
    case engineer = "data-engineer"
    /// Leads a center: manages its projects and may do research on the projects they are a member of.
    case centerLead = "center-lead"
    /// Reads research data of the projects they are a member of, under the project's grants.
    case researcher

    /// The role as a person would say it ("data steward").
    public var title: String {
        switch self {
        case .admin: "administrator"
        case .steward: "data steward"
        case .engineer: "data engineer"
        case .centerLead: "center lead"
        case .researcher: "researcher"
        }
    }

    /// Whether the role may read research (patient) data at all; the operational roles may not.
    public var readsResearchData: Bool {
        switch self {
        case .researcher, .centerLead: true
        case .admin, .steward, .engineer: false
        }
    }
}

/// The kinds of patient data a grant can cover.
public enum DataDomain: String, CaseIterable, Sendable, Codable {
    case conditions, drugs, procedures, measurements, observations, genomics, device, environment

    /// `domains` in declaration order, comma-separated ("conditions, genomics"), for messages;
    /// "(no domain)" for none.
    public static func list(_ domains: Set<DataDomain>) -> String {
        domains.isEmpty
            ? "(no domain)" : allCases.filter(domains.contains).map(\.rawValue).joined(separator: ", ")
    }
}

/// How identifying the data handed to a user is.
///
/// Ordered from least to most identifying.
public enum DisclosureLevel: String, CaseIterable, Sendable, Codable, Comparable {
    /// Counts and statistics only, with small cells suppressed (``DisclosureControl``).
    case aggregate
    /// Row-level data with the HIPAA Safe Harbor identifiers removed and dates reduced to years.
    case safeHarbor = "safe-harbor"
    /// De-identified row-level data whose dates are shifted by a random per-person offset.
    case dateShifted = "date-shifted"
    /// A HIPAA limited data set: real dates, city, state and ZIP code; no direct identifiers.
    case limited = "limited"
    /// Fully identified data.
    case identified

    private var rank: Int {
        switch self {
        case .aggregate: 0
        case .safeHarbor: 1
        case .dateShifted: 2
        case .limited: 3
        case .identified: 4
        }
    }

    public static func < (lhs: DisclosureLevel, rhs: DisclosureLevel) -> Bool { lhs.rank < rhs.rank }
}
