import Foundation
import PMAPCohort
import PMAPModel
import Testing

/// PMAP's genomic criterion (`PMAP_GenomicVariant`, an extension marked as such): variants by
/// gene, HGVS, clinical significance and allele fraction, in the same temporal windows as any
/// other criterion. Each test keeps some rows and drops others, so an ignored filter fails it.
struct GenomicCriterionTests {
    typealias J = DefinitionJSON
    static let prostateCancer: Int64 = 4_163_261

    /// Persons 1–5 (male, born 1950) observed 2015–2022, each diagnosed on 2020-06-01; their
    /// variants (gene, significance, HGVS c., allele fraction, date):
    /// 1 BRCA2 pathogenic 0.48 on 2020-05-01 (before diagnosis), 2 BRCA2 benign 0.51,
    /// 3 ATM likely pathogenic 0.12, 4 BRCA2 pathogenic 0.45 on 2021-01-01 (after), 5 none.
    static func store() async throws -> TestStore {
        let store = try TestStore()
        try await store.persons((1...5).map { ($0, 8507, 1950) })
        try await store.periods((1...5).map { ($0, "2015-01-01", "2022-12-31") })
        try await store.conditions((1...5).map { ($0, prostateCancer, "2020-06-01", nil) })
        let variants: [(Int64, String, String, String, Double, String)] = [
            (1, "BRCA2", "Pathogenic", "c.5946delT", 0.48, "2020-05-01"),
            (2, "BRCA2", "Benign", "c.7397T>C", 0.51, "2020-05-01"),
            (3, "ATM", "Likely_pathogenic", "c.7271T>G", 0.12, "2020-05-01"),
            (4, "BRCA2", "Pathogenic", "c.5946delT", 0.45, "2021-01-01"),
        ]
        try await store.insert(
            "pmap_genomic_variant",
            [
                "person_id", "variant_date", "genome_build", "chromosome", "position", "reference_allele",
                "alternate_allele", "gene_symbol", "clinical_significance", "hgvs_c", "allele_fraction",
                "zygosity", "sample_origin",
            ],
            variants.map {
                [
                    .integer($0.0), .text($0.5), "GRCh38", "chr13", 32_340_300, "A", "T", .text($0.1),
                    .text($0.2),
                    .text($0.3), .real($0.4), "heterozygous", "germline",
                ]
            })
        return store
    }

    static let diagnosisSet = J.conceptSet(0, concepts: [prostateCancer])
    static let diagnosis = "{\"ConditionOccurrence\": {\"CodesetId\": 0}}"

    /// Prostate cancer diagnoses with a variant matching `attributes` any time before to
    /// `after` days after the diagnosis.
    static func withVariant(_ attributes: String, after: Int = 0) throws -> CohortDefinition {
        let variant = "{\"PMAP_GenomicVariant\": {\(attributes)}}"
        return try J.parse(
            J.definition(
                conceptSets: [diagnosisSet], primary: [diagnosis],
                rules: [J.group("ALL", criteria: [J.correlated(variant, before: nil, after: after)])]))
    }

    static func subjects(_ definition: CohortDefinition) async throws -> [Int64] {
        try await store().run(definition).rows.map(\.subject)
    }

    @Test func byGeneAndClinicalSignificanceBeforeTheIndex() async throws {
        let pathogenicBRCA = try Self.withVariant(
            "\"Gene\": [\"brca2\"], \"ClinicalSignificance\": [\"Pathogenic\", \"Likely_pathogenic\"]")
        #expect(try await Self.subjects(pathogenicBRCA) == [1])
        // The same window reaching a year after the diagnosis also finds person 4's later test.
        let later = try Self.withVariant(
            "\"Gene\": [\"BRCA2\"], \"ClinicalSignificance\": [\"Pathogenic\"]", after: 365)
        #expect(try await Self.subjects(later) == [1, 4])
        let homologousRepair = try Self.withVariant(
            "\"Gene\": [\"BRCA2\", \"ATM\"], \"ClinicalSignificance\": [\"Pathogenic\", \"Likely_pathogenic\"]"
        )
        #expect(try await Self.subjects(homologousRepair) == [1, 3])
    }

