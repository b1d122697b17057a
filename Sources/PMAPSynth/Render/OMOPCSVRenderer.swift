import PMAPModel

/// The population already in OMOP CDM v5.4 form, one CSV per table (`omop/<table>.csv`, every
/// column of the specification in its order), for stores loaded without the FHIR layer.
/// As in PMAP's own store, the CDM holds no direct identifiers: year and month of birth,
/// state and ZIP3 only.
final class OMOPCSVRenderer: SynthRenderer {
    /// One CSV file for one table.
    final class Table {
        let stream: TextStream
        private let slots: [String: Int]
        private var row: [String]
        private var lastID = 0

        /// The next row id of this table (1, 2, ...).
        func nextID() -> String {
            lastID += 1
            return String(lastID)
        }

        init(_ name: String, columns: [String], sink: SynthSink) throws {
            stream = try sink.stream("omop/\(name).csv")
            slots = Dictionary(uniqueKeysWithValues: columns.enumerated().map { ($0.element, $0.offset) })
            row = Array(repeating: "", count: columns.count)
            try stream.write(columns.joined(separator: ",") + "\n")
        }

        convenience init(cdm name: String, sink: SynthSink) throws {
            try self.init(name, columns: CDMSchema.table(named: name)!.columns.map(\.name), sink: sink)
        }

        /// Writes one row from column → value pairs; unnamed columns stay empty.
        func write(_ values: KeyValuePairs<String, String>) throws {
            for (column, value) in values { row[slots[column]!] = value }
            var line = ""
            line.reserveCapacity(256)
            for index in row.indices {
                if index > 0 { line.append(",") }
                let field = row[index]
                if !field.isEmpty {
                    line.append(Text.needsCSVQuotes(field) ? Text.csv(field) : field)
                    row[index] = ""
                }
            }
            line.append("\n")
            try stream.write(line)
        }
    }

    private let tables: [String: Table]
    private let placeIDs: [String: Int]
    private let geneConcepts: [String: Int64] = [
        "BRCA1": 2_000_000_600, "BRCA2": 2_000_000_601, "ATM": 2_000_000_602, "CHEK2": 2_000_000_603,
        "HOXB13": 2_000_000_604, "PALB2": 2_000_000_605, "MLH1": 2_000_000_606, "MSH2": 2_000_000_607,
        "MSH6": 2_000_000_608, "PMS2": 2_000_000_609, "TP53": 2_000_000_610,
    ]
    static let genomicColumns = [
        "genomic_variant_id", "person_id", "specimen_id", "variant_date", "genome_build", "chromosome",
        "position",
        "reference_allele", "alternate_allele", "gene_symbol", "gene_concept_id", "hgvs_c", "hgvs_p",
        "zygosity",
        "allele_fraction", "read_depth", "clinical_significance", "sample_origin", "data_load_id",
    ]

    init(sink: SynthSink) throws {
        var tables: [String: Table] = [:]
        for name in [
            "person", "observation_period", "visit_occurrence", "condition_occurrence", "drug_exposure",
            "procedure_occurrence", "measurement", "observation", "death", "location", "care_site",
        ] {
            tables[name] = try Table(cdm: name, sink: sink)
        }
        tables["pmap_genomic_variant"] = try Table(
            "pmap_genomic_variant", columns: Self.genomicColumns, sink: sink)
        self.tables = tables
        var places: [String: Int] = [:]
        for (index, place) in PopulationTables.places.enumerated() where places[place.zip] == nil {
            places[place.zip] = index + 1
        }
        placeIDs = places
    }

