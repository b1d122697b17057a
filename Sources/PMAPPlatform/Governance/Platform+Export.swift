import Crypto
import Foundation
import PMAPGovernance
import PMAPStore

@_exported import struct PMAPStore.ExtractRecord

/// What an extract wrote.
public struct ExtractReport: Sendable {
    public struct File: Sendable {
        public let name: String
        public let rows: Int
        public let sha256: String
    }
    public let folder: String
    public let grantID: Int64
    public let level: DisclosureLevel
    public let files: [File]
}

extension Platform {
    /// Writes a patient-level extract of the project's grant: its domains, for its population
    /// (consented patients, or a cohort's), at its disclosure level, as CSV files with a
    /// manifest. Patient ids are project pseudonyms; dates, ages and ZIP3s follow the level;
    /// the identified level adds MRNs and names from the vault (each read audited).
    public func export(
        _ context: AccessContext, project: Int64, to folder: String, cohortID: Int64? = nil,
        vault: IdentityVault
    ) async throws -> ExtractReport {
        let policy = try await policyState(project)
        let grants = policy.1
        // The extract uses the project's most identifying grant that applies today.
        let usable = grants.filter { $0.lapse(on: context.today) == nil && $0.level != .aggregate }
            .filter { $0.cohortID == nil || $0.cohortID == cohortID }
        guard let grant = usable.max(by: { $0.level < $1.level }) else {
            let reason =
                "project \(project) has no valid grant above aggregate level; a patient-level extract needs one"
            try await audit(
                context, chain: context.chain, project: project, action: "export", target: folder,
                allowed: false,
                reason: reason)
            throw PMAPError(.permissionDenied, reason)
        }
        let authorization = try await authorizeRead(
            context, project: project, policy: policy, domains: grant.domains, level: grant.level,
            cohortID: cohortID,
            action: "export", target: folder)
        guard !FileManager.default.fileExists(atPath: folder) else {
            throw PMAPError(.badInput, "\(folder) exists already; give a new folder for the extract")
        }
        try FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        let deidentifier = Deidentifier(
            level: grant.level, projectID: project, keys: try await projectKeys(project, vault: vault),
            referenceYear: year)
        var files: [ExtractReport.File] = []
        let tables = ExtractTable.allCases.filter { $0.domain == nil || grant.domains.contains($0.domain!) }
        var identifiedPersons = Set<Int64>()
        var extractedPersons: [Int64] = []
        for table in tables {
            let writer = try ExtractCSVWriter(
                path: (folder as NSString).appendingPathComponent("\(table.rawValue).csv"))
            var header = ["person"]
            if table == .person {
                header +=
                    ["gender_concept_id", "year_of_birth"]
                    + (deidentifier.showsMonthOfBirth ? ["month_of_birth"] : [])
                header += ["race_concept_id", "ethnicity_concept_id", "zip3"]
                if grant.level == .identified { header += ["mrn", "family_name", "given_name"] }
            } else {
                header += table.columns
            }
            try writer.write(header)
            let identified = grant.level == .identified && table == .person
            let collected = IdentityCollector()
            let population = IdentityCollector()
            let rows = try await store.extractRows(table, cohortID: cohortID, authorization: authorization) {
                row in
                var fields = [deidentifier.pseudonym(row.personID)]
                if table == .person {
                    population.add(row.personID, [])
                    fields.append(Self.text(row.values[0]))
                    fields.append(deidentifier.yearOfBirth(row.yearOfBirth) ?? "")
                    if deidentifier.showsMonthOfBirth { fields.append(Self.text(row.values[2])) }
                    fields += [
                        Self.text(row.values[3]), Self.text(row.values[4]), deidentifier.zip3(row.zip) ?? "",
                    ]
                    if identified { collected.add(row.personID, fields) } else { try writer.write(fields) }
                    return
                }
                for (index, column) in table.columns.enumerated() {
                    if column.hasSuffix("_date") {
                        let iso: String? = if case .text(let text) = row.values[index] { text } else { nil }
                        fields.append(
                            deidentifier.date(iso, person: row.personID, yearOfBirth: row.yearOfBirth) ?? "")
                    } else {
                        fields.append(Self.text(row.values[index]))
                    }
                }
                try writer.write(fields)
            }
            if identified {
                for (person, fields) in collected.rows {
                    let sealed = try await store.write { try $0.identity(personID: person) }
                    let identity = try sealed.map { try vault.openIdentity($0) }
                    let mrn = identity?.identifiers.first { $0.type == "MR" }?.value ?? ""
                    try writer.write(
                        fields + [mrn, identity?.familyName ?? "", identity?.givenNames.first ?? ""])
                    identifiedPersons.insert(person)
                }
            }
            files.append(
                ExtractReport.File(name: "\(table.rawValue).csv", rows: rows, sha256: try writer.finish()))
            if table == .person { extractedPersons = population.rows.map(\.0) }
        }
        // Which patients the extract held, so a steward sees later which extracts held a
        // patient who has withdrawn consent since (`pmap export list`).
        let held = extractedPersons
        let target = "export:\((folder as NSString).lastPathComponent) at \(grant.level.rawValue)"
        _ = try await store.write { writer in
            try writer.recordDisclosure(project: project, target: target, persons: held)
        }
        let load = try await store.write { writer in
            try writer.maxID(table: "pmap_data_load", column: "data_load_id")
        }
        let manifest: [String: Any] = [
            "project": project, "grant": grant.id, "level": grant.level.rawValue,
            "domains": grant.domains.map(\.rawValue).sorted(), "cohort": cohortID ?? NSNull(),
            "last_data_load_id": load, "created_by": context.actor.userID, "pmap_version": Platform.version,
            "created_at": Self.auditTime(),
            "files": files.map { ["name": $0.name, "rows": $0.rows, "sha256": $0.sha256] },
            "patient_ids": "project pseudonyms (keyed HMAC per project)",
            "dates":
                grant.level == .safeHarbor
                ? "year only; none for patients over 89"
                : grant.level == .dateShifted ? "shifted per patient by up to ±182 days" : "as recorded",
        ]
        let data = try JSONSerialization.data(
            withJSONObject: manifest, options: [.prettyPrinted, .sortedKeys])
        FileManager.default.createFile(
            atPath: (folder as NSString).appendingPathComponent("manifest.json"), contents: data,
            attributes: [.posixPermissions: 0o600])
        try await audit(
            context, chain: context.chain, project: project, action: "export",
            target: "\(files.count) files at \(grant.level.rawValue)"
                + (cohortID.map { ", cohort \($0)" } ?? ""),
            rows: files.reduce(0) { $0 + $1.rows }, allowed: true,
            reason: "grant \(grant.id)"
                + (identifiedPersons.isEmpty
                    ? "" : "; identifiers of \(identifiedPersons.count) patients read from the vault"))
        return ExtractReport(folder: folder, grantID: grant.id, level: grant.level, files: files)
    }

