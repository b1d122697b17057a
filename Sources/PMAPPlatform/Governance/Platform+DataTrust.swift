import Foundation
import PMAPGovernance
import PMAPStore

/// What a submitted request became.
public struct SubmittedRequest: Sendable {
    public let request: RequestRecord
    public let assessment: TierAssessment
    /// The grant, when the request needed no review (tier A).
    public let grant: GrantRecord?
}

extension Platform {
    /// The risk tier a request would get, and why, before it is submitted.
    public func assessRequest(level: DisclosureLevel, leavesPlatform: Bool) -> TierAssessment {
        RiskTier.assess(level: level, leavesPlatform: leavesPlatform)
    }

    /// Submits a data-use request to the Data Trust Council. Tier A is granted at once on a
    /// valid IRB approval; B waits for one steward, C for two.
    public func submitRequest(
        _ context: AccessContext, project: Int64, domains: Set<DataDomain>, level: DisclosureLevel,
        leavesPlatform: Bool, cohortID: Int64?, until: Day
    ) async throws -> SubmittedRequest {
        guard !domains.isEmpty else { throw PMAPError(.usage, "name at least one domain with --domains") }
        guard until >= context.today else { throw PMAPError(.usage, "--until must not be in the past") }
        try await require(
            context, .submitRequest, project: project, auditAction: "request.submit",
            target: "project \(project)")
        let assessment = RiskTier.assess(level: level, leavesPlatform: leavesPlatform)
        let irb = try await store.write { try $0.project(id: project)?.state.irb }
        if level == .identified && irb?.waiverOfConsent != true {
            let reason =
                "identified data needs an IRB waiver of consent, and project \(project)'s protocol records none"
            try await audit(
                context, chain: context.chain, project: project, action: "request.submit",
                target: "project \(project)",
                allowed: false, reason: reason)
            throw PMAPError(.permissionDenied, reason)
        }
        let today = context.today
        let (request, grant) = try await store.write { writer -> (RequestRecord, GrantRecord?) in
            let id = try writer.submitRequest(
                project: project, requestedBy: context.actor.userID, domains: domains, level: level,
                leavesPlatform: leavesPlatform, cohortID: cohortID, validUntil: until, assessment: assessment)
            guard assessment.requiredApprovals == 0 else { return (try writer.request(id: id)!, nil) }
            try writer.setRequestStatus(id, status: "approved")
            let request = try writer.request(id: id)!
            let grantID = try writer.createGrant(from: request, validFrom: today)
            return (request, try writer.grants(project: project).first { $0.state.id == grantID })
        }
        if let grant {
            try await audit(
                context, chain: context.chain, project: project, action: "grant.create",
                target: "grant \(grant.state.id)",
                allowed: true, reason: "tier A: granted on a valid IRB approval without Council review")
        }
        return SubmittedRequest(request: request, assessment: assessment, grant: grant)
    }

