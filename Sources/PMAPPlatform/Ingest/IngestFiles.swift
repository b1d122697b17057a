import Foundation
import PMAPIngest
import PMAPModel

/// Finding input files and telling their format.
enum IngestFiles {
    struct Input {
        let path: String
        let format: IngestFormat
        /// For FHIR files: the resource type of the first record (ordering); for OMOP CSV: the
        /// table; for mapped CSV: the mapping file.
        let kind: String
    }

    /// Every file under `paths` (folders recursively, sorted), with its format, or the reason it is skipped.
    static func discover(_ paths: [String], format: IngestFormat, mappingPath: String? = nil) throws -> (
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
        let mappings = Set(files.compactMap { mapping(besides: $0) })
        for file in files {
            if mappings.contains(file) {
                let csv = (file as NSString).lastPathComponent.components(separatedBy: ".mapping.")[0]
                skipped.append(IngestReport.SkippedFile(path: file, reason: "mapping file of \(csv).csv"))
                continue
            }
            switch detect(file, requested: format, mappingPath: mappingPath) {
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

    /// The mapping file beside a CSV file (`NAME.mapping.yaml`, `.yml` or `.json`), if any.
    static func mapping(besides path: String) -> String? {
        let lower = path.lowercased()
        guard lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz") || lower.hasSuffix(".tsv") else {
            return nil
        }
        let stem = path.hasSuffix(".gz") ? String(path.dropLast(3)) : path
        let base = (stem as NSString).deletingPathExtension
        for ext in ["yaml", "yml", "json"]
        where FileManager.default.fileExists(atPath: "\(base).mapping.\(ext)") {
            return "\(base).mapping.\(ext)"
        }
        return nil
    }

    static func detect(_ path: String, requested: IngestFormat, mappingPath: String? = nil) -> Result<
        Input, Reason
    > {
        let lower = path.lowercased()
        let namedVCF = lower.hasSuffix(".vcf") || lower.hasSuffix(".vcf.gz") || lower.hasSuffix(".vcf.bgz")
        let prefix = TextFileReader.prefix(of: path)
        if requested == .vcf || (requested == .auto && namedVCF) {
            // An empty or headerless VCF is refused by the VCF reader with the rule it breaks.
            return .success(Input(path: path, format: .vcf, kind: "vcf"))
        }
        guard !prefix.isEmpty else { return .failure(Reason(text: "empty or unreadable file")) }
        let text = String(decoding: prefix, as: UTF8.self)
        let trimmed = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" || $0 == "\u{0B}" }
        let namedHL7 = lower.hasSuffix(".hl7") || lower.hasSuffix(".hl7.gz")
        if requested == .hl7v2
            || (requested == .auto
                && (namedHL7 || ["MSH", "FHS", "BHS"].contains(String(trimmed.prefix(3)))))
        {
            return .success(Input(path: path, format: .hl7v2, kind: "hl7v2"))
        }
        if requested == .auto && trimmed.hasPrefix("##fileformat=VCF") {
            return .success(Input(path: path, format: .vcf, kind: "vcf"))
        }
        let givenMappingApplies =
            mappingPath != nil && (lower.hasSuffix(".csv") || lower.hasSuffix(".csv.gz"))
            && CDMSchema.table(named: baseName(path)) == nil
        if requested == .csv || (requested == .auto && (mapping(besides: path) != nil || givenMappingApplies))
        {
            guard let mapping = mappingPath ?? mapping(besides: path) else {
                return .failure(
                    Reason(
                        text: "CSV without a mapping: give --mapping FILE or put NAME.mapping.yaml beside it")
                )
            }
            return .success(Input(path: path, format: .csv, kind: mapping))
        }
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
        default:
            return .failure(
                Reason(
                    text:
                        "unknown format (not FHIR JSON, HL7 v2, VCF, an OMOP CDM table CSV, or a CSV with a mapping file beside it)"
                ))
        }
    }

    private static func firstResourceType(_ text: String) -> String? {
        guard let range = text.range(of: "\"resourceType\"") else { return nil }
        let rest = text[range.upperBound...].drop { $0 == " " || $0 == ":" || $0 == "\t" }
        guard rest.first == "\"" else { return nil }
        return String(rest.dropFirst().prefix { $0 != "\"" })
    }

    /// FHIR files in load order (patients before what refers to them), HL7 v2, OMOP CSV files
    /// with vocabulary tables first, VCF, then mapped CSV.
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
            // Sources that define persons come before those that only refer to them.
            func rank(_ input: Input) -> (Int, Int) {
                switch input.format {
                case .fhir: return (0, input.kind == "Bundle" ? -1 : fhirRank[input.kind] ?? 99)
                case .hl7v2: return (1, 0)
                case .omopCSV: return (2, cdmRank[input.kind] ?? 99)
                case .vcf: return (3, 0)
                default: return (4, 0)
                }
            }
            let (ra, rb) = (rank(a.element), rank(b.element))
            return ra != rb ? ra < rb : a.offset < b.offset
        }.map(\.element)
    }
}
