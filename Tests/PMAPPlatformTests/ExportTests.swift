import Foundation
import PMAPPlatform
import PMAPTestSupport
import Testing

/// Patient-level extracts at each disclosure level carry exactly the identifiers their level
/// allows; pseudonyms differ between projects; date shifts keep each patient's intervals.
struct ExportTests {
    /// A project of `world`'s center whose only grant is at `level` (approved as its tier needs).
    static func project(
        _ world: GovernanceTests.World, name: String, level: DisclosureLevel, waiver: Bool = false
    ) async throws -> Int64 {
        let platform = world.fixture.platform
        let project = try await platform.createProject(
            world.lead, name: name, center: world.centerID, principalInvestigator: "lead", purpose: "extracts"
        ).state.id
        _ = try await platform.setIRB(
            world.fixture.admin, project: project, number: "IRB-\(name)", approved: Day.today + -30,
            expires: Day.today + 300, personnel: ["lead", "researcher"], waiverOfConsent: waiver)
        _ = try await platform.addProjectMember(world.lead, project: project, user: "researcher")
        let submitted = try await platform.submitRequest(
            world.researcher, project: project, domains: [.conditions, .measurements, .drugs], level: level,
            leavesPlatform: true, cohortID: nil, until: Day.today + 60)
        for steward in [world.steward1, world.steward2] where submitted.grant == nil {
            let (request, _) = try await platform.reviewRequest(
                steward, id: submitted.request.id, approve: true, reason: "test")
            if request.status == "approved" { break }
        }
        return project
    }

    /// The extract's CSV files, concatenated (the manifest holds only metadata and its own time).
    static func bytes(of folder: String) throws -> Data {
        var data = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        where name.hasSuffix(".csv") {
            data.append(try Data(contentsOf: URL(fileURLWithPath: folder).appendingPathComponent(name)))
        }
        return data
    }

