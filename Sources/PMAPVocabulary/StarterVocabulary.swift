import PMAPModel

/// The vocabulary PMAP ships: a reviewed list of real OMOP concepts for general medicine,
/// prostate cancer and multiple sclerosis, with ICD-10-CM "Maps to" links and a hierarchy.
///
/// The lists live in `Sources/PMAPVocabulary/Resources/*.tsv`, one row per concept with the
/// public source its id was taken from. Concepts for which no public OMOP id was found carry
/// an id above 2,000,000,000 (OMOP's range for local concepts) in vocabulary ``localVocabularyID``.
public enum StarterVocabulary {
    /// The version written to the `vocabulary` table rows the starter list fills.
    public static let version = "PMAP starter 2026-11"

    /// The vocabulary id of PMAP's own local concepts.
    public static let localVocabularyID = "PMAP"

    /// The parsed starter vocabulary.
    ///
    /// Throws only if a shipped file is malformed, which the package's tests rule out.
    public static func load() throws -> VocabularyContent {
        let conceptColumns = [
            "concept_id", "concept_name", "domain_id", "vocabulary_id", "concept_class_id",
            "standard_concept",
            "concept_code", "source",
        ]
        var concepts: [Concept] = []
        var sources: [ConceptID: String] = [:]
        for (name, bytes) in [
            ("concepts-reference.tsv", PackageResources.concepts_reference_tsv),
            ("concepts-conditions.tsv", PackageResources.concepts_conditions_tsv),
            ("concepts-measurements-drugs.tsv", PackageResources.concepts_measurements_drugs_tsv),
            ("concepts-environment-devices.tsv", PackageResources.concepts_environment_devices_tsv),
        ] {
            let table = try TabSeparatedTable(
                name: name, text: String(decoding: bytes, as: UTF8.self), requiredColumns: conceptColumns)
            for row in table.rows {
                let id = try conceptID(row["concept_id"], row: row, table: table)
                let standard = row["standard_concept"]
                concepts.append(
                    Concept(
                        id: id, name: row["concept_name"], domainID: row["domain_id"],
                        vocabularyID: row["vocabulary_id"],
                        conceptClassID: row["concept_class_id"],
                        standardConcept: standard.isEmpty ? nil : standard,
                        code: row["concept_code"]))
                sources[id] = row["source"]
            }
        }

        let mapsTable = try table(
            "maps-to-conditions.tsv", PackageResources.maps_to_conditions_tsv,
            ["source_concept_id", "target_concept_id"])
        let mapsTo = try mapsTable.rows.map { row in
            VocabularyContent.MapsTo(
                source: try conceptID(row["source_concept_id"], row: row, table: mapsTable),
                target: try conceptID(row["target_concept_id"], row: row, table: mapsTable))
        }

        var hierarchy: [HierarchyEdge] = []
        for (name, bytes) in [
            ("hierarchy-conditions.tsv", PackageResources.hierarchy_conditions_tsv),
            ("hierarchy-measurements-drugs.tsv", PackageResources.hierarchy_measurements_drugs_tsv),
        ] {
            let edges = try table(name, bytes, ["parent_concept_id", "child_concept_id"])
            for row in edges.rows {
                hierarchy.append(
                    HierarchyEdge(
                        parent: try conceptID(row["parent_concept_id"], row: row, table: edges),
                        child: try conceptID(row["child_concept_id"], row: row, table: edges)))
            }
        }

        let vocabularyTable = try table(
            "vocabularies.tsv", PackageResources.vocabularies_tsv,
            ["vocabulary_id", "vocabulary_name", "vocabulary_concept_id"])
        let vocabularies = try vocabularyTable.rows.map {
            VocabularyContent.VocabularyRecord(
                id: $0["vocabulary_id"], name: $0["vocabulary_name"],
                conceptID: try conceptID($0["vocabulary_concept_id"], row: $0, table: vocabularyTable))
        }
        let domainTable = try table(
            "domains.tsv", PackageResources.domains_tsv, ["domain_id", "domain_name", "domain_concept_id"])
        let domains = try domainTable.rows.map {
            VocabularyContent.DomainRecord(
                id: $0["domain_id"], name: $0["domain_name"],
                conceptID: try conceptID($0["domain_concept_id"], row: $0, table: domainTable))
        }
        let classTable = try table(
            "concept-classes.tsv", PackageResources.concept_classes_tsv,
            ["concept_class_id", "concept_class_name", "concept_class_concept_id"])
        let classes = try classTable.rows.map {
            VocabularyContent.ConceptClassRecord(
                id: $0["concept_class_id"], name: $0["concept_class_name"],
                conceptID: try conceptID($0["concept_class_concept_id"], row: $0, table: classTable))
        }
        let relationshipTable = try table(
            "relationships.tsv", PackageResources.relationships_tsv,
            [
                "relationship_id", "relationship_name", "is_hierarchical", "defines_ancestry",
                "reverse_relationship_id",
                "relationship_concept_id",
            ])
        let relationships = try relationshipTable.rows.map {
            VocabularyContent.RelationshipRecord(
                id: $0["relationship_id"], name: $0["relationship_name"],
                isHierarchical: $0["is_hierarchical"] == "1",
                definesAncestry: $0["defines_ancestry"] == "1", reverseID: $0["reverse_relationship_id"],
                conceptID: try conceptID($0["relationship_concept_id"], row: $0, table: relationshipTable))
        }

        return VocabularyContent(
            concepts: concepts, conceptSources: sources, mapsTo: mapsTo, hierarchy: hierarchy,
            vocabularies: vocabularies,
            domains: domains, conceptClasses: classes, relationships: relationships)
    }

    private static func table(_ name: String, _ bytes: [UInt8], _ columns: [String]) throws
        -> TabSeparatedTable
    {
        try TabSeparatedTable(
            name: name, text: String(decoding: bytes, as: UTF8.self), requiredColumns: columns)
    }

    private static func conceptID(_ text: String, row: TabSeparatedTable.Row, table: TabSeparatedTable) throws
        -> ConceptID
    {
        guard let value = Int64(text) else {
            throw PMAPError(
                .badInput, "expected an integer concept id",
                at: SourceLocation(file: table.name, line: row.line))
        }
        return ConceptID(value)
    }
}
