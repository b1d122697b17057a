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

    @Test(arguments: SQLDialect.allCases)
    func compiledSQLMatchesGolden(dialect: SQLDialect) throws {
        let compiled = try CohortCompiler.compile(
            J.parse(Self.definition), cohortDefinitionID: 7, dialect: dialect, tableTag: "golden")
        let text = Self.render(compiled)
        let file = Self.golden.appendingPathComponent("cohort-\(dialect.rawValue).sql")
        if ProcessInfo.processInfo.environment["PMAP_UPDATE_GOLDEN"] == "1" {
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected)
        // No value of the definition is spliced into the SQL text.
        for literal in ["1118084", "192671", "2000-01-01", "365"] {
            #expect(!compiled.statements.contains { $0.sql.contains(literal) }, "\(literal)")
        }
        #expect(compiled.temporaryTables.allSatisfy { $0.hasPrefix("pmap_cohort_7_golden_") })
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