    func render(_ p: SynthPatient) throws {
        let person = String(p.personID)
        let birth = p.birthDate.civil
        try tables["person"]!.write([
            "person_id": person, "gender_concept_id": p.sex == .male ? "8507" : "8532",
            "year_of_birth": String(birth.year),
            "month_of_birth": String(birth.month), "race_concept_id": String(p.raceConceptID),
            "ethnicity_concept_id": String(p.ethnicityConceptID),
            "location_id": String(placeIDs[p.address.zip] ?? 0),
            "care_site_id": "1", "gender_source_value": p.sex == .male ? "M" : "F",
        ])
        try tables["observation_period"]!.write([
            "observation_period_id": tables["observation_period"]!.nextID(), "person_id": person,
            "observation_period_start_date": p.firstSeen.iso, "observation_period_end_date": p.lastSeen.iso,
            "period_type_concept_id": "32817",
        ])
        if let death = p.deathDate {
            try tables["death"]!.write([
                "person_id": person, "death_date": death.iso, "death_type_concept_id": "32817",
            ])
        }
        var visitIDs: [Int: String] = [:]
        for visit in p.visits {
            let visitID = tables["visit_occurrence"]!.nextID()
            visitIDs[visit.number] = visitID
            let concept = visit.kind == .inpatient ? "9201" : visit.kind == .emergency ? "9203" : "9202"
            try tables["visit_occurrence"]!.write([
                "visit_occurrence_id": visitID, "person_id": person, "visit_concept_id": concept,
                "visit_start_date": visit.start.iso, "visit_end_date": visit.end.iso,
                "visit_type_concept_id": "32817",
                "care_site_id": "1", "visit_source_value": visit.kind.rawValue,
            ])
        }
        func visit(_ number: Int?) -> String { number.flatMap { visitIDs[$0] } ?? "" }

        for condition in p.conditions {
            let source = condition.icd10 ?? condition.code
            try tables["condition_occurrence"]!.write([
                "condition_occurrence_id": tables["condition_occurrence"]!.nextID(), "person_id": person,
                "condition_concept_id": String(condition.code.conceptID),
                "condition_start_date": condition.onset.iso,
                "condition_type_concept_id": "32817", "visit_occurrence_id": visit(condition.visit),
                "condition_source_value": source.code,
                "condition_source_concept_id": String(source.conceptID),
            ])
        }
        for drug in p.drugs {
            try tables["drug_exposure"]!.write([
                "drug_exposure_id": tables["drug_exposure"]!.nextID(), "person_id": person,
                "drug_concept_id": String(drug.code.conceptID),
                "drug_exposure_start_date": drug.start.iso, "drug_exposure_end_date": drug.end.iso,
                "drug_type_concept_id": "32838", "days_supply": String(drug.daysSupply),
                "visit_occurrence_id": visit(drug.visit),
                "drug_source_value": drug.code.code, "drug_source_concept_id": String(drug.code.conceptID),
            ])
        }
        for procedure in p.procedures {
            try tables["procedure_occurrence"]!.write([
                "procedure_occurrence_id": tables["procedure_occurrence"]!.nextID(), "person_id": person,
                "procedure_concept_id": String(procedure.code.conceptID), "procedure_date": procedure.day.iso,
                "procedure_type_concept_id": "32817", "visit_occurrence_id": visit(procedure.visit),
                "procedure_source_value": procedure.code.code,
            ])
        }
        for m in p.measurements {
            try tables["measurement"]!.write([
                "measurement_id": tables["measurement"]!.nextID(), "person_id": person,
                "measurement_concept_id": String(m.code.conceptID),
                "measurement_date": m.day.iso,
                "measurement_type_concept_id": m.channel == .lab ? "32856" : "32817",
                "value_as_number": m.value.map { Text.number($0, decimals: m.decimals) } ?? "",
                "value_as_concept_id": m.valueCode.map { String($0.conceptID) } ?? "",
                "unit_concept_id": m.unit.map { String($0.conceptID) } ?? "",
                "range_low": m.referenceLow.map { Text.number($0, decimals: m.decimals) } ?? "",
                "range_high": m.referenceHigh.map { Text.number($0, decimals: m.decimals) } ?? "",
                "visit_occurrence_id": visit(m.visit), "measurement_source_value": m.code.code,
                "unit_source_value": m.unit?.ucum ?? "", "value_source_value": m.valueCode?.code ?? "",
            ])
        }
        for reading in p.stepCounts {
            try tables["measurement"]!.write([
                "measurement_id": tables["measurement"]!.nextID(), "person_id": person,
                "measurement_concept_id": "2000001003",
                "measurement_date": reading.day.iso, "measurement_type_concept_id": "32817",
                "value_as_number": String(reading.steps), "unit_concept_id": "0",
                "unit_source_value": "{steps}/d",
            ])
        }
        // Environment at the residence ZIP3, for each year the person is under observation on 1 July.
        let environment = PopulationTables.environment(zip3: p.address.zip3)
        for year in p.firstSeen.year...p.lastSeen.year {
            let day = Day(year: year, month: 7, day: 1)
            guard day >= p.firstSeen && day <= p.lastSeen else { continue }
            let pm25 = environment.pm25 * (1 - 0.01 * Double(year - PlantedTruth.dataStart.year))
            for (concept, value, unit) in [
                ("2000001001", Text.number(pm25, decimals: 1), "ug/m3"),
                ("2000001002", String(environment.adi), ""),
            ] {
                try tables["observation"]!.write([
                    "observation_id": tables["observation"]!.nextID(), "person_id": person,
                    "observation_concept_id": concept,
                    "observation_date": day.iso, "observation_type_concept_id": "32879",
                    "value_as_number": value,
                    "unit_source_value": unit,
                ])
            }
        }
        if let optOut = p.researchOptOut {
            try tables["observation"]!.write([
                "observation_id": tables["observation"]!.nextID(), "person_id": person,
                "observation_concept_id": "2000001004",
                "observation_date": optOut.iso, "observation_type_concept_id": "32817",
                "observation_source_value": "OPTOUT",
            ])
        }
        if let genotypes = p.germlineGenotypes, let date = p.germlineTestDate {
            for (index, genotype) in genotypes.enumerated() where genotype > 0 {
                let variant = GermlinePanel.variants[index]
                try tables["pmap_genomic_variant"]!.write([
                    "genomic_variant_id": tables["pmap_genomic_variant"]!.nextID(), "person_id": person,
                    "variant_date": date.iso,
                    "genome_build": "GRCh38", "chromosome": variant.chromosome,
                    "position": String(variant.position),
                    "reference_allele": variant.reference, "alternate_allele": variant.alternate,
                    "gene_symbol": variant.gene,
                    "gene_concept_id": geneConcepts[variant.gene].map(String.init) ?? "",
                    "hgvs_c": variant.hgvsC,
                    "hgvs_p": variant.hgvsP, "zygosity": genotype == 1 ? "heterozygous" : "homozygous",
                    "allele_fraction": genotype == 1 ? "0.5" : "1.0",
                    "clinical_significance": variant.significance,
                    "sample_origin": "germline",
                ])
            }
        }
    }

    func finish() throws {
        var written: Set<Int> = []
        for (index, place) in PopulationTables.places.enumerated() {
            let id = placeIDs[place.zip] ?? index + 1
            guard written.insert(id).inserted else { continue }
            try tables["location"]!.write([
                "location_id": String(id), "state": place.state, "zip": String(place.zip.prefix(3)),
                "country_source_value": "US",
            ])
        }
        try tables["care_site"]!.write([
            "care_site_id": "1", "care_site_name": "PMAP Synthetic University Hospital",
            "place_of_service_concept_id": "0",
            "care_site_source_value": FHIRRenderer.organizationID,
        ])
        for table in tables.values { try table.stream.drain() }
    }
}
