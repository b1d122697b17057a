import Foundation
import PMAPStore
import PMAPVocabulary

extension Platform {
    /// Loads an OHDSI Athena vocabulary download from `folder`, replacing the store's
    /// vocabulary but keeping local concepts (ids above 2,000,000,000) and their links.
    ///
    /// Every required file must be present with the expected header before anything is
    /// written; the whole load is one transaction, so a malformed line (reported with its file
    /// and line) leaves the store as it was.
    @discardableResult
    public func loadAthenaVocabulary(_ context: AccessContext, folder: String, batchSize: Int = 5_000)
        async throws
        -> VocabularyLoadSummary
    {
        try await require(context, .ingest, auditAction: "vocabulary.load", target: "athena folder")
        let plan = try Self.athenaPlan(folder: folder)
        let entries = try await store.write { writer in
            try writer.clearVocabulary(keepingLocalConcepts: true)
            var entries: [VocabularyLoadSummary.Entry] = []
            for (file, path) in plan {
                let reader = try TextFileReader(path: path)
                guard let header = try reader.nextText() else { continue }
                let decoder = try Self.decoder(file, header: header, path: path)
                var batch = TableRows(table: file.table.name, columns: decoder.columns.map(\.name))
                batch.rows.reserveCapacity(batchSize)
                var total = 0
                while let line = try reader.nextText() {
                    if line.isEmpty { continue }
                    do {
                        batch.rows.append(try decoder.decode(line, lineNumber: reader.lineNumber))
                    } catch let error as PMAPError {
                        throw PMAPError(
                            error.kind, error.message,
                            at: error.location.map {
                                SourceLocation(file: path, line: $0.line, field: $0.field)
                            })
                    }
                    if batch.rows.count == batchSize {
                        try writer.insert(batch, onConflict: .replace)
                        total += batch.rows.count
                        batch.rows.removeAll(keepingCapacity: true)
                    }
                }
                try writer.insert(batch, onConflict: .replace)
                total += batch.rows.count
                entries.append(.init(table: file.table.name, rows: total))
            }
            try writer.vocabularyDidChange()
            return entries
        }
        return VocabularyLoadSummary(entries: entries)
    }

    /// The files to load with their paths, after checking the folder, that every required
    /// file is there, and that every header has the columns the CDM table needs.
    static func athenaPlan(folder: String) throws -> [(AthenaVocabulary.File, String)] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw PMAPError(
                .badInput,
                "\(folder) is not a folder; give the folder of an unzipped Athena vocabulary download")
        }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let byUpperName = Dictionary(
            entries.map { ($0.uppercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var plan: [(AthenaVocabulary.File, String)] = []
        var missing: [String] = []
        for file in AthenaVocabulary.files {
            guard let name = byUpperName[file.fileName.uppercased()] else {
                if file.isRequired { missing.append(file.fileName) }
                continue
            }
            plan.append((file, (folder as NSString).appendingPathComponent(name)))
        }
        guard missing.isEmpty else {
            throw PMAPError(
                .badInput,
                "\(folder) lacks \(missing.joined(separator: ", ")); download the vocabularies from athena.ohdsi.org, unzip them and give that folder"
            )
        }
        for (file, path) in plan {
            let reader = try TextFileReader(path: path)
            guard let header = try reader.nextText() else {
                throw PMAPError(
                    .badInput, "the file is empty; Athena files start with a header line",
                    at: SourceLocation(file: path))
            }
            _ = try decoder(file, header: header, path: path)
        }
        return plan
    }

    private static func decoder(_ file: AthenaVocabulary.File, header: Substring, path: String) throws
        -> AthenaVocabulary.LineDecoder
    {
        do {
            return try AthenaVocabulary.LineDecoder(file: file, headerLine: header)
        } catch let error as PMAPError {
            throw PMAPError(error.kind, error.message, at: SourceLocation(file: path, line: 1))
        }
    }
}
