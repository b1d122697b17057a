import Foundation
import PMAPCohort
import PMAPGovernance
import PMAPStore

@_exported import struct PMAPCohort.DefinitionCheck
@_exported import enum PMAPCohort.SQLDialect
@_exported import struct PMAPStore.CohortGeneration
@_exported import struct PMAPStore.StoredCohortDefinition

/// One inclusion rule's line of an attrition report (counts through suppression).
public struct AttritionStep: Sendable {
    public let rule: String
    /// Persons remaining after this rule and every rule before it.
    public let remaining: DisclosedCount
    /// Persons satisfying this rule alone.
    public let own: DisclosedCount
}

/// A generated cohort as a researcher sees it.
public struct CohortResult: Sendable {
    public let id: Int64
    public let name: String
    public let projectID: Int64
    public let entries: DisclosedCount
    public let subjects: DisclosedCount
    public let attrition: [AttritionStep]
    public let generation: CohortGeneration
    /// The definition's design warnings and notes (set when the cohort is created).
    public var notes: [DefinitionCheck] = []
}

/// What `pmap cohort check` finds in a definition (no data read).
public struct CohortCheck: Sendable {
    public let inclusionRules: [String]
    public let tablesRead: [String]
    public let domains: [DataDomain]
    /// The design checks' findings, errors first (see ``CohortDefinition/checks()``).
    public let findings: [DefinitionCheck]

    /// Whether a finding is an error: the definition can never match or is malformed.
    public var hasErrors: Bool { findings.contains { $0.severity == .error } }
}

extension Platform {
    /// The governed domain of each CDM table a definition may read (the others are in
    /// ``ungovernedTables``). Specimens (samples taken for lab analysis) count as measurements.
    static let domainOfTable: [String: DataDomain] = [
        "condition_occurrence": .conditions, "condition_era": .conditions, "drug_exposure": .drugs,
        "drug_era": .drugs, "dose_era": .drugs, "procedure_occurrence": .procedures,
        "measurement": .measurements, "specimen": .measurements,
        "observation": .observations, "device_exposure": .device, "pmap_genomic_variant": .genomics,
    ]

    /// Tables a definition may read that need no domain grant: they describe the person and
    /// their care rather than clinical findings, or are vocabulary.
    static let ungovernedTables: Set<String> = [
        "person", "observation_period", "death", "visit_occurrence", "visit_detail", "provider", "care_site",
        "payer_plan_period", "concept", "concept_ancestor", "concept_relationship",
    ]

    static func parseDefinition(_ json: Data) throws -> CohortDefinition {
        do {
            return try CohortDefinition.parse(json)
        } catch {
            throw PMAPError(.badInput, "the cohort definition is not usable: \(error.description)")
        }
    }

    /// Parses and checks a Circe definition; reads no data and needs no project.
    public static func checkCohortDefinition(_ json: Data) throws -> CohortCheck {
        let definition = try Self.parseDefinition(json)
        let compiled = try compile(definition, id: 0, dialect: .sqlite)
        let tables = definition.tablesRead.sorted()
        return CohortCheck(
            inclusionRules: compiled.inclusionRuleNames, tablesRead: tables,
            domains: Set(tables.compactMap { Self.domainOfTable[$0] }).sorted { $0.rawValue < $1.rawValue },
            findings: definition.checks())
    }

    /// Refuses a definition with error findings, listing them; returns the other findings.
    static func refuseDesignErrors(_ definition: CohortDefinition) throws -> [DefinitionCheck] {
        let findings = definition.checks()
        let errors = findings.filter { $0.severity == .error }
        guard errors.isEmpty else {
            let list = errors.map { "\n  \($0)" }.joined()
            throw PMAPError(
                .badInput,
                "the cohort definition can never match anything or is malformed; correct it as each finding says, then create it again (pmap cohort check DEF lists every finding):\(list)"
            )
        }
        return findings
    }

    /// The SQL a definition compiles to, for review or another database: statements with
    /// their bound arguments, in order (the last but cleanup returns the inclusion masks).
    public static func cohortSQL(_ json: Data, dialect: SQLDialect, cohortID: Int64 = 0) throws -> [(
        sql: String, arguments: [SQLValue]
    )] {
        let compiled = try compile(try Self.parseDefinition(json), id: cohortID, dialect: dialect)
        return (compiled.statements + [compiled.inclusionMaskQuery] + compiled.cleanup).map {
            ($0.sql, $0.arguments)
        }
    }

    /// The formats ``exportCohortDefinition(_:format:)`` writes.
    public enum CohortExportFormat: String, Sendable, CaseIterable {
        /// OHDSI Circe JSON, the form ATLAS imports.
        case atlas
    }

    /// A definition file in another tool's format (ATLAS: Circe JSON, concept sets with only
    /// concept ids); reads no data and needs no project. Parsing the result gives the same
    /// definition.
    public static func exportCohortDefinition(_ json: Data, format: CohortExportFormat = .atlas) throws
        -> Data
    {
        try export(try Self.parseDefinition(json), format: format)
    }

