import Foundation
import PMAPGovernance
import PMAPStore

/// A user just created, with the API token shown this once.
public struct NewUser: Sendable {
    public let user: UserRecord
    public let token: String
}

extension Platform {
    // MARK: Users

    /// Creates the first admin of a store that has no users yet (nil when it has some): the
    /// token is returned this once and stored only as a hash.
    public func createFirstAdmin(name: String = "admin", vault: IdentityVault) async throws -> NewUser? {
        let token = APIToken.generate()
        let created = try await store.write { writer -> UserRecord? in
            guard try writer.userCount() == 0 else { return nil }
            if try writer.setting(Self.vaultKeySetting) == nil {
                try writer.setSetting(Self.vaultKeySetting, vault.key.id)
            }
            let id = try writer.createUser(name: name, role: .admin, tokenHash: APIToken.hash(token))
            return try writer.user(id: id)
        }
        guard let created else { return nil }
        try await audit(
            nil, chain: AuditChain(key: vault.key), project: nil, action: "user.create",
            target: "user \(created.id)",
            allowed: true, reason: "first admin of a new store")
        return NewUser(user: created, token: token)
    }

    /// Adds a user with a role; admins only.
    public func addUser(_ context: AccessContext, name: String, role: Role) async throws -> NewUser {
        let name = try Self.validName(name, "user")
        try await require(context, .manageUsers, auditAction: "user.create", target: "user \(name)")
        let token = APIToken.generate()
        let user = try await store.write { writer -> UserRecord in
            let id = try writer.createUser(name: name, role: role, tokenHash: APIToken.hash(token))
            return try writer.user(id: id)!
        }
        return NewUser(user: user, token: token)
    }

    /// Revokes every API token of a user (admins), e.g. a leaked or departed user's; returns how
    /// many. Admins cannot revoke their own: `replaceToken` replaces it instead, so no one
    /// locks the last admin out by mistake.
    public func revokeTokens(_ context: AccessContext, user reference: String) async throws -> Int {
        try await require(context, .manageUsers, auditAction: "user.revoke", target: "user \(reference)")
        return try await store.write { writer in
            let user = try self.resolveUser(reference, writer)
            guard user.id != context.actor.userID else {
                throw PMAPError(
                    .usage,
                    "you cannot revoke your own tokens; use pmap user token \(user.name) to replace yours")
            }
            return try writer.revokeTokens(user: user.id)
        }
    }

    /// Replaces a user's API tokens with a new one (admins; any user for their own): the old ones
    /// stop working at once; the new token is returned this once.
    public func replaceToken(_ context: AccessContext, user reference: String) async throws -> NewUser {
        let user = try await store.write { try self.resolveUser(reference, $0) }
        if user.id != context.actor.userID {
            try await require(context, .manageUsers, auditAction: "user.token", target: "user \(user.id)")
        } else {
            try await audit(
                context, chain: context.chain, project: nil, action: "user.token", target: "user \(user.id)",
                allowed: true, reason: "a user may replace their own token")
        }
        let token = APIToken.generate()
        try await store.write { writer in
            _ = try writer.revokeTokens(user: user.id)
            try writer.addToken(user: user.id, tokenHash: APIToken.hash(token))
        }
        return NewUser(user: user, token: token)
    }

    public func users(_ context: AccessContext) async throws -> [UserRecord] {
        try await require(context, .manageUsers, auditAction: "user.list", target: "users")
        return try await store.write { try $0.users() }
    }

