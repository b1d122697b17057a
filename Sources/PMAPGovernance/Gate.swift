import PMAPModel

/// A permission to read patient data that only the gate can create (internal init).
///
/// Its only initialiser is the memberwise one, which Swift keeps internal to this module: other
/// modules obtain one from ``Gate/authorize(_:domains:level:cohortID:project:grants:today:)``
/// alone, so a function that takes an `Authorization` cannot be reached without the policy's
/// consent.
public struct Authorization: Sendable, Equatable {
    /// The user allowed to read.
    public let userID: Int64
    /// The project the data is read for.
    public let projectID: Int64
    /// The grant that allows the read.
    public let grantID: Int64
    /// The domains the user may read (those asked for, all covered by the grant).
    public let domains: Set<DataDomain>
    /// The disclosure level the data must be delivered at (the one asked for, at most the grant's).
    public let level: DisclosureLevel
    /// The only cohort the data may come from; nil for every patient the project may see.
    public let cohortID: Int64?
}

/// A refusal from the ``Gate``, with the policy's reason.
public struct Denied: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why the read is refused; names ids, never patient data.
    public let reason: String

    public init(reason: String) { self.reason = reason }

    public var description: String { reason }

    /// The refusal as PMAP's error shape (kind ``PMAPError/Kind/permissionDenied``).
    public var error: PMAPError { PMAPError(.permissionDenied, reason) }
}

/// The one way to obtain an ``Authorization``: asks ``Policy`` about a read of patient data.
public enum Gate {
    /// An authorization for `actor` to read `domains` at `level` (only cohort `cohortID` when
    /// given) in `project` on `today`, or the policy's reason for refusing.
    public static func authorize(
        _ actor: Actor, domains: Set<DataDomain>, level: DisclosureLevel, cohortID: Int64?,
        project: ProjectState?,
        grants: [GrantState], today: Day
    ) -> Result<Authorization, Denied> {
        let decision = Policy.decide(
            actor, .readPatientData(domains: domains, level: level, cohortID: cohortID), project: project,
            grants: grants, today: today)
        guard decision.allowed, let project, let grantID = decision.grantID else {
            return .failure(Denied(reason: decision.reason))
        }
        return .success(
            Authorization(
                userID: actor.userID, projectID: project.id, grantID: grantID, domains: domains, level: level,
                cohortID: cohortID))
    }
}
