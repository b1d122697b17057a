import Foundation
import PMAPGovernance
import PMAPIngest
import PMAPModel
import PMAPStore

/// How VCF sample names find their persons.
struct SampleLinking: Sendable {
    /// Sample names are MRNs in this identifier system.
    var mrnSystem: String?
    /// Sample name → identifier (system, value), from a sample map file.
    var map: [String: (system: String, value: String)] = [:]

    func identifier(of sample: String) -> (system: String, value: String)? {
        if let mapped = map[sample] { return mapped }
        return mrnSystem.map { ($0, sample) }
    }

    /// The linking an ingest request asks for; the sample map is a CSV file with the header
    /// `sample_id,identifier_system,identifier_value`.
    static func load(mrnSystem: String?, mapPath: String?) throws -> SampleLinking {
        var linking = SampleLinking(mrnSystem: mrnSystem)
        guard let mapPath else { return linking }
        let reader = try TextFileReader(path: mapPath)
        let expected = ["sample_id", "identifier_system", "identifier_value"]
        guard let header = try reader.nextText(), CSVRecordParser.fields(of: String(header)) == expected
        else {
            throw PMAPError(
                .badInput, "the sample map must start with the header \(expected.joined(separator: ","))",
                at: SourceLocation(file: mapPath, line: 1))
        }
        while let line = try reader.nextText() {
            if line.isEmpty { continue }
            let fields = CSVRecordParser.fields(of: String(line))
            guard fields.count == 3, !fields[0].isEmpty, !fields[1].isEmpty, !fields[2].isEmpty else {
                throw PMAPError(
                    .badInput, "each sample map line needs sample_id, identifier_system and identifier_value",
                    at: SourceLocation(file: mapPath, line: reader.lineNumber))
            }
            linking.map[fields[0]] = (fields[1], fields[2])
        }
        return linking
    }
}

extension RecordWriter {
    /// HL7 ADT^A40: the survivor is written (or updated), then the prior person's records move to it.
    func writeMerge(_ fact: MergeFact, file: String, location: String, _ writer: any StoreWriter) throws {
        let survivor = try writePerson(fact.survivor, file: file, location: location, writer)
        var prior: Int64?
        for identifier in fact.priorIdentifiers {
            if let found = try person(identifierSystem: identifier.system, value: identifier.value, writer) {
                prior = found
                break
            }
        }
        guard let prior else {
            throw RecordProblem(
                .danglingReference,
                "MRG-1 names a patient PMAP has not loaded; retry after loading that patient")
        }
        guard prior != survivor else { return }  // already one person
        try flushPending(writer)  // queued rows of the prior person must be in place before they move
        _ = try writer.mergePersons(
            prior: prior, into: survivor, sourceName: sourceName, recordKey: fact.sourceKey)
        forgetPersons()
        rowsByTable["pmap_person_merge", default: 0] += 1
    }

    static let variantColumns = [
        "genomic_variant_id", "person_id", "variant_date", "genome_build", "chromosome", "position",
        "reference_allele", "alternate_allele", "gene_symbol", "hgvs_c", "hgvs_p", "zygosity",
        "allele_fraction",
        "read_depth", "clinical_significance", "sample_origin", "data_load_id",
    ]

