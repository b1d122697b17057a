import Foundation
import GRDB
import PMAPTestSupport
import Testing

/// The governance commands as a user runs them: every `--json` answer carries the new
/// object's id; denials exit 77 with the reason and appear in the audit log.
struct GovernanceCommandTests {
    let cli = CommandLineTests()

    func json(_ result: CommandLineTests.Result) throws -> [String: Any] {
        try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any],
            "\(result.stderr)")
    }

    @Test func aProjectFromUsersToAGrantAndDenialsThatExit77() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let admin = try cli.initStore(in: folder)
        func run(_ token: String, _ arguments: [String]) throws -> CommandLineTests.Result {
            try cli.pmap(arguments, in: folder, environment: ["PMAP_TOKEN": token])
        }
        var tokens: [String: String] = [:]
        for (name, role) in [
            ("lead", "center-lead"), ("ana", "researcher"), ("bob", "researcher"), ("sue", "data-steward"),
        ] {
            let created = try json(try run(admin, ["user", "add", name, "--role", role, "--json"]))
            #expect(created["id"] as? Int != nil)
            tokens[name] = try #require(created["token"] as? String)
        }
        let center = try json(try run(admin, ["center", "add", "Prostate Cancer PMC", "--json"]))
        let centerID = try #require(center["id"] as? Int)
        #expect(try run(admin, ["center", "add-member", String(centerID), "lead"]).status == 0)
        let project = try json(
            try run(
                tokens["lead"]!,
                [
                    "project", "create", "PSA", "--center", String(centerID), "--pi", "lead", "--purpose",
                    "PSA kinetics", "--json",
                ]))
        let projectID = try #require(project["id"] as? Int)
        let today = Date()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let approved = formatter.string(from: today.addingTimeInterval(-86_400 * 10))
        let expires = formatter.string(from: today.addingTimeInterval(86_400 * 300))
        #expect(
            try run(
                tokens["sue"]!,
                [
                    "project", "irb", "PSA", "--number", "IRB-7", "--approved", approved, "--expires",
                    expires, "--personnel", "lead,ana",
                ]
            ).status == 0)
        #expect(try run(tokens["lead"]!, ["project", "add-member", "PSA", "ana"]).status == 0)
        let notOnProtocol = try run(tokens["lead"]!, ["project", "add-member", "PSA", "bob"])
        #expect(notOnProtocol.status == 77 && notOnProtocol.stderr.contains("not named on project"))

        let preview = try json(
            try run(
                tokens["ana"]!,
                [
                    "request", "submit", "--project", "PSA", "--domains", "conditions", "--level",
                    "date-shifted", "--until", expires, "--preview", "--json",
                ]))
        #expect(preview["tier"] as? String == "B")
        let request = try json(
            try run(
                tokens["ana"]!,
                [
                    "request", "submit", "--project", "PSA", "--domains", "conditions", "--level",
                    "date-shifted", "--until", expires, "--json",
                ]))
        let requestID = try #require(request["id"] as? Int)
        #expect(request["status"] as? String == "pending")
        let own = try run(
            tokens["ana"]!, ["request", "review", String(requestID), "--approve", "--reason", "mine"])
        #expect(own.status == 77)
        let reviewed = try json(
            try run(
                tokens["sue"]!,
                ["request", "review", String(requestID), "--approve", "--reason", "IRB covers it", "--json"]))
        let grant = try #require(reviewed["grant"] as? [String: Any])
        #expect(reviewed["status"] as? String == "approved" && grant["id"] as? Int != nil)

        // A researcher outside the project is denied, and the denial is audited.
        let outsider = try run(tokens["bob"]!, ["count", "--project", "PSA", "--concept", "200962"])
        #expect(outsider.status == 77 && outsider.stderr.contains("not a member of project \(projectID)"))
        let count = try json(
            try run(tokens["ana"]!, ["count", "--project", "PSA", "--concept", "200962", "--json"]))
        #expect((count["patients"] as? [String: Any])?["count"] as? Int == 0)
        let researcherAudit = try run(tokens["ana"]!, ["audit", "log"])
        #expect(researcherAudit.status == 77)
        let log = try json(try run(tokens["sue"]!, ["audit", "log", "--project", "PSA", "--json"]))
        let entries = try #require(log["entries"] as? [[String: Any]])
        #expect(
            entries.contains {
                $0["action"] as? String == "research.count" && $0["allowed"] as? Bool == false
            })
        #expect(
            entries.contains {
                $0["action"] as? String == "request.approve" && $0["allowed"] as? Bool == false
            })

        let head = try json(try run(admin, ["audit", "head", "--json"]))["head"] as? String
        #expect(try run(admin, ["audit", "verify", "--expect-head", try #require(head)]).status == 0)
        // Someone with only the database file edits an entry: verify names it and fails.
        let queue = try DatabaseQueue(path: folder.file("pmap.sqlite"))
        try queue.write { db in
            try db.execute(sql: "DROP TRIGGER pmap_audit_no_update")
            try db.execute(sql: "UPDATE pmap_audit SET reason = 'routine' WHERE sequence = 3")
        }
        try queue.close()
        let broken = try run(admin, ["audit", "verify"])
        #expect(broken.status == 65 && broken.stderr.contains("entry 3"))
    }
}
