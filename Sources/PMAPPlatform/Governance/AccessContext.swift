import Foundation
import PMAPGovernance
import PMAPStore

@_exported import struct PMAPGovernance.Actor
@_exported import struct PMAPGovernance.AuditChain
@_exported import struct PMAPGovernance.AuditEntry
@_exported import enum PMAPGovernance.AuditVerification
@_exported import enum PMAPGovernance.DataDomain
@_exported import struct PMAPGovernance.DisclosedCount
@_exported import enum PMAPGovernance.DisclosureLevel
@_exported import enum PMAPGovernance.RiskTier
@_exported import enum PMAPGovernance.Role
@_exported import struct PMAPStore.CenterRecord
@_exported import struct PMAPStore.GrantRecord
@_exported import struct PMAPStore.ProjectRecord
@_exported import struct PMAPStore.RequestRecord
@_exported import struct PMAPStore.UserRecord

/// Who is acting, and the chain their actions are recorded in. Every use case that touches
/// patient data or governance takes one; build it from an API token with
/// ``Platform/context(token:vault:)``.
public struct AccessContext: Sendable {
    public let actor: Actor
    let chain: AuditChain
    /// The day decisions are made for (IRB and grant validity).
    public let today: Day

    init(actor: Actor, chain: AuditChain, today: Day = Day.today) {
        self.actor = actor
        self.chain = chain
        self.today = today
    }
}

extension Day {
    /// Today in UTC.
    public static var today: Day {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: Date())
        return Day(iso: String(format: "%04d-%02d-%02d", c.year ?? 1970, c.month ?? 1, c.day ?? 1))!
    }
}

extension Platform {
    /// The acting user of an API token (the audit chain's key comes from the vault key, which
    /// lives outside the store); permission denied when the token is unknown or revoked.
    public func context(token: String, vault: IdentityVault) async throws -> AccessContext {
        let context = try await authenticate(token: token, vault: vault)
        try await checkVaultKey(vault)
        return context
    }

    /// The acting user of a token, without the vault key check (the key rotation calls this
    /// itself, as it runs while the store's key is changing).
    func authenticate(token: String, vault: IdentityVault) async throws -> AccessContext {
        let hash = APIToken.hash(token.trimmingCharacters(in: .whitespacesAndNewlines))
        guard let user = try await store.write({ try $0.user(tokenHash: hash) }) else {
            throw PMAPError(
                .permissionDenied,
                "the API token is not valid (unknown or revoked); set PMAP_TOKEN or --token-file to a token an admin gave you"
            )
        }
        return AccessContext(actor: user.actor, chain: AuditChain(key: vault.key))
    }

    /// Appends one entry to the audit chain (its own transaction, so a denial is recorded
    /// even though the action does not happen).
    func audit(
        _ context: AccessContext?, chain: AuditChain, project: Int64?, action: String, target: String,
        rows: Int? = nil,
        allowed: Bool, reason: String
    ) async throws {
        try await store.write { writer in
            let last = try writer.lastAuditMAC()
            let entry = AuditEntry(
                sequence: (last?.sequence ?? 0) + 1, time: Self.auditTime(), userID: context?.actor.userID,
                projectID: project, action: action, target: target, rows: rows, allowed: allowed,
                reason: reason)
            try writer.appendAudit(
                entry, mac: chain.mac(of: entry, previous: last?.mac ?? AuditChain.genesis),
                keyID: chain.keyID)
        }
    }

    static func auditTime() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: Date())
    }

    /// A project's state and grants as the policy sees them; not found when there is no such project.
    func policyState(_ project: Int64) async throws -> (ProjectState, [GrantState]) {
        let (state, grants) = try await store.write { writer -> (ProjectState?, [GrantState]) in
            (try writer.project(id: project)?.state, try writer.grants(project: project).map(\.state))
        }
        guard let state else {
            throw PMAPError(.notFound, "there is no project \(project); see pmap project list")
        }
        return (state, grants)
    }

    /// The gate's authorization for a research read in a project (its state and grants given);
    /// a denial is audited and thrown as permission denied with the gate's reason.
    func authorizeRead(
        _ context: AccessContext, project: Int64, policy: (ProjectState, [GrantState]),
        domains: Set<DataDomain>,
        level: DisclosureLevel = .aggregate, cohortID: Int64? = nil, action: String, target: String
    ) async throws -> Authorization {
        switch Gate.authorize(
            context.actor, domains: domains, level: level, cohortID: cohortID, project: policy.0,
            grants: policy.1,
            today: context.today)
        {
        case .success(let authorization):
            return authorization
        case .failure(let denied):
            try await audit(
                context, chain: context.chain, project: project, action: action, target: target,
                allowed: false,
                reason: denied.reason)
            throw PMAPError(.permissionDenied, denied.reason)
        }
    }

    /// Decides `action` for the context's user (in `project`), records the decision, and
    /// throws permission denied with the policy's reason when it is not allowed.
    @discardableResult
    func require(
        _ context: AccessContext, _ action: Action, project: Int64? = nil, auditAction: String, target: String
    ) async throws -> Decision {
        var state: ProjectState?
        var grants: [GrantState] = []
        if let project { (state, grants) = try await policyState(project) }
        let decision = Policy.decide(
            context.actor, action, project: state, grants: grants, today: context.today)
        try await audit(
            context, chain: context.chain, project: project, action: auditAction, target: target,
            allowed: decision.allowed, reason: decision.reason)
        guard decision.allowed else { throw PMAPError(.permissionDenied, decision.reason) }
        return decision
    }
}