    static func validName(_ name: String, _ what: String) throws -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.count <= 200 else {
            throw PMAPError(.usage, "give the \(what) a name (1 to 200 characters)")
        }
        return trimmed
    }

    /// A user by id or name.
    func resolveUser(_ reference: String, _ writer: any StoreWriter) throws -> UserRecord {
        if let id = Int64(reference), let user = try writer.user(id: id) { return user }
        if let user = try writer.user(named: reference) { return user }
        throw PMAPError(.notFound, "there is no user \(reference); see pmap user list")
    }

    // MARK: Centers

    public func addCenter(_ context: AccessContext, name: String) async throws -> CenterRecord {
        let name = try Self.validName(name, "center")
        try await require(context, .manageCenters, auditAction: "center.create", target: "center \(name)")
        return try await store.write { writer in try writer.center(id: try writer.createCenter(name: name))! }
    }

    public func addCenterMember(_ context: AccessContext, center: Int64, user reference: String) async throws
        -> CenterRecord
    {
        try await require(
            context, .manageCenters, auditAction: "center.add-member", target: "center \(center)")
        return try await store.write { writer in
            guard try writer.center(id: center) != nil else {
                throw PMAPError(.notFound, "there is no center \(center); see pmap center list")
            }
            try writer.addCenterMember(center: center, user: try self.resolveUser(reference, writer).id)
            return try writer.center(id: center)!
        }
    }

    public func centers(_ context: AccessContext) async throws -> [CenterRecord] {
        try await store.write { try $0.centers() }
    }

    // MARK: Projects

    /// Creates a project in a center; admins, or the center's lead.
    public func createProject(
        _ context: AccessContext, name: String, center: Int64, principalInvestigator: String, purpose: String
    ) async throws -> ProjectRecord {
        let name = try Self.validName(name, "project")
        guard !purpose.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PMAPError(.usage, "give the project's purpose with --purpose")
        }
        let pi = try await store.write { writer -> UserRecord in
            guard try writer.center(id: center) != nil else {
                throw PMAPError(.notFound, "there is no center \(center); see pmap center list")
            }
            return try self.resolveUser(principalInvestigator, writer)
        }
        let tentative = ProjectState(
            id: 0, centerID: center, principalInvestigator: pi.id, irb: nil, members: [])
        let decision = Policy.decide(
            context.actor, .manageProject, project: tentative, grants: [], today: context.today)
        try await audit(
            context, chain: context.chain, project: nil, action: "project.create", target: "project \(name)",
            allowed: decision.allowed, reason: decision.reason)
        guard decision.allowed else { throw PMAPError(.permissionDenied, decision.reason) }
        return try await store.write { writer in
            let id = try writer.createProject(
                name: name, center: center, principalInvestigator: pi.id, purpose: purpose)
            return try writer.project(id: id)!
        }
    }

    /// Records the project's IRB protocol; its personnel is the only team the project can have.
    public func setIRB(
        _ context: AccessContext, project: Int64, number: String, approved: Day, expires: Day,
        personnel: [String],
        waiverOfConsent: Bool
    ) async throws -> ProjectRecord {
        guard approved <= expires else {
            throw PMAPError(.usage, "the IRB approval date must not be after its expiry date")
        }
        guard !number.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw PMAPError(.usage, "give the IRB protocol number with --number")
        }
        // The IRB's approval is a record the Data Trust keeps, not one the project's own team
        // writes: data stewards and admins record it.
        guard try await store.write({ try $0.project(id: project) }) != nil else {
            throw PMAPError(.notFound, "there is no project \(project); see pmap project list")
        }
        let mayRecord = context.actor.role == .steward || context.actor.role == .admin
        let reason =
            mayRecord
            ? "user \(context.actor.userID) records IRB approvals (\(context.actor.role.rawValue))"
            : "user \(context.actor.userID) is a \(context.actor.role.rawValue); IRB approvals are recorded by data stewards and admins, never by a project's team"
        try await audit(
            context, chain: context.chain, project: project, action: "project.irb",
            target: "project \(project)",
            allowed: mayRecord, reason: reason)
        guard mayRecord else { throw PMAPError(.permissionDenied, reason) }
        return try await store.write { writer in
            let ids = try personnel.map { try self.resolveUser($0, writer).id }
            let current = try writer.project(id: project)!
            try writer.saveIRB(
                project: project,
                IRBProtocol(
                    number: number, approved: approved, expires: expires, personnel: Set(ids),
                    waiverOfConsent: waiverOfConsent))
            // The principal investigator joins the team when the protocol names them.
            if ids.contains(current.state.principalInvestigator) {
                try writer.addProjectMember(project: project, user: current.state.principalInvestigator)
            }
            return try writer.project(id: project)!
        }
    }

    /// Adds a team member; only people the IRB protocol names can join.
    public func addProjectMember(_ context: AccessContext, project: Int64, user reference: String)
        async throws
        -> ProjectRecord
    {
        try await require(
            context, .manageProject, project: project, auditAction: "project.add-member",
            target: "project \(project)")
        let (user, state) = try await store.write { writer in
            (try self.resolveUser(reference, writer), try writer.project(id: project)!.state)
        }
        guard let irb = state.irb else {
            try await audit(
                context, chain: context.chain, project: project, action: "project.add-member",
                target: "user \(user.id)", allowed: false, reason: "project \(project) has no IRB protocol")
            throw PMAPError(
                .permissionDenied,
                "project \(project) has no IRB protocol; record it with pmap project irb first")
        }
        guard irb.personnel.contains(user.id) else {
            let reason = "user \(user.id) is not named on project \(project)'s IRB protocol \(irb.number)"
            try await audit(
                context, chain: context.chain, project: project, action: "project.add-member",
                target: "user \(user.id)", allowed: false, reason: reason)
            throw PMAPError(.permissionDenied, reason + "; amend the protocol (pmap project irb) first")
        }
        return try await store.write { writer in
            try writer.addProjectMember(project: project, user: user.id)
            return try writer.project(id: project)!
        }
    }

    public func projects(_ context: AccessContext) async throws -> [ProjectRecord] {
        try await store.write { try $0.projects() }
    }

    /// A project by id or name.
    public func projectID(_ reference: String) async throws -> Int64 {
        try await store.write { writer in
            if let id = Int64(reference), try writer.project(id: id) != nil { return id }
            if let project = try writer.project(named: reference) { return project.state.id }
            throw PMAPError(.notFound, "there is no project \(reference); see pmap project list")
        }
    }
}
