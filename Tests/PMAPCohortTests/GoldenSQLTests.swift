import Foundation
import PMAPCohort
import PMAPModel
import Testing

/// The SQL text of one small definition in both dialects, compared with committed files under
/// Golden/. After an intended change, regenerate with `PMAP_UPDATE_GOLDEN=1 swift test --filter GoldenSQL`
/// and review the diff.
struct GoldenSQLTests {
    typealias J = DefinitionJSON

    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Golden")

    /// Drug eras of concept 1118084 (and descendants), first per person, with 365 days of prior
    /// observation; inclusion rule: age over 40 and no condition 192671 in the 30 days before;
    /// ends 30 days after the start; censor window from 2000-01-01; eras merged within 7 days.
    static let definition = J.definition(
        conceptSets: [
            J.conceptSet(0, [(1_118_084, false, true, false)]), J.conceptSet(1, concepts: [192_671]),
        ],
        primary: ["{\"DrugEra\": {\"CodesetId\": 0, \"First\": true}}"], prior: 365, primaryLimit: "First",
        rules: [
            J.group(
                "ALL",
                criteria: [
                    J.correlated(
                        "{\"ConditionOccurrence\": {\"CodesetId\": 1}}", before: 30, after: 0, type: 0,
                        count: 0)
                ],
                demographics: ["{\"Age\": {\"Value\": 40, \"Op\": \"gt\"}}"])
        ],
        endStrategy: "{\"DateOffset\": {\"DateField\": \"StartDate\", \"Offset\": 30}}",
        censorWindow: "{\"StartDate\": \"2000-01-01\"}", eraPad: 7)

    /// Device exposures of concept 4000 (UDI starting with "(01)", moved 1 day later, first per
    /// person) whose visit is an inpatient visit (concept set 1); inclusion rule: at least 2
    /// distinct start dates of drug 1118084 by a cardiologist (concept set 2) stopped "due to"
    /// something, in the same visit, 0 to 7 days after the index end; ends 30 days after its end.
    static let circeDefinition = J.definition(
        conceptSets: [
            J.conceptSet(0, concepts: [4000]), J.conceptSet(1, concepts: [9201]),
            J.conceptSet(2, concepts: [38_004_451]), J.conceptSet(3, concepts: [1_118_084]),
        ],
        primary: [
            """
            {"DeviceExposure": {"CodesetId": 0, "First": true, "VisitTypeCS": {"CodesetId": 1},
             "UniqueDeviceId": {"Text": "(01)", "Op": "startsWith"},
             "DateAdjustment": {"StartWith": "START_DATE", "StartOffset": 1, "EndWith": "END_DATE", "EndOffset": 1}}}
            """
        ],
        rules: [
            J.group(
                "ALL",
                criteria: [
                    """
                    {"Criteria": {"DrugExposure": {"CodesetId": 3, "ProviderSpecialtyCS": {"CodesetId": 2},
                      "StopReason": {"Text": "due to", "Op": "contains"}}},
                     "StartWindow": {"Start": {"Days": 0, "Coeff": 1}, "End": {"Days": 7, "Coeff": 1},
                       "UseIndexEnd": true},
                     "RestrictVisit": true,
                     "Occurrence": {"Type": 2, "Count": 2, "IsDistinct": true, "CountColumn": "START_DATE"}}
                    """
                ])
        ],
        endStrategy: "{\"DateOffset\": {\"DateField\": \"EndDate\", \"Offset\": 30}}")

    static func render(_ compiled: CompiledCohort) -> String {
        func render(_ statement: SQLStatement) -> String {
            let arguments = statement.arguments.map { value -> String in
                switch value {
                case .null: return "NULL"
                case .integer(let number): return String(number)
                case .real(let number): return String(number)
                case .text(let text): return "'\(text)'"
                }
            }
            return "\(statement.sql);\n-- arguments: [\(arguments.joined(separator: ", "))]\n"
        }
        var parts = ["-- statements"] + compiled.statements.map(render)
        parts += ["-- inclusion mask query", render(compiled.inclusionMaskQuery), "-- cleanup"]
        parts += compiled.cleanup.map(render)
        return parts.joined(separator: "\n")
    }

    /// Compiles `json` and compares its SQL with `Golden/<name>-<dialect>.sql`; none of
    /// `literals` (values of the definition) may be spliced into the SQL text.
    static func checkGolden(_ json: String, name: String, dialect: SQLDialect, literals: [String]) throws {
        let compiled = try CohortCompiler.compile(
            J.parse(json), cohortDefinitionID: 7, dialect: dialect, tableTag: "golden")
        let text = Self.render(compiled)
        let file = Self.golden.appendingPathComponent("\(name)-\(dialect.rawValue).sql")
        if ProcessInfo.processInfo.environment["PMAP_UPDATE_GOLDEN"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected)
        for literal in literals {
            #expect(!compiled.statements.contains { $0.sql.contains(literal) }, "\(literal)")
        }
        #expect(compiled.temporaryTables.allSatisfy { $0.hasPrefix("pmap_cohort_7_golden_") })
    }

    @Test(arguments: SQLDialect.allCases)
    func compiledSQLMatchesGolden(dialect: SQLDialect) throws {
        try Self.checkGolden(
            Self.definition, name: "cohort", dialect: dialect,
            literals: ["1118084", "192671", "2000-01-01", "365"])
    }

    @Test(arguments: SQLDialect.allCases)
    func circeElementsSQLMatchesGolden(dialect: SQLDialect) throws {
        try Self.checkGolden(
            Self.circeDefinition, name: "cohort-circe", dialect: dialect,
            literals: ["4000", "9201", "38004451", "1118084", "(01)", "due to"])
    }

    @Test func generationsUseDistinctTables() throws {
        let definition = try J.parse(Self.definition)
        let first = try CohortCompiler.compile(definition, cohortDefinitionID: 7, dialect: .sqlite)
        let second = try CohortCompiler.compile(definition, cohortDefinitionID: 7, dialect: .sqlite)
        #expect(Set(first.temporaryTables).isDisjoint(with: second.temporaryTables))
        #expect(first.temporaryTables.allSatisfy { $0.hasPrefix("pmap_cohort_7_") })
        #expect(first.inclusionRuleNames == ["rule 0"])
        #expect(throws: CohortDefinitionError.self) {
            try CohortCompiler.compile(
                definition, cohortDefinitionID: 7, dialect: .sqlite, tableTag: "x; DROP")
        }
    }
}
