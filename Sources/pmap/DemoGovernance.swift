import Foundation
import PMAPPlatform

/// The demo's governance: two centers, a user per role, a project with a valid IRB protocol
/// and a granted request. Tokens are kept in `tokens.json` beside the demo store (mode 0600)
/// so a rerun can act again; a real deployment hands them to people instead.
struct DemoGovernance {
    /// Tokens by user name.
    var tokens: [String: String]
    var projectID: Int64

    static let prostateCancer = "Prostate Cancer Precision Medicine Center"
    static let multipleSclerosis = "Multiple Sclerosis Precision Medicine Center"
    static let users: [(String, Role)] = [
        ("data-engineer", .engineer), ("steward-1", .steward), ("steward-2", .steward),
        ("pc-lead", .centerLead),
        ("pc-researcher", .researcher), ("ms-researcher", .researcher),
    ]

    static func tokenFile(storePath: String) -> String {
        ((storePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("tokens.json")
    }

    /// Sets the demo up on a new store, or reads the tokens of an earlier run.
    static func prepare(_ platform: Platform, storePath: String, vault: IdentityVault) async throws
        -> DemoGovernance
    {
        let file = tokenFile(storePath: storePath)
        guard let admin = try await platform.createFirstAdmin(vault: vault) else {
            guard let data = FileManager.default.contents(atPath: file),
                let saved = try JSONSerialization.jsonObject(with: data) as? [String: Any],
                let tokens = saved["tokens"] as? [String: String], let project = saved["project"] as? Int
            else {
                throw PMAPError(
                    .badInput,
                    "\(storePath) has users but no demo tokens beside it (\(file)); give the demo a new --store"
                )
            }
            return DemoGovernance(tokens: tokens, projectID: Int64(project))
        }
        var tokens = ["admin": admin.token]
        let adminContext = try await platform.context(token: admin.token, vault: vault)
        var ids: [String: Int64] = [:]
        for (name, role) in users {
            let created = try await platform.addUser(adminContext, name: name, role: role)
            tokens[name] = created.token
            ids[name] = created.user.id
        }
        let pc = try await platform.addCenter(adminContext, name: prostateCancer)
        let ms = try await platform.addCenter(adminContext, name: multipleSclerosis)
        for name in ["pc-lead", "pc-researcher"] {
            _ = try await platform.addCenterMember(adminContext, center: pc.id, user: name)
        }
        _ = try await platform.addCenterMember(adminContext, center: ms.id, user: "ms-researcher")
        // The center lead creates the project.
        let lead = try await platform.context(token: tokens["pc-lead"]!, vault: vault)
        let project = try await platform.createProject(
            lead, name: "PSA kinetics and outcomes", center: pc.id, principalInvestigator: "pc-lead",
            purpose: "Describe PSA trajectories and time to metastasis after prostate cancer treatment")
        let today = Day.today
        // A data steward records the IRB's approval (a project's team never does).
        let steward = try await platform.context(token: tokens["steward-1"]!, vault: vault)
        _ = try await platform.setIRB(
            steward, project: project.state.id, number: "IRB00012345", approved: today + -30,
            expires: today + 335,
            personnel: ["pc-lead", "pc-researcher"], waiverOfConsent: false)
        _ = try await platform.addProjectMember(lead, project: project.state.id, user: "pc-researcher")
        // Aggregate results inside the platform: tier A, granted on the valid IRB approval.
        let researcher = try await platform.context(token: tokens["pc-researcher"]!, vault: vault)
        _ = try await platform.submitRequest(
            researcher, project: project.state.id,
            domains: [.conditions, .measurements, .drugs, .procedures],
            level: .aggregate, leavesPlatform: false, cohortID: nil, until: today + 365)
        let saved: [String: Any] = ["tokens": tokens, "project": project.state.id]
        let data = try JSONSerialization.data(withJSONObject: saved, options: [.sortedKeys, .prettyPrinted])
        FileManager.default.createFile(atPath: file, contents: data, attributes: [.posixPermissions: 0o600])
        return DemoGovernance(tokens: tokens, projectID: project.state.id)
    }
}
