import Foundation
import PMAPTestSupport
import Testing

/// `pmap cohort check` prints each design finding with its severity and path, and exits 65
/// when one is an error.
struct CohortCheckCommandTests {
    let cli = CommandLineTests()

    static func definition(windowStart: Int) -> String {
        """
        {"ConceptSets":[{"id":0,"name":"x","expression":{"items":[{"concept":{"CONCEPT_ID":1}}]}}],
         "PrimaryCriteria":{"CriteriaList":[{"ConditionOccurrence":{"CodesetId":0}}],
           "ObservationWindow":{"PriorDays":0,"PostDays":0},"PrimaryCriteriaLimit":{"Type":"First"}},
         "ExpressionLimit":{"Type":"First"},
         "InclusionRules":[{"name":"later visit","expression":{"Type":"ALL","CriteriaList":[
           {"Criteria":{"ConditionOccurrence":{"CodesetId":0}},
            "StartWindow":{"Start":{"Days":\(windowStart),"Coeff":1},"End":{"Days":10,"Coeff":1}},
            "Occurrence":{"Type":2,"Count":1}}],"DemographicCriteriaList":[],"Groups":[]}}],
         "CollapseSettings":{"CollapseType":"ERA","EraPad":0}}
        """
    }

    @Test func aBrokenDefinitionExits65WithSeverityAndPath() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = "InclusionRules[0].expression.CriteriaList[0].StartWindow"
        try Self.definition(windowStart: 30).write(
            to: folder.url.appendingPathComponent("broken.json"), atomically: true, encoding: .utf8)
        let text = try cli.pmap(["cohort", "check", "broken.json"], in: folder)
        #expect(text.status == 65, "\(text.stderr)")
        let line = "error    \(path): the window runs from 30 days after to 10 days after the index start"
        #expect(text.stdout.contains(line), "\(text.stdout)")
        #expect(text.stderr.contains("1 error finding"))

        let json = try cli.pmap(["cohort", "check", "broken.json", "--json"], in: folder)
        #expect(json.status == 65)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(checks.first?["severity"] as? String == "error")
        #expect(checks.first?["path"] as? String == path)
        #expect(object["valid"] as? Bool == false)
        #expect(
            object["tables"] as? [String] != nil && object["inclusion_rules"] as? [String] == ["later visit"])
    }

    @Test func aCleanDefinitionExits0() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try Self.definition(windowStart: 3).write(
            to: folder.url.appendingPathComponent("clean.json"), atomically: true, encoding: .utf8)
        let text = try cli.pmap(["cohort", "check", "clean.json"], in: folder)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.hasPrefix("Valid."))
        let json = try cli.pmap(["cohort", "check", "clean.json", "--json"], in: folder)
        #expect(json.status == 0)
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let checks = try #require(object["checks"] as? [[String: Any]])
        #expect(!checks.contains { $0["severity"] as? String == "error" })
        #expect(object["valid"] as? Bool == true)
    }
}
