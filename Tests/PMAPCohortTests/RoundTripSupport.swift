import Foundation
import PMAPCohort
import PMAPModel
import Testing

/// Circe JSON reduced to what a definition means, so an original definition and the writer's
/// version of it compare equal exactly when no element was lost or changed.
///
/// Normalising drops: concept metadata (`CONCEPT_NAME`, ...), descriptions and
/// `cdmVersionRange`; null values and empty arrays; `false` flags (except `UseEventEnd`, whose
/// absence means something else); Circe's defaults (`PriorDays: 0`, `Type: "First"`,
/// `CollapseType: "ERA"`, ...); an `Extent` outside `bt`/`!bt`; the `Count` of `ALL`/`ANY`
/// groups. It rewrites `neq` as `!eq` and compares numbers as doubles. Objects are kept even
/// when empty: an empty `GenderCS` or `AdditionalCriteria` means something.
indirect enum NormalJSON: Equatable, Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([NormalJSON])
    case object([String: NormalJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .string(text)
        } else if let items = try? container.decode([NormalJSON].self) {
            self = .array(items)
        } else {
            self = .object(try container.decode([String: NormalJSON].self))
        }
    }

    static func parse(_ data: Data) throws -> NormalJSON {
        try JSONDecoder().decode(NormalJSON.self, from: data).normalised
    }

    static let ignoredKeys: Set<String> = [
        "CONCEPT_NAME", "CONCEPT_CODE", "DOMAIN_ID", "VOCABULARY_ID", "CONCEPT_CLASS_ID", "STANDARD_CONCEPT",
        "STANDARD_CONCEPT_CAPTION", "INVALID_REASON", "INVALID_REASON_CAPTION", "VALID_START_DATE",
        "VALID_END_DATE", "cdmVersionRange", "description", "Description", "title",
    ]

    /// Key and value pairs that say what Circe assumes when the key is absent.
    static let defaults: [(String, NormalJSON)] = [
        ("PriorDays", .number(0)), ("PostDays", .number(0)), ("EraPad", .number(0)),
        ("CollapseType", .string("ERA")), ("Offset", .number(0)), ("StartOffset", .number(0)),
        ("EndOffset", .number(0)), ("GapDays", .number(0)), ("StartWith", .string("START_DATE")),
        ("EndWith", .string("END_DATE")), ("DateField", .string("StartDate")),
        ("CountColumn", .string("DOMAIN_CONCEPT")), ("Type", .string("First")), ("Type", .string("ALL")),
    ]

    var normalised: NormalJSON {
        switch self {
        case .array(let items): return .array(items.map(\.normalised))
        case .object(let fields):
            var result: [String: NormalJSON] = [:]
            for (key, value) in fields where !Self.ignoredKeys.contains(key) {
                switch value {
                case .null: continue
                case .array(let items) where items.isEmpty: continue
                case .bool(false) where key != "UseEventEnd": continue
                default: break
                }
                if Self.defaults.contains(where: { $0.0 == key && $0.1 == value }) { continue }
                result[key] = value.normalised
            }
            if case .string(let op) = result["Op"] {
                if op == "neq" { result["Op"] = .string("!eq") }
                if result["Value"] != nil, op != "bt", op != "!bt" { result["Extent"] = nil }
            }
            // A criteria group: only AT_LEAST and AT_MOST read Count.
            if ["CriteriaList", "DemographicCriteriaList", "Groups"].contains(where: { fields[$0] != nil }) {
                var type = "ALL"
                if case .string(let text) = fields["Type"] { type = text.uppercased() }
                if type == "ALL" || type == "ANY" { result["Count"] = nil }
            }
            return .object(result)
        default: return self
        }
    }

    var description: String {
        switch self {
        case .null: return "null"
        case .bool(let flag): return "\(flag)"
        case .number(let number): return "\(number)"
        case .string(let text): return "\"\(text)\""
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let fields):
            return "{" + fields.keys.sorted().map { "\($0): \(fields[$0]!)" }.joined(separator: ", ") + "}"
        }
    }
}

/// Round trips of a definition through ``CohortDefinition/circeJSON()``.
enum RoundTrip {
    /// The SQL a definition compiles to, with a fixed table tag so two compiles compare.
    static func sql(_ definition: CohortDefinition) throws -> [SQLStatement] {
        let compiled = try CohortCompiler.compile(
            definition, cohortDefinitionID: 1, dialect: .sqlite, tableTag: "roundtrip")
        return compiled.statements + [compiled.inclusionMaskQuery] + compiled.cleanup
    }

    /// Checks that `json` survives parse → write → parse: writing again gives the same bytes,
    /// the written JSON means what the original means, and both compile to the same SQL.
    static func check(_ json: Data, _ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation)
        throws
    {
        let original = try CohortDefinition.parse(json)
        let written = try original.circeJSON()
        let reparsed = try CohortDefinition.parse(written)
        let rewritten = try reparsed.circeJSON()
        #expect(
            rewritten == written, "\(name): writing the re-parsed definition changed the JSON",
            sourceLocation: sourceLocation)
        let before = try NormalJSON.parse(json)
        let after = try NormalJSON.parse(written)
        #expect(
            before == after,
            "\(name): the written JSON differs from the original\n original: \(before)\n  written: \(after)",
            sourceLocation: sourceLocation)
        #expect(
            try sql(reparsed) == sql(original), "\(name): the SQL changed", sourceLocation: sourceLocation)
    }

    static func check(
        _ json: String, _ name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
    )
        throws
    {
        try check(Data(json.utf8), name, sourceLocation: sourceLocation)
    }
}