    static func rows(_ folder: String, _ file: String) throws -> [[String]] {
        try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8).split(separator: "\n").dropFirst()
            .map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
    }

    @Test func everyLevelShowsOnlyWhatItAllows() async throws {
        let world = try await GovernanceTests.World()
        let fixture = world.fixture
        let export = fixture.folder.file("synth")
        _ = try Synthesis.run(patients: 40, seed: 5, formats: [.fhir], folder: export, force: false)
        _ = try await fixture.ingest([export])
        // Every direct identifier of the population, from the export's Patient resources.
        var secrets: [String] = []
        var mrns: [String] = []
        for line in LineScanner.lines(of: "\(export)/fhir/Patient.ndjson") {
            let patient = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let name = try #require((patient["name"] as? [[String: Any]])?.first)
            secrets.append("\(name["family"] as! String)")
            let identifiers = ((patient["identifier"] as? [[String: Any]]) ?? []).compactMap {
                $0["value"] as? String
            }
            secrets += identifiers
            mrns.append(identifiers[0])
            secrets += ((patient["telecom"] as? [[String: Any]]) ?? []).compactMap { $0["value"] as? String }
            secrets += ((patient["address"] as? [[String: Any]]) ?? []).flatMap {
                ($0["line"] as? [String]) ?? []
            }
            secrets.append(patient["birthDate"] as! String)
        }
        let isoDate = try Regex(#"\d{4}-\d{2}-\d{2}"#)
        // Patients who opted out of research are in no extract.
        let optedOut = LineScanner.lines(of: "\(export)/fhir/Consent.ndjson").filter {
            $0.contains("\"deny\"")
        }.count
        let optedOutMRNs = try LineScanner.lines(of: "\(export)/fhir/Consent.ndjson").filter {
            $0.contains("\"deny\"")
        }.map {
            line -> String in
            let object = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return ((object["patient"] as? [String: Any])?["reference"] as? String ?? "")
        }
        _ = optedOutMRNs
        var folders: [DisclosureLevel: String] = [:]
        for level in [DisclosureLevel.safeHarbor, .dateShifted, .limited, .identified] {
            let project = try await Self.project(
                world, name: level.rawValue, level: level, waiver: level == .identified)
            let folder = fixture.folder.file("extract-\(level.rawValue)")
            let report = try await fixture.platform.export(
                world.researcher, project: project, to: folder, vault: fixture.vault)
            #expect(report.level == level)
            folders[level] = folder
            let text = String(decoding: try Self.bytes(of: folder), as: UTF8.self)
            for secret in secrets where level != .identified {
                #expect(!text.contains(secret), "\(level.rawValue) extract holds a direct identifier")
            }
            #expect(try Self.rows(folder, "person.csv").count == 40 - optedOut)
            let manifest = try #require(
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/manifest.json")))
                    as? [String: Any])
            #expect(
                manifest["grant"] as? Int == Int(report.grantID)
                    && manifest["level"] as? String == level.rawValue)
            switch level {
            case .safeHarbor:
                let match = text.firstMatch(of: isoDate).map { String(text[$0.range]) }
                #expect(match == nil, "Safe Harbor keeps no date beyond the year: \(match ?? "")")
            case .identified:
                #expect(
                    mrns.filter { text.contains($0) }.count == 40 - optedOut,
                    "the identified extract carries MRNs")
            default:
                #expect(text.firstMatch(of: isoDate) != nil)
            }
        }
        // Same patients, different projects: unrelated pseudonyms.
        let pseudonyms = try Set(Self.rows(folders[.limited]!, "person.csv").map { $0[0] })
        let others = try Set(Self.rows(folders[.dateShifted]!, "person.csv").map { $0[0] })
        #expect(pseudonyms.count == 40 - optedOut && pseudonyms.isDisjoint(with: others))
        // Date shifting moves every date of a patient by one offset: intervals are kept.
        func intervals(_ folder: String) throws -> [String: [Int]] {
            var dates: [String: [Day]] = [:]
            for row in try Self.rows(folder, "measurement.csv") {
                if let day = Day(iso: row[2]) { dates[row[0], default: []].append(day) }
            }
            return dates.mapValues { days in
                let sorted = days.sorted()
                return zip(sorted, sorted.dropFirst()).map { $1 - $0 }
            }
        }
        let limited = try intervals(folders[.limited]!)
        let shifted = try intervals(folders[.dateShifted]!)
        #expect(limited.values.map { $0 }.sorted { $0.count < $1.count }.last?.isEmpty == false)
        #expect(
            Set(limited.values.map { $0.description }) == Set(shifted.values.map { $0.description }),
            "each patient's intervals survive the shift")
        let limitedDates = try Self.rows(folders[.limited]!, "measurement.csv").map { $0[2] }
        let shiftedDates = try Self.rows(folders[.dateShifted]!, "measurement.csv").map { $0[2] }
        #expect(Set(limitedDates) != Set(shiftedDates))
    }

    /// The next extract leaves out a patient who withdrew consent, and the steward's list shows
    /// which earlier extract held them.
    @Test func consentWithdrawnAfterAnExtractShowsInTheStewardsList() async throws {
        let world = try await GovernanceTests.World()
        let fixture = world.fixture
        var lines: [String] = []
        for index in 1...15 {
            lines.append(
                #"{"resourceType":"Patient","id":"p\#(index)","gender":"male","birthDate":"1950-01-01"}"#)
        }
        _ = try await fixture.ingest([try fixture.write("p.ndjson", lines.joined(separator: "\n"))])
        let project = try await Self.project(world, name: "sh", level: .safeHarbor)
        _ = try await fixture.platform.export(
            world.researcher, project: project, to: fixture.folder.file("e1"), vault: fixture.vault)
        let withdrawal =
            #"{"resourceType":"Consent","id":"k3","status":"active","scope":{"coding":[{"code":"research"}]},"patient":{"reference":"Patient/p3"},"dateTime":"2026-01-01","provision":{"type":"deny"}}"#
        _ = try await fixture.ingest([try fixture.write("k.ndjson", withdrawal)])
        _ = try await fixture.platform.export(
            world.researcher, project: project, to: fixture.folder.file("e2"), vault: fixture.vault)
        #expect(try Self.rows(fixture.folder.file("e1"), "person.csv").count == 15)
        #expect(try Self.rows(fixture.folder.file("e2"), "person.csv").count == 14)
        let extracts = try await fixture.platform.extracts(world.steward1, project: project)
        #expect(extracts.map(\.persons) == [15, 14])
        #expect(extracts.map(\.withdrawnSince) == [1, 0])
        await #expect(throws: PMAPError.self) {
            _ = try await fixture.platform.extracts(world.researcher, project: project)
        }
    }

    @Test func anAggregateGrantAllowsNoExtract() async throws {
        let world = try await GovernanceTests.World()
        _ = try await world.fixture.platform.submitRequest(
            world.researcher, project: world.project, domains: [.conditions], level: .aggregate,
            leavesPlatform: false,
            cohortID: nil, until: Day.today + 30)
        try await world.expectDenied("above aggregate") {
            _ = try await world.fixture.platform.export(
                world.researcher, project: world.project, to: world.fixture.folder.file("x"),
                vault: world.fixture.vault)
        }
    }
}