    /// A project's extracts and, for each, how many of its patients withdrew consent since:
    /// the steward's view (data stewards and admins).
    public func extracts(_ context: AccessContext, project: Int64) async throws -> [ExtractRecord] {
        try await require(context, .viewAudit, auditAction: "export.list", target: "project \(project)")
        return try await store.write { try $0.extracts(project: project) }
    }

    static func text(_ value: SQLValue) -> String {
        switch value {
        case .null: ""
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case .text(let text): text
        }
    }
}

/// Person rows held back until their identities are read (identified extracts).
private final class IdentityCollector: @unchecked Sendable {
    var rows: [(Int64, [String])] = []
    func add(_ person: Int64, _ fields: [String]) { rows.append((person, fields)) }
}

/// A CSV file written as rows arrive, with its SHA-256.
final class ExtractCSVWriter: @unchecked Sendable {
    private let handle: FileHandle
    private var hasher = SHA256()
    private var buffer = Data()

    init(path: String) throws {
        guard
            FileManager.default.createFile(
                atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        else {
            throw PMAPError(.badInput, "cannot create \(path)")
        }
        handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    }

    func write(_ fields: [String]) throws {
        let line =
            fields.map { field in
                field.contains(",") || field.contains("\"") || field.contains("\n")
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: ",") + "\n"
        buffer.append(contentsOf: line.utf8)
        if buffer.count > 1 << 16 { try flush() }
    }

    private func flush() throws {
        hasher.update(data: buffer)
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Closes the file; its SHA-256 in hex.
    func finish() throws -> String {
        try flush()
        try handle.close()
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