    static func export(_ definition: CohortDefinition, format: CohortExportFormat) throws -> Data {
        switch format {
        case .atlas:
            do {
                return try definition.circeJSON()
            } catch {
                throw PMAPError(
                    .badInput, "the cohort definition cannot be written as Circe JSON: \(error.description)")
            }
        }
    }

    static func compile(_ definition: CohortDefinition, id: Int64, dialect: SQLDialect) throws
        -> CompiledCohort
    {
        do {
            return try CohortCompiler.compile(definition, cohortDefinitionID: id, dialect: dialect)
        } catch {
            throw PMAPError(.badInput, "the cohort definition is not usable: \(error.description)")
        }
    }

    /// The gate's decision for reading a cohort's domains in a project; audited either way.
    func authorizeCohort(
        _ context: AccessContext, project: Int64, domains: Set<DataDomain>, action: String, target: String
    ) async throws -> Authorization {
        // Visits, deaths and demographics have no domain of their own yet: a definition that
        // reads only those would pass any grant, so it is refused.
        if domains.isEmpty && action != "cohort.list" {
            let reason =
                "the definition reads no governed domain (only demographics, visits or deaths); PMAP cannot grant that yet"
            try await audit(
                context, chain: context.chain, project: project, action: action, target: target,
                allowed: false,
                reason: reason)
            throw PMAPError(.permissionDenied, reason)
        }
        return try await authorizeRead(
            context, project: project, policy: try await policyState(project), domains: domains,
            action: action,
            target: target)
    }

    /// Saves a definition for a project and generates it: the cohort's rows, its attrition
    /// and a reproducibility record. Needs a grant covering every domain it reads.
    public func createCohort(
        _ context: AccessContext, project: Int64, definition json: Data, name: String,
        threshold: Int = DisclosureControl.defaultThreshold
    ) async throws -> CohortResult {
        let definition = try Self.parseDefinition(json)
        let notes = try Self.refuseDesignErrors(definition)
        let domains = Set(definition.tablesRead.compactMap { Self.domainOfTable[$0] })
        let name = try Self.validName(name, "cohort")
        let authorization = try await authorizeCohort(
            context, project: project, domains: domains, action: "cohort.create", target: "cohort \(name)")
        let text = String(decoding: json, as: UTF8.self)
        let hash = sha256Hex(json)
        let id = try await store.write { writer in
            try writer.saveCohortDefinition(
                projectID: project, name: name, json: text, hash: hash, createdBy: context.actor.userID)
        }
        var result = try await generate(
            context, definition: definition, id: id, name: name, project: project, hash: hash,
            authorization: authorization, threshold: threshold)
        result.notes = notes
        return result
    }

    private func generate(
        _ context: AccessContext, definition: CohortDefinition, id: Int64, name: String, project: Int64,
        hash: String,
        authorization: Authorization, threshold: Int
    ) async throws -> CohortResult {
        let compiled = try Self.compile(definition, id: id, dialect: .sqlite)
        let run = try await store.generateCohort(compiled, definitionID: id, authorization: authorization)
        let rules = compiled.inclusionRuleNames
        var steps: [(String, Int, Int)] = []
        for (index, rule) in rules.enumerated() {
            let prefix = (1 << (index + 1)) - 1
            let remaining = run.masks.filter { $0.key & prefix == prefix }.values.reduce(0, +)
            let own = run.masks.filter { $0.key & (1 << index) != 0 }.values.reduce(0, +)
            steps.append((rule, remaining, own))
        }
        let before = run.masks.values.reduce(0, +)
        let stepObjects: [[String: Any]] = steps.enumerated().map { index, step in
            [
                "rule": step.0, "remaining": step.1, "own": step.2,
                "before": index == 0 ? before : steps[index - 1].1,
            ]
        }
        let attrition = Self.discloseAttrition(
            before: rules.isEmpty ? nil : before, steps: steps, subjects: run.subjects, threshold: threshold)
        // A cohort's subject count is an exact count like any other: the differencing defence applies.
        try await guardAgainstDifferencing(
            context, project: project, persons: run.subjectIDs, disclosed: attrition.subjects,
            threshold: threshold, target: "cohort \(id) subjects")
        let attritionJSON = String(
            decoding: try JSONSerialization.data(withJSONObject: stepObjects, options: [.sortedKeys]),
            as: UTF8.self)
        let generation = try await store.write { writer in
            try writer.saveCohortGeneration(
                definitionID: id, run: run, attritionJSON: attritionJSON, definitionHash: hash,
                pmapVersion: Platform.version, generatedBy: context.actor.userID)
        }
        try await audit(
            context, chain: context.chain, project: project, action: "cohort.create", target: "cohort \(id)",
            rows: run.entries, allowed: true,
            reason: "grant \(authorization.grantID) covers the domains the definition reads")
        return CohortResult(
            id: id, name: name, projectID: project,
            entries: Self.discloseEntries(run.entries, subjects: attrition.subjects, threshold: threshold),
            subjects: attrition.subjects, attrition: attrition.steps, generation: generation)
    }