    @Test func byHGVSAndAlleleFraction() async throws {
        let hgvs = try Self.withVariant("\"HgvsC\": {\"Text\": \"c.5946delT\", \"Op\": \"eq\"}", after: 365)
        #expect(try await Self.subjects(hgvs) == [1, 4])
        let clonal = try Self.withVariant("\"AlleleFraction\": {\"Value\": 0.3, \"Op\": \"gte\"}")
        #expect(try await Self.subjects(clonal) == [1, 2])
        let subclonal = try Self.withVariant("\"AlleleFraction\": {\"Value\": 0.3, \"Op\": \"lt\"}")
        #expect(try await Self.subjects(subclonal) == [3])
    }

    @Test func aVariantCanBeThePrimaryEvent() async throws {
        let definition = try J.parse(
            J.definition(
                conceptSets: [Self.diagnosisSet],
                primary: ["{\"PMAP_GenomicVariant\": {\"Gene\": [\"BRCA2\"], \"First\": true}}"]))
        let rows = try await Self.store().run(definition).rows
        #expect(rows.map(\.subject) == [1, 2, 4])
        #expect(rows.first?.start == "2020-05-01")
        #expect(definition.tablesRead.contains("pmap_genomic_variant"))
        #expect(
            CriterionDomain.genomicVariant.isPMAPExtension && !CriterionDomain.measurement.isPMAPExtension)
    }

    @Test func badGenomicAttributesAreRefusedByPath() throws {
        #expect(throws: CohortDefinitionError.self) { try Self.withVariant("\"Gene\": [\"\"]") }
        #expect(throws: CohortDefinitionError.self) { try Self.withVariant("\"Gene\": \"BRCA2\"") }
        #expect(throws: CohortDefinitionError.self) { try Self.withVariant("\"CodesetId\": 0") }
        #expect(throws: CohortDefinitionError.self) { try Self.withVariant("\"Exon\": 11") }
    }

    @Test func compilesForPostgreSQLToo() throws {
        let definition = try Self.withVariant(
            "\"Gene\": [\"BRCA2\"], \"AlleleFraction\": {\"Value\": 0.3, \"Op\": \"gte\"}")
        let compiled = try CohortCompiler.compile(definition, cohortDefinitionID: 1, dialect: .postgresql)
        let sql = compiled.statements.map(\.sql).joined(separator: "\n")
        #expect(sql.contains("LOWER(C.gene_symbol) IN (?)") && sql.contains("pmap_genomic_variant"))
    }
}

extension GenomicCriterionTests {
    /// A genomic criterion selects by gene, not by concept set: the checker does not ask for one.
    @Test func theCheckerDoesNotAskAGenomicCriterionForAConceptSet() throws {
        let definition = try Self.withVariant("\"Gene\": [\"BRCA2\"]")
        #expect(
            !definition.checks().contains { $0.path.contains("PMAP_GenomicVariant") && $0.severity != .info })
    }
}

extension GenomicCriterionTests {
    /// Genomic criteria survive parse → write → parse (the writer keeps PMAP's extension).
    @Test func genomicCriteriaRoundTrip() throws {
        let variant =
            "{\"PMAP_GenomicVariant\": {\"Gene\": [\"BRCA2\", \"ATM\"], \"ClinicalSignificance\": [\"Pathogenic\"], "
            + "\"Zygosity\": [\"heterozygous\"], \"SampleOrigin\": [\"germline\"], \"GenomeBuild\": [\"GRCh38\"], "
            + "\"HgvsP\": {\"Text\": \"p.Asn1982\", \"Op\": \"startsWith\"}, "
            + "\"AlleleFraction\": {\"Value\": 0.2, \"Op\": \"gte\"}, \"ReadDepth\": {\"Value\": 30, \"Op\": \"gt\"}, "
            + "\"OccurrenceStartDate\": {\"Value\": \"2015-01-01\", \"Op\": \"gt\"}, \"First\": true}}"
        let json = J.definition(
            conceptSets: [Self.diagnosisSet], primary: [Self.diagnosis],
            rules: [J.group("ALL", criteria: [J.correlated(variant, before: nil, after: 0)])])
        try RoundTrip.check(json, "genomic")
    }
}
