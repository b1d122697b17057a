import Foundation
import PMAPIngest
import PMAPModel

/// Finding input files and telling their format.
enum IngestFiles {
    struct Input {
        let path: String
        let format: IngestFormat
        /// For FHIR files: the resource type of the first record (ordering); for OMOP CSV: the table.
        let kind: String
    }

    /// Every file under `paths` (folders recursively, sorted), with its format, or the reason it is skipped.
    static func discover(_ paths: [String], format: IngestFormat) throws -> (
        inputs: [Input], skipped: [IngestReport.SkippedFile]
    ) {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw PMAPError(.badInput, "\(path) does not exist; give files or folders to ingest")
            }
            if isDirectory.boolValue {
                let enumerator = FileManager.default.enumerator(atPath: path)
                var found: [String] = []
                while let relative = enumerator?.nextObject() as? String {
                    let full = (path as NSString).appendingPathComponent(relative)
                    var folder: ObjCBool = false
                    if FileManager.default.fileExists(atPath: full, isDirectory: &folder), !folder.boolValue,
                        !(relative as NSString).lastPathComponent.hasPrefix(".")
                    {
                        found.append(full)
                    }
                }
                files += found.sorted()
            } else {
                files.append(path)
            }
        }
        var inputs: [Input] = []
        var skipped: [IngestReport.SkippedFile] = []
        for file in files {
            switch detect(file, requested: format) {
            case .success(let input): inputs.append(input)
            case .failure(let reason):
                skipped.append(IngestReport.SkippedFile(path: file, reason: reason.text))
            }
        }
        return (order(inputs), skipped)
    }

    struct Reason: Error {
        let text: String
    }

    static func baseName(_ path: String) -> String {
        var name = (path as NSString).lastPathComponent.lowercased()
        for suffix in [".gz", ".bgz", ".csv", ".ndjson", ".json", ".txt"] where name.hasSuffix(suffix) {
            name = String(name.dropLast(suffix.count))
        }
        return name
    }

    static func detect(_ path: String, requested: IngestFormat) -> Result<Input, Reason> {
        let prefix = TextFileReader.prefix(of: path)
        guard !prefix.isEmpty else { return .failure(Reason(text: "empty or unreadable file")) }
        let text = String(decoding: prefix, as: UTF8.self)
        let trimmed = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        let looksJSON = trimmed.first == "{"
        let table = CDMSchema.table(named: baseName(path))
        if looksJSON && requested != .omopCSV {
            guard let type = Self.firstResourceType(text) else {
                return .failure(Reason(text: "JSON but not FHIR (no resourceType)"))
            }
            return .success(Input(path: path, format: .fhir, kind: type))
        }
        if let table, requested != .fhir, let header = text.split(separator: "\n").first,
            header.contains(",") || header.contains("_")
        {
            return .success(Input(path: path, format: .omopCSV, kind: table.name))
        }
        switch requested {
        case .fhir: return .failure(Reason(text: "not FHIR JSON (it does not start with '{')"))
        case .omopCSV:
            return .failure(
                Reason(text: "not an OMOP CDM table file (its name must be a CDM table, e.g. person.csv)"))
        case .auto:
            if baseName(path).hasSuffix(".mapping") || path.hasSuffix(".yaml") {
                return .failure(Reason(text: "mapping file (mapped CSV ingestion is not built yet)"))
            }
            return .failure(Reason(text: "unknown format (neither FHIR JSON nor an OMOP CDM table CSV)"))
        }
    }

    private static func firstResourceType(_ text: String) -> String? {
        guard let range = text.range(of: "\"resourceType\"") else { return nil }
        let rest = text[range.upperBound...].drop { $0 == " " || $0 == ":" || $0 == "\t" }
        guard rest.first == "\"" else { return nil }
        return String(rest.dropFirst().prefix { $0 != "\"" })
    }

    /// FHIR files in load order (patients before what refers to them), then OMOP CSV files
    /// with vocabulary tables first.
    static func order(_ inputs: [Input]) -> [Input] {
        let fhirRank = Dictionary(
            uniqueKeysWithValues: FHIRMapper.loadOrder.enumerated().map { ($0.element, $0.offset) })
        let vocabulary = [
            "vocabulary", "domain", "concept_class", "relationship", "concept", "concept_relationship",
            "concept_ancestor",
            "concept_synonym", "drug_strength", "source_to_concept_map",
        ]
        let cdmRank = Dictionary(
            uniqueKeysWithValues: (vocabulary + CDMSchema.tableNames.filter { !vocabulary.contains($0) })
                .enumerated().map {
                    ($0.element, $0.offset)
                })
        return inputs.enumerated().sorted { a, b in
            func rank(_ input: Input) -> (Int, Int) {
                input.format == .fhir
                    ? (0, input.kind == "Bundle" ? -1 : fhirRank[input.kind] ?? 99)
                    : (1, cdmRank[input.kind] ?? 99)
            }
            let (ra, rb) = (rank(a.element), rank(b.element))
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }
}
