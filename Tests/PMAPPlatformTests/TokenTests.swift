import Foundation
import PMAPPlatform
import PMAPTestSupport
import Testing

/// API tokens can be revoked and replaced: a revoked token stops working at once.
struct TokenTests {
    @Test func revokedTokensStopWorkingAndAReplacementWorks() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let platform = fixture.platform
        let first = try await platform.addUser(fixture.admin, name: "leaver", role: .researcher)
        _ = try await platform.context(token: first.token, vault: fixture.vault)

        #expect(try await platform.revokeTokens(fixture.admin, user: "leaver") == 1)
        await #expect(throws: PMAPError.self) {
            _ = try await platform.context(token: first.token, vault: fixture.vault)
        }

        let replaced = try await platform.replaceToken(fixture.admin, user: "leaver")
        let leaver = try await platform.context(token: replaced.token, vault: fixture.vault)
        // A user may replace their own token; the one they used stops working.
        let own = try await platform.replaceToken(leaver, user: "leaver")
        await #expect(throws: PMAPError.self) {
            _ = try await platform.context(token: replaced.token, vault: fixture.vault)
        }
        let again = try await platform.context(token: own.token, vault: fixture.vault)
        // Only admins revoke or replace others' tokens, and no admin revokes their own.
        await #expect(throws: PMAPError.self) { _ = try await platform.revokeTokens(again, user: "admin") }
        await #expect(throws: PMAPError.self) { _ = try await platform.replaceToken(again, user: "admin") }
        await #expect(throws: PMAPError.self) {
            _ = try await platform.revokeTokens(fixture.admin, user: "admin")
        }
        _ = try await platform.context(token: fixture.adminToken, vault: fixture.vault)
        let actions = try await platform.auditLog(fixture.admin, project: nil).map(\.action)
        #expect(actions.contains("user.revoke") && actions.contains("user.token"))
    }
}