    /// The number of cohort entries as shown: hidden with the subject count, which it equals
    /// whenever each person has one entry (showing it would undo the subject count's hiding).
    static func discloseEntries(_ entries: Int, subjects: DisclosedCount, threshold: Int) -> DisclosedCount {
        guard subjects.suppressed else { return DisclosureControl.count(entries, threshold: threshold) }
        return NestedCountsDisclosure.hidden(entries, threshold: threshold)
    }

    /// An attrition table as shown: the persons before the rules, after each rule and in the
    /// final cohort are nested counts, so a rule that removes only a few persons hides the
    /// counts that would reveal them (see ``NestedCountsDisclosure``).
    static func discloseAttrition(
        before: Int?, steps: [(rule: String, remaining: Int, own: Int)], subjects: Int, threshold: Int
    ) -> (subjects: DisclosedCount, steps: [AttritionStep]) {
        let chain = (before.map { [$0] } ?? []) + steps.map(\.remaining) + [subjects]
        let shown = NestedCountsDisclosure.discloseAttrition(
            remaining: chain, own: steps.map(\.own), threshold: threshold)
        let offset = before == nil ? 0 : 1
        return (
            shown.remaining.last!,
            steps.indices.map {
                AttritionStep(
                    rule: steps[$0].rule, remaining: shown.remaining[$0 + offset], own: shown.own[$0])
            }
        )
    }

    /// A project's cohort with its latest generation's counts (persons who opted out since
    /// are left out of the counts at once).
    public func cohort(_ context: AccessContext, project: Int64, id: Int64) async throws -> CohortResult {
        let stored = try await store.write { try $0.cohortDefinition(id: id) }
        guard let stored, stored.projectID == project else {
            throw PMAPError(.notFound, "project \(project) has no cohort \(id); see pmap cohort list")
        }
        let definition = try Self.parseDefinition(Data(stored.json.utf8))
        let domains = Set(definition.tablesRead.compactMap { Self.domainOfTable[$0] })
        let authorization = try await authorizeCohort(
            context, project: project, domains: domains, action: "cohort.count", target: "cohort \(id)")
        guard let generation = try await store.write({ try $0.latestGeneration(definitionID: id) }) else {
            throw PMAPError(.notFound, "cohort \(id) was never generated")
        }
        let population = try await store.cohortPopulation(definitionID: id, authorization: authorization)
        let steps =
            (try? JSONSerialization.jsonObject(with: Data(generation.attritionJSON.utf8)) as? [[String: Any]])
            ?? []
        let attrition = Self.discloseAttrition(
            before: steps.first?["before"] as? Int,
            steps: steps.map {
                ($0["rule"] as? String ?? "", $0["remaining"] as? Int ?? 0, $0["own"] as? Int ?? 0)
            }, subjects: population.subjects.count, threshold: DisclosureControl.defaultThreshold)
        try await guardAgainstDifferencing(
            context, project: project, persons: population.subjects, disclosed: attrition.subjects,
            threshold: DisclosureControl.defaultThreshold, target: "cohort \(id) subjects")
        try await audit(
            context, chain: context.chain, project: project, action: "cohort.count", target: "cohort \(id)",
            rows: 1,
            allowed: true, reason: "grant \(authorization.grantID)")
        return CohortResult(
            id: id, name: stored.name, projectID: project,
            entries: Self.discloseEntries(
                population.entries, subjects: attrition.subjects,
                threshold: DisclosureControl.defaultThreshold),
            subjects: attrition.subjects, attrition: attrition.steps, generation: generation)
    }

    /// A project's stored cohort definition in another tool's format, for members with a grant
    /// covering the domains it reads (audited as `cohort.export`).
    public func exportCohortDefinition(
        _ context: AccessContext, project: Int64, id: Int64, format: CohortExportFormat = .atlas
    ) async throws -> Data {
        let stored = try await store.write { try $0.cohortDefinition(id: id) }
        guard let stored, stored.projectID == project else {
            throw PMAPError(.notFound, "project \(project) has no cohort \(id); see pmap cohort list")
        }
        let definition = try Self.parseDefinition(Data(stored.json.utf8))
        let domains = Set(definition.tablesRead.compactMap { Self.domainOfTable[$0] })
        let authorization = try await authorizeCohort(
            context, project: project, domains: domains, action: "cohort.export", target: "cohort \(id)")
        let exported = try Self.export(definition, format: format)
        try await audit(
            context, chain: context.chain, project: project, action: "cohort.export", target: "cohort \(id)",
            allowed: true, reason: "grant \(authorization.grantID), format \(format.rawValue)")
        return exported
    }

    /// A project's cohort definitions (members of the project with a grant).
    public func cohorts(_ context: AccessContext, project: Int64) async throws -> [StoredCohortDefinition] {
        _ = try await authorizeCohort(
            context, project: project, domains: [], action: "cohort.list", target: "cohorts")
        return try await store.write { try $0.cohortDefinitions(project: project) }
    }
}

extension Platform {
    /// PMAP's version, recorded with every cohort generation.
    public static let version = "0.2.0"
}