    /// One VCF line's variants: loaded only when every carrying sample is linked to a person.
    func writeVariants(
        _ facts: [VariantFact], linking: SampleLinking, sampleColumns: [String: Int], dates: [String: String],
        record: String, file: String, location: String, _ writer: any StoreWriter
    ) throws {
        var persons: [String: Int64] = [:]
        var unlinked: [String] = []
        for sample in Set(facts.map(\.sampleID)).sorted() {
            if let identifier = linking.identifier(of: sample),
                let person = try person(identifierSystem: identifier.system, value: identifier.value, writer)
            {
                persons[sample] = person
            } else {
                unlinked.append(sample)
            }
        }
        guard unlinked.isEmpty else {
            // Sample names are MRNs: name their columns, not their values.
            let columns = unlinked.compactMap { sampleColumns[$0] }.sorted().map(String.init)
            throw RecordProblem(
                .danglingReference,
                "\(unlinked.count) sample(s) not linked to a person (sample columns \(columns.prefix(20).joined(separator: ", "))); add them with --sample-map or check --mrn-system, then pmap quarantine retry"
            )
        }
        for fact in facts {
            let person = persons[fact.sampleID]!
            queue(
                "pmap_genomic_variant", Self.variantColumns,
                [
                    .integer(try nextID("pmap_genomic_variant", "genomic_variant_id", writer)),
                    .integer(person),
                    dates[fact.sampleID].map(SQLValue.text) ?? .null, .text(fact.genomeBuild),
                    .text(fact.chromosome),
                    .integer(fact.position), .text(fact.reference), .text(fact.alternate),
                    fact.geneSymbol.map { .text(String($0.prefix(50))) } ?? .null,
                    fact.hgvsC.map(SQLValue.text) ?? .null, fact.hgvsP.map(SQLValue.text) ?? .null,
                    .text(fact.zygosity), fact.alleleFraction.map(SQLValue.real) ?? .null,
                    fact.readDepth.map { .integer(Int64($0)) } ?? .null,
                    fact.clinicalSignificance.map { .text(String($0.prefix(50))) } ?? .null,
                    .text(fact.alleleFraction == nil ? "germline" : "somatic"), .integer(dataLoadID),
                ], record: record)
            touch(person)
        }
    }

    /// The persons a mapped CSV row belongs to.
    func persons(of row: BoundCSVMapping.Row, _ writer: any StoreWriter) throws -> [Int64] {
        switch row.person {
        case .identifier(let system, let value):
            guard let person = try person(identifierSystem: system, value: value, writer) else {
                throw RecordProblem(
                    .danglingReference,
                    "no person holds this identifier yet; load the patients first, then pmap quarantine retry"
                )
            }
            return [person]
        case .residenceZIP3(let zip3):
            return try writer.personsLiving(inZIP3: zip3, underObservationOn: row.values[0].date)
        }
    }

    /// One mapped CSV row's CDM rows, for every person it belongs to.
    func writeMappedRow(
        _ row: BoundCSVMapping.Row, persons: [Int64], record: String, file: String, location: String,
        _ writer: any StoreWriter
    ) throws {
        for person in persons {
            for value in row.values {
                let number = value.number.map(SQLValue.real) ?? .null
                let unit = value.unitSourceValue.map { SQLValue.text(String($0.prefix(50))) } ?? .null
                let unitConcept = SQLValue.integer(value.unitConceptID ?? 0)
                switch value.table {
                case "measurement":
                    queue(
                        "measurement",
                        [
                            "measurement_id", "person_id", "measurement_concept_id", "measurement_date",
                            "measurement_type_concept_id", "value_as_number", "unit_concept_id",
                            "unit_source_value",
                        ],
                        [
                            .integer(try nextID("measurement", "measurement_id", writer)), .integer(person),
                            .integer(value.conceptID), .text(value.date), .integer(value.typeConceptID),
                            number,
                            unitConcept, unit,
                        ], record: record)
                case "device_exposure":
                    queue(
                        "device_exposure",
                        [
                            "device_exposure_id", "person_id", "device_concept_id",
                            "device_exposure_start_date",
                            "device_type_concept_id", "quantity",
                        ],
                        [
                            .integer(try nextID("device_exposure", "device_exposure_id", writer)),
                            .integer(person),
                            .integer(value.conceptID), .text(value.date), .integer(value.typeConceptID),
                            value.number.map { .integer(Int64($0)) } ?? .null,
                        ], record: record)
                default:
                    queue(
                        "observation",
                        [
                            "observation_id", "person_id", "observation_concept_id", "observation_date",
                            "observation_type_concept_id", "value_as_number", "value_as_string",
                            "unit_concept_id",
                            "unit_source_value",
                        ],
                        [
                            .integer(try nextID("observation", "observation_id", writer)), .integer(person),
                            .integer(value.conceptID), .text(value.date), .integer(value.typeConceptID),
                            number,
                            value.text.map(SQLValue.text) ?? .null, unitConcept, unit,
                        ], record: record)
                }
            }
            if case .identifier = row.person { touch(person) }  // ZIP3 rows lie inside observation periods
        }
    }
}
