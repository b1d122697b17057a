import Foundation
import PMAPPlatform
import PMAPTestSupport
import PMAPVocabulary
import Testing

/// Loading an Athena download: a small one built here, with Athena's conventions
/// (tab-separated, unquoted, dates as YYYYMMDD, upper-case file names).
struct AthenaVocabularyLoadTests {
    /// A tiny Athena folder: a three-level SNOMED chain, an ICD-10-CM code mapping to it.
    static func writeAthenaFolder(
        _ folder: TemporaryFolder, name: String = "athena", overrides: [String: String] = [:]
    ) throws -> String {
        let root = folder.url.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var files: [String: String] = [
            "VOCABULARY.csv": """
            vocabulary_id\tvocabulary_name\tvocabulary_reference\tvocabulary_version\tvocabulary_concept_id
            None\tOMOP Standardized Vocabularies\tOMOP generated\tv5.0 TEST-RELEASE\t44819096
            SNOMED\tSystematic Nomenclature of Medicine\thttp://snomed.org\t2024-03-01\t44819097
            ICD10CM\tICD-10-CM\thttp://cdc.gov\t2024\t44819098

            """,
            "DOMAIN.csv": "domain_id\tdomain_name\tdomain_concept_id\nCondition\tCondition\t19\n",
            "CONCEPT_CLASS.csv":
                "concept_class_id\tconcept_class_name\tconcept_class_concept_id\nClinical Finding\tClinical Finding\t44819012\n3-char billing code\t3-char billing code\t44819226\n",
            "RELATIONSHIP.csv": """
            relationship_id\trelationship_name\tis_hierarchical\tdefines_ancestry\treverse_relationship_id\trelationship_concept_id
            Maps to\tNon-standard to Standard map (OMOP)\t0\t0\tMapped from\t44818977
            Mapped from\tStandard to Non-standard map (OMOP)\t0\t0\tMaps to\t44818976

            """,
            "CONCEPT.csv": """
            concept_id\tconcept_name\tdomain_id\tvocabulary_id\tconcept_class_id\tstandard_concept\tconcept_code\tvalid_start_date\tvalid_end_date\tinvalid_reason
            443392\tMalignant neoplastic disease\tCondition\tSNOMED\tClinical Finding\tS\t363346000\t19700101\t20991231\t
            4163261\tMalignant tumor of prostate\tCondition\tSNOMED\tClinical Finding\tS\t399068003\t19700101\t20991231\t
            4161028\tAdenocarcinoma of prostate\tCondition\tSNOMED\tClinical Finding\tS\t399490008\t19700101\t20991231\t
            35206134\tMalignant neoplasm of prostate\tCondition\tICD10CM\t3-char billing code\t\tC61\t20071001\t20991231\t

            """,
            "CONCEPT_RELATIONSHIP.csv": """
            concept_id_1\tconcept_id_2\trelationship_id\tvalid_start_date\tvalid_end_date\tinvalid_reason
            35206134\t4163261\tMaps to\t20071001\t20991231\t
            4163261\t35206134\tMapped from\t20071001\t20991231\t

            """,
            "CONCEPT_ANCESTOR.csv": """
            ancestor_concept_id\tdescendant_concept_id\tmin_levels_of_separation\tmax_levels_of_separation
            443392\t443392\t0\t0
            443392\t4163261\t1\t1
            443392\t4161028\t2\t2
            4163261\t4161028\t1\t1

            """,
            "CONCEPT_SYNONYM.csv":
                "concept_id\tconcept_synonym_name\tlanguage_concept_id\n4163261\tProstate cancer\t4180186\n",
        ]
        for (name, text) in overrides { files[name] = text }
        for (name, text) in files {
            try text.write(to: root.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return root.path
    }

    @Test func loadsAthenaFolderReplacingVocabularyButKeepingLocalConcepts() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (platform, _) = try await Platform.initialize(storePath: folder.file("pmap.sqlite"))
        let localBefore = try StarterVocabulary.load().concepts.filter { $0.id.isLocal }

        let summary = try await platform.loadAthenaVocabulary(
            try await IngestFixture.admin(of: platform, in: folder),
            folder: try Self.writeAthenaFolder(folder))
        #expect(summary.entries.first { $0.table == "concept" }?.rows == 4)
        #expect(summary.entries.first { $0.table == "concept_ancestor" }?.rows == 4)
        #expect(summary.entries.first { $0.table == "concept_synonym" }?.rows == 1)
        #expect(
            !summary.entries.contains { $0.table == "drug_strength" },
            "an optional file that is absent is skipped")

        let status = try await platform.status(try await IngestFixture.admin(of: platform, in: folder))
        let concepts = status.cdmTables.first { $0.name == "concept" }!.rows
        #expect(concepts == 4 + localBefore.count)

        let malignant = try await platform.conceptDetail(443_392)
        // Local starter concepts keep their place under real ancestors.
        let realDescendants = malignant.descendants.filter { !$0.concept.id.isLocal }
        #expect(realDescendants.map(\.concept.id) == [4_163_261, 4_161_028])
        #expect(realDescendants.last?.minLevels == 2)
        let icd = try await platform.conceptDetail(35_206_134)
        #expect(icd.concept.validStartDate == "2007-10-01")
        #expect(icd.relationships.map(\.relationshipID) == ["Maps to"])
        #expect(try await platform.searchConcepts("C61").first?.id == 35_206_134)
        #expect(try await platform.searchConcepts("adenocarcinoma prost").map(\.id) == [4_161_028])
        for local in localBefore {
            #expect(try await platform.conceptDetail(local.id).concept.name == local.name)
        }
    }

