/// Plain CSV files as devices and agencies send them, each with the mapping file that tells
/// `pmap ingest --format csv` how to load it: daily wearable step counts keyed by MRN, and an
/// environment table keyed by ZIP3 and year.
final class CSVRenderer: SynthRenderer {
    private let sink: SynthSink
    private let steps: TextStream

    init(sink: SynthSink) throws {
        self.sink = sink
        steps = try sink.stream("csv/wearable-steps.csv")
        try steps.write("mrn,date,steps\n")
    }

    func render(_ patient: SynthPatient) throws {
        for reading in patient.stepCounts {
            try steps.write("\(patient.mrn),\(reading.day.iso),\(reading.steps)\n")
        }
    }

    func finish() throws {
        try steps.drain()
        let environment = try sink.stream("csv/environment-zip3.csv")
        try environment.write("zip3,year,pm25_ug_m3,adi_national_percentile\n")
        for place in PopulationTables.environment {
            for year in PlantedTruth.dataStart.year...PlantedTruth.dataEnd.year {
                // Air quality improves slowly over the years; the ranking of ZIP3s stays.
                let pm25 = place.pm25 * (1 - 0.01 * Double(year - PlantedTruth.dataStart.year))
                try environment.write(
                    "\(place.zip3),\(year),\(Text.number(pm25, decimals: 1)),\(place.adi)\n")
            }
        }
        try environment.drain()
        try sink.stream("csv/wearable-steps.mapping.yaml").write(Self.stepsMapping)
        try sink.stream("csv/environment-zip3.mapping.yaml").write(Self.environmentMapping)
    }

    static let stepsMapping = """
        # PMAP mapping file: how `pmap ingest --format csv` loads wearable-steps.csv.
        pmap_mapping: 1
        source: wearable-steps.csv
        delimiter: ","
        header: true
        person:
          # Each row belongs to the person with this medical record number.
          identifier_column: mrn
          identifier_system: \(FHIRRenderer.mrnSystem)
        records:
          - table: measurement
            concept_id: 2000001003        # Number of steps in 24 hours measured by wearable device
            type_concept_id: 32817        # EHR
            date_column: date
            date_format: YYYY-MM-DD
            value_column: steps
            unit_source_value: "{steps}/d"

        """

    static let environmentMapping = """
        # PMAP mapping file: how `pmap ingest --format csv` loads environment-zip3.csv.
        pmap_mapping: 1
        source: environment-zip3.csv
        delimiter: ","
        header: true
        person:
          # Each row applies to every person whose residence ZIP3 equals the row's zip3 and who is
          # under observation (inside an observation period) on the record's date, 1 July of its year.
          link: residence_zip3
          zip3_column: zip3
          year_column: year
        records:
          - table: observation
            concept_id: 2000001001        # PM2.5 annual mean concentration at residence ZIP3
            type_concept_id: 32879        # Registry
            date: "{year}-07-01"
            value_column: pm25_ug_m3
            unit_source_value: ug/m3
          - table: observation
            concept_id: 2000001002        # Area Deprivation Index national percentile
            type_concept_id: 32879
            date: "{year}-07-01"
            value_column: adi_national_percentile

        """
}