    /// A steward's review: approve or deny with a reason. Enough approvals create the grant.
    public func reviewRequest(_ context: AccessContext, id: Int64, approve: Bool, reason: String) async throws
        -> (RequestRecord, GrantRecord?)
    {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PMAPError(.usage, "every review records its reason: give --reason")
        }
        guard let request = try await store.write({ try $0.request(id: id) }) else {
            throw PMAPError(.notFound, "there is no request \(id); see pmap request list")
        }
        let project = try await store.write { try $0.project(id: request.projectID)!.state }
        let own =
            project.members.contains(context.actor.userID)
            || project.principalInvestigator == context.actor.userID
            || request.requestedBy == context.actor.userID
        try await require(
            context, .reviewRequest(requesterIsOnProject: own), project: request.projectID,
            auditAction: approve ? "request.approve" : "request.deny", target: "request \(id)")
        guard request.status == "pending" else {
            throw PMAPError(.badInput, "request \(id) is \(request.status) already")
        }
        let today = context.today
        let result = try await store.write { writer -> (RequestRecord, GrantRecord?) in
            // Checked again inside the transaction: two stewards approving at once make one grant.
            guard try writer.request(id: id)?.status == "pending" else {
                throw PMAPError(.badInput, "request \(id) was decided meanwhile; see pmap request list")
            }
            try writer.saveReview(
                request: id, reviewer: context.actor.userID, approved: approve, reason: reason)
            if !approve {
                try writer.setRequestStatus(id, status: "denied")
                return (try writer.request(id: id)!, nil)
            }
            let updated = try writer.request(id: id)!
            guard updated.reviews.filter(\.approved).count >= updated.requiredApprovals else {
                return (updated, nil)
            }
            try writer.setRequestStatus(id, status: "approved")
            let approved = try writer.request(id: id)!
            let grantID = try writer.createGrant(from: approved, validFrom: today)
            return (approved, try writer.grants(project: approved.projectID).first { $0.state.id == grantID })
        }
        if let grant = result.1 {
            try await audit(
                context, chain: context.chain, project: request.projectID, action: "grant.create",
                target: "grant \(grant.state.id)", allowed: true,
                reason: "tier \(request.tier.rawValue): \(request.requiredApprovals) approval(s) recorded")
        }
        return result
    }

    /// Requests the user may see: all for stewards and admins, their projects' otherwise.
    public func requests(_ context: AccessContext) async throws -> [RequestRecord] {
        let all = try await store.write { try $0.requests() }
        guard context.actor.role != .steward && context.actor.role != .admin else { return all }
        let mine = try await memberProjects(context)
        return all.filter { mine.contains($0.projectID) }
    }

    public func grants(_ context: AccessContext) async throws -> [GrantRecord] {
        let all = try await store.write { try $0.grants(project: nil) }
        guard context.actor.role != .steward && context.actor.role != .admin else { return all }
        let mine = try await memberProjects(context)
        return all.filter { mine.contains($0.state.projectID) }
    }

    private func memberProjects(_ context: AccessContext) async throws -> Set<Int64> {
        Set(
            try await store.write { try $0.projects() }.filter {
                $0.state.members.contains(context.actor.userID)
                    || $0.state.principalInvestigator == context.actor.userID
            }.map(\.state.id))
    }

    public func revokeGrant(_ context: AccessContext, id: Int64, reason: String) async throws -> GrantRecord {
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PMAPError(.usage, "give the reason for revoking with --reason")
        }
        guard let grant = try await store.write({ try $0.grants(project: nil).first { $0.state.id == id } })
        else {
            throw PMAPError(.notFound, "there is no grant \(id); see pmap grant list")
        }
        try await require(
            context, .revokeGrant, project: grant.state.projectID, auditAction: "grant.revoke",
            target: "grant \(id)")
        let today = context.today
        return try await store.write { writer in
            try writer.revokeGrant(id: id, on: today, by: context.actor.userID, reason: reason)
            return try writer.grants(project: grant.state.projectID).first { $0.state.id == id }!
        }
    }

    // MARK: Audit

    /// The audit log (of one project: what it touched), by sequence.
    public func auditLog(_ context: AccessContext, project: Int64?) async throws -> [AuditEntry] {
        try await require(
            context, .viewAudit, auditAction: "audit.log", target: project.map { "project \($0)" } ?? "all")
        return try await store.write { try $0.auditEntries(project: project) }.map(\.entry)
    }

    /// The MAC of the chain's last entry, to record outside the platform.
    public func auditHead(_ context: AccessContext) async throws -> String {
        try await require(context, .viewAudit, auditAction: "audit.head", target: "chain")
        let last = try await store.write { try $0.lastAuditMAC() }
        return AuditChain.hex(last?.mac ?? AuditChain.genesis)
    }

    /// Verifies the whole chain (and that it ends at `expectedHead`, when given).
    public func verifyAudit(_ context: AccessContext, expectedHead: String?) async throws -> AuditVerification
    {
        let entries = try await store.write { try $0.auditEntries(project: nil) }
        var head: Data?
        if let expectedHead {
            guard let parsed = AuditChain.data(hex: expectedHead) else {
                throw PMAPError(.usage, "--expect-head takes the hex string pmap audit head printed")
            }
            head = parsed
        }
        let result = context.chain.verify(entries, expectedHead: head)
        try await require(context, .viewAudit, auditAction: "audit.verify", target: "chain")
        return result
    }
}