    @Test func missingRequiredFileIsNamedAndStoreUnchanged() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (platform, initial) = try await Platform.initialize(storePath: folder.file("pmap.sqlite"))
        let athena = try Self.writeAthenaFolder(folder)
        try FileManager.default.removeItem(atPath: athena + "/CONCEPT_ANCESTOR.csv")
        await #expect {
            try await platform.loadAthenaVocabulary(
                try await IngestFixture.admin(of: platform, in: folder), folder: athena)
        } throws: { error in
            let error = error as? PMAPError
            return error?.kind == .badInput && error?.message.contains("CONCEPT_ANCESTOR.csv") == true
        }
        #expect(
            try await platform.status(try await IngestFixture.admin(of: platform, in: folder)).cdmTables
                == initial.status.cdmTables)
    }

    @Test func malformedLineIsNamedWithFileAndLineAndStoreUnchanged() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (platform, initial) = try await Platform.initialize(storePath: folder.file("pmap.sqlite"))
        // CONCEPT.csv loads first in the same transaction; the bad line comes later.
        let athena = try Self.writeAthenaFolder(
            folder,
            overrides: [
                "CONCEPT_RELATIONSHIP.csv": """
                concept_id_1\tconcept_id_2\trelationship_id\tvalid_start_date\tvalid_end_date\tinvalid_reason
                35206134\t4163261\tMaps to\t20071001\t20991231\t
                4163261\t35206134\tMapped from\t2007-13-01\t20991231\t

                """
            ])
        await #expect {
            try await platform.loadAthenaVocabulary(
                try await IngestFixture.admin(of: platform, in: folder), folder: athena)
        } throws: { error in
            let error = error as? PMAPError
            return error?.kind == .badInput && error?.location?.line == 3
                && error?.location?.file.hasSuffix("CONCEPT_RELATIONSHIP.csv") == true
                && error?.location?.field == "valid_start_date"
        }
        #expect(
            try await platform.status(try await IngestFixture.admin(of: platform, in: folder)).cdmTables
                == initial.status.cdmTables)
    }

    @Test func headerWithoutRequiredColumnIsRefusedBeforeWriting() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (platform, initial) = try await Platform.initialize(storePath: folder.file("pmap.sqlite"))
        let athena = try Self.writeAthenaFolder(
            folder,
            overrides: ["DOMAIN.csv": "domain_id,domain_name,domain_concept_id\nCondition,Condition,19\n"])
        await #expect {
            try await platform.loadAthenaVocabulary(
                try await IngestFixture.admin(of: platform, in: folder), folder: athena)
        } throws: { error in
            let error = error as? PMAPError
            return error?.location?.file.hasSuffix("DOMAIN.csv") == true
                && error?.message.contains("tab-separated") == true
        }
        #expect(
            try await platform.status(try await IngestFixture.admin(of: platform, in: folder)).cdmTables
                == initial.status.cdmTables)
    }

    @Test func notAFolderIsRefused() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (platform, _) = try await Platform.initialize(storePath: folder.file("pmap.sqlite"))
        await #expect(throws: PMAPError.self) {
            try await platform.loadAthenaVocabulary(
                try await IngestFixture.admin(of: platform, in: folder), folder: folder.file("no-such-folder")
            )
        }
    }
}
