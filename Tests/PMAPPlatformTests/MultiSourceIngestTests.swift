import Foundation
import PMAPPlatform
import PMAPTestSupport
import Testing

/// FHIR, HL7 v2, VCF and mapped CSV into one store: one person per patient, exact
/// reconciliation, merges that can be undone, refusals and quarantine with retry.
struct MultiSourceIngestTests {
    static let mrnSystem = Synthesis.mrnSystem

    /// HL7 messages in a file: one per MSH segment.
    static func messageCount(_ path: String) throws -> Int {
        try String(contentsOfFile: path, encoding: .utf8).components(separatedBy: "\rMSH|").count
            - (try String(contentsOfFile: path, encoding: .utf8).hasPrefix("MSH|") ? 0 : 1)
    }

    @Test func wholeSyntheticPopulationIsOnePersonPerPatientAcrossSources() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let export = fixture.folder.file("synth")
        _ = try Synthesis.run(
            patients: 80, seed: 12, formats: [.fhir, .hl7v2, .vcf, .csv], folder: export, force: false)
        let fhirLines = try FileManager.default.contentsOfDirectory(atPath: "\(export)/fhir").reduce(0) {
            $0 + LineScanner.lines(of: "\(export)/fhir/\($1)").count
        }
        let hl7Messages =
            try Self.messageCount("\(export)/hl7v2/adt-registrations.hl7")
            + Self.messageCount("\(export)/hl7v2/oru-lab-results.hl7")
        let vcfLines = LineScanner.lines(of: "\(export)/vcf/germline-panel.vcf").filter { !$0.hasPrefix("#") }
        let stepRows = LineScanner.lines(of: "\(export)/csv/wearable-steps.csv").count - 1
        let environmentRows = LineScanner.lines(of: "\(export)/csv/environment-zip3.csv").count - 1
        let carriers = vcfLines.flatMap { $0.split(separator: "\t").dropFirst(9) }.filter {
            $0.hasPrefix("0/1") || $0.hasPrefix("1/1")
        }.count

        let paths = ["fhir", "hl7v2", "vcf", "csv"].map { "\(export)/\($0)" }
        let report = try await fixture.ingest(paths, mrnSystem: Self.mrnSystem)
        #expect(report.read == fhirLines + hl7Messages + vcfLines.count + stepRows + environmentRows)
        #expect(report.loaded == report.read && report.quarantined == 0 && report.duplicates == 0)
        #expect(report.refusedFiles.isEmpty)
        let counts = try await fixture.counts()
        #expect(counts["person"] == 80, "one person per patient across FHIR, HL7 v2, VCF and CSV")
        #expect(counts["pmap_identity"] == 80)
        #expect(counts["pmap_genomic_variant"] == carriers)
        #expect(
            try fixture.integers("SELECT count(*) FROM measurement WHERE measurement_concept_id = 2000001003")
                == [Int64(stepRows)])
        // Environment rows reach the persons living in their ZIP3 while under observation, only.
        let outside = try fixture.integers(
            """
            SELECT count(*) FROM observation o WHERE o.observation_concept_id IN (2000001001, 2000001002)
            AND NOT EXISTS (SELECT 1 FROM observation_period op WHERE op.person_id = o.person_id
                AND o.observation_date BETWEEN op.observation_period_start_date AND op.observation_period_end_date)
            """)
        #expect(outside == [0])
        #expect(
            try fixture.integers(
                "SELECT count(*) FROM observation WHERE observation_concept_id IN (2000001001, 2000001002)")[
                    0] > 0)

        // The store's bytes (WAL included) hold no direct identifier of any patient, whatever
        // source sent it: full names, MRNs, SSNs, phones, e-mails, street lines.
        let bytes = try fixture.storeBytes()
        var checked = 0
        for line in LineScanner.lines(of: "\(export)/fhir/Patient.ndjson") {
            let patient = try #require(
                try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let name = try #require((patient["name"] as? [[String: Any]])?.first)
            let family = try #require(name["family"] as? String)
            let given = try #require((name["given"] as? [String])?.first)
            var secrets = ["\(given) \(family)", "\(family)^\(given)", "\"\(family)\""]
            secrets += ((patient["identifier"] as? [[String: Any]]) ?? []).compactMap {
                $0["value"] as? String
            }
            secrets += ((patient["telecom"] as? [[String: Any]]) ?? []).compactMap { $0["value"] as? String }
            secrets += ((patient["address"] as? [[String: Any]]) ?? []).flatMap {
                ($0["line"] as? [String]) ?? []
            }
            for secret in secrets {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "a direct identifier is stored in clear")
                checked += 1
            }
        }
        #expect(checked >= 80 * 6)

        let again = try await fixture.ingest(paths, mrnSystem: Self.mrnSystem)
        #expect(again.duplicates == again.read && again.loaded == 0 && again.quarantined == 0)
        var after = try await fixture.counts()
        after["pmap_data_load"] = counts["pmap_data_load"]  // each run records itself
        #expect(after == counts)
    }

    static let pid1 = "PID|1||M1^^^HOSP&urn:test:mrn&URI^MR||Doe^Jo||19600101|F|||1 Road^^Town^MD^21201"
    static let pid2 = "PID|1||M2^^^HOSP&urn:test:mrn&URI^MR||Roe^Al||19610202|M|||2 Road^^Town^MD^21202"

    static func adt(_ control: String, _ pid: String) -> String {
        "MSH|^~\\&|REG|HOSP|PMAP|HOSP|20240101080000||ADT^A04^ADT_A01|\(control)|P|2.5.1\rEVN|A04|20240101080000\r\(pid)\rPV1|1|O|||||||||||||||||V-\(control)|||||||||||||||||||||||||20240101\r"
    }

    static func oru(_ control: String, _ pid: String, value: String) -> String {
        "MSH|^~\\&|LAB|HOSP|PMAP|HOSP|20240102080000||ORU^R01^ORU_R01|\(control)|P|2.5.1\r\(pid)\rOBR|1|O1||2857-1^PSA^LN|||20240102\rOBX|1|NM|2857-1^PSA^LN||\(value)|ng/mL^ng/mL^UCUM|0-4|H|||F|||20240102\r"
    }

    @Test func mergeMovesRecordsAndCanBeUndone() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let feed = try fixture.write(
            "feed.hl7",
            Self.adt("A1", Self.pid1) + Self.adt("A2", Self.pid2) + Self.oru("R1", Self.pid1, value: "4.1")
                + Self.oru("R2", Self.pid2, value: "7.5"))
        let first = try await fixture.ingest([feed])
        #expect(first.loaded == 4 && first.quarantined == 0)
        #expect(try await fixture.counts()["person"] == 2)
        let abnormal = try fixture.integers("SELECT count(*) FROM measurement WHERE value_source_value = 'H'")
        #expect(abnormal == [2], "OBX-8 abnormal flags are kept")

        // ADT^A40: M2 (MRG-1) is the same patient as M1 (PID).
        let merge = try fixture.write(
            "merge.hl7",
            "MSH|^~\\&|REG|HOSP|PMAP|HOSP|20240201080000||ADT^A40^ADT_A39|M40|P|2.5.1\rEVN|A40|20240201080000\r\(Self.pid1)\rMRG|M2^^^HOSP&urn:test:mrn&URI^MR\r"
        )
        let merged = try await fixture.ingest([merge])
        #expect(merged.loaded == 1)
        #expect(try await fixture.counts()["person"] == 1)
        #expect(try fixture.integers("SELECT count(DISTINCT person_id) FROM measurement") == [1])
        #expect(try fixture.integers("SELECT count(DISTINCT person_id) FROM visit_occurrence") == [1])
        // A later message naming the old MRN lands on the surviving person.
        _ = try await fixture.ingest([try fixture.write("late.hl7", Self.oru("R3", Self.pid2, value: "8.0"))])
        #expect(try await fixture.counts()["person"] == 1)

        let merges = try await fixture.platform.personMerges(fixture.admin)
        #expect(merges.count == 1 && merges[0].rowsMoved > 0)
        _ = try await fixture.platform.undoMerge(
            fixture.admin, id: merges[0].id, reason: "registration error")
        #expect(try await fixture.counts()["person"] == 2)
        #expect(try fixture.integers("SELECT count(DISTINCT person_id) FROM visit_occurrence") == [2])
        #expect(try await fixture.platform.personMerges(fixture.admin)[0].undoneAt != nil)
        await #expect(throws: PMAPError.self) {
            _ = try await fixture.platform.undoMerge(fixture.admin, id: merges[0].id, reason: "again")
        }
    }

    /// A patient known only from HL7 (no FHIR first) leaves no MRN or name in the store's bytes:
    /// provenance keeps a keyed hash of the patient key, not the MRN it names.
    @Test func hl7OnlyPatientsLeaveNoIdentifierInTheStore() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let pid =
            "PID|1||MRNSECRET4242^^^HOSP&urn:test:mrn&URI^MR||Quixotic^Zebulon||19600101|M|||9 Odd Lane^^Town^MD^21201||(410) 555-0199||||||||||||||||20230101|Y"
        let report = try await fixture.ingest([
            try fixture.write("a.hl7", Self.adt("A1", pid) + Self.oru("R1", pid, value: "5.5"))
        ])
        #expect(report.loaded == 2 && report.quarantined == 0, "\(report.quarantineReasons)")
        #expect(try await fixture.counts()["death"] == 1)
        let bytes = try fixture.storeBytes()
        for secret in ["MRNSECRET4242", "Quixotic", "Zebulon", "9 Odd Lane", "555-0199"] {
            #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) is stored in clear")
        }
    }

    /// Two VCF files of the same name in two folders are two sources of lines, not updates of
    /// each other; the same file twice is duplicates.
    @Test func sameNamedFilesInTwoFoldersBothLoad() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        _ = try await fixture.ingest([try fixture.write("a.hl7", Self.adt("A1", Self.pid1))])
        func vcf(_ position: Int) -> String {
            "##fileformat=VCFv4.2\n##FORMAT=<ID=GT,Number=1,Type=String,Description=\"GT\">\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tM1\nchr1\t\(position)\t.\tA\tG\t.\tPASS\t.\tGT\t0/1\n"
        }
        let first = try fixture.write("run1/panel.vcf", vcf(100))
        let second = try fixture.write("run2/panel.vcf", vcf(200))
        let report = try await fixture.ingest([first, second], mrnSystem: "urn:test:mrn")
        #expect(report.loaded == 2)
        #expect(try fixture.integers("SELECT count(*) FROM pmap_genomic_variant") == [2])
        let again = try await fixture.ingest([first], mrnSystem: "urn:test:mrn")
        #expect(again.duplicates == 1 && again.loaded == 0)
    }

    @Test func mergeOfAnUnknownPatientWaitsInQuarantine() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        _ = try await fixture.ingest([try fixture.write("a.hl7", Self.adt("A1", Self.pid1))])
        let merge = try fixture.write(
            "merge.hl7",
            "MSH|^~\\&|REG|HOSP|PMAP|HOSP|20240201080000||ADT^A40^ADT_A39|M40|P|2.5.1\r\(Self.pid1)\rMRG|M2^^^HOSP&urn:test:mrn&URI^MR\r"
        )
        let report = try await fixture.ingest([merge])
        #expect(report.quarantined == 1 && report.quarantineReasons["dangling reference"] == 1)
        _ = try await fixture.ingest([try fixture.write("b.hl7", Self.adt("A2", Self.pid2))])
        #expect(try await fixture.counts()["person"] == 2)
        let retry = try await fixture.platform.retryQuarantine(fixture.admin, vault: fixture.vault)
        #expect(retry.loaded == 1 && retry.stillQuarantined == 0)
        #expect(try await fixture.counts()["person"] == 1)
    }

    @Test func vcfLineWithAnUnknownSampleWaitsForItsPatient() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        _ = try await fixture.ingest([try fixture.write("a.hl7", Self.adt("A1", Self.pid1))])
        let vcf = try fixture.write(
            "panel.vcf",
            """
            ##fileformat=VCFv4.2
            ##reference=GRCh38
            ##SAMPLE=<ID=M2,CollectionDate=2024-03-01>
            ##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
            #CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tM1\tM2
            chr13\t32340300\trs1\tA\tG\t99\tPASS\tGENE=BRCA2;CLNSIG=Likely_pathogenic\tGT\t0/1\t0/0
            chr17\t43045700\trs2\tC\tT\t99\tPASS\tGENE=BRCA1\tGT\t0/0\t1/1

            """)
        let report = try await fixture.ingest([vcf], mrnSystem: "urn:test:mrn")
        #expect(report.loaded == 1 && report.quarantined == 1)
        let held = try await fixture.platform.quarantinedRecords(fixture.admin)
        #expect(held.count == 1 && held[0].reason.contains("sample columns 11"))
        #expect(!held[0].reason.contains("M2"), "quarantine reasons name columns, never sample names (MRNs)")
        #expect(try fixture.integers("SELECT count(*) FROM pmap_genomic_variant") == [1])

        _ = try await fixture.ingest([try fixture.write("b.hl7", Self.adt("A2", Self.pid2))])
        let retry = try await fixture.platform.retryQuarantine(fixture.admin, vault: fixture.vault)
        #expect(retry.loaded == 1 && retry.stillQuarantined == 0)
        #expect(
            try fixture.integers(
                "SELECT count(*) FROM pmap_genomic_variant WHERE zygosity = 'homozygous' AND variant_date = '2024-03-01'"
            )
                == [1])
    }

    @Test func malformedFilesAreRefusedWholeAndNothingOfThemLoads() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let vcf = try fixture.write(
            "bad.vcf",
            "##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\nchr1\t100\t.\tA\tG\t.\tPASS\t.\nchr1\tPOS\t.\tA\tG\t.\tPASS\t.\n"
        )
        let hl7 = try fixture.write("bad.hl7", "PID|1||X\r" + Self.adt("A1", Self.pid1))
        let report = try await fixture.ingest([vcf, hl7], mrnSystem: "urn:test:mrn")
        #expect(report.refusedFiles.count == 2)
        #expect(report.read == 0)
        #expect(report.refusedFiles.contains { $0.refusal?.contains("line 4") == true })
        #expect(try await fixture.counts()["person"] == 0)
    }

    @Test(.enabled(if: SharedData.shouldRun, Comment(rawValue: SharedData.skipMessage)))
    func sharedHL7SamplesLoadOrAreRefusedAsTheirReadmeSays() async throws {
        let data = try SharedData.file("hl7v2")
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let report = try await fixture.ingest([data.path])
        let refused = Set(report.refusedFiles.map { ($0.path as NSString).lastPathComponent })
        #expect(
            refused == [
                "sample_bad_batch.hl7", "sample_bad_batch1.hl7", "sample_bad_file.hl7",
                "sample_bad_file1.hl7",
                "sample_bad_file2.hl7", "sample_bad_file3.hl7",
            ])
        #expect(report.read == report.loaded + report.duplicates + report.quarantined)
        #expect(report.read > 0)
        // sample_hl7.hl7 (ORU^R01, OBX-5 182 mg/dl) gives its patient the birth date 196203520,
        // which is no date: the message waits in quarantine with that reason.
        #expect(report.quarantineReasons["invalid date", default: 0] >= 1)
        #expect(report.skippedFiles.map { ($0.path as NSString).lastPathComponent } == ["LICENSE-python-hl7"])
    }

    @Test func mappedCSVRowsOfUnknownPatientsWaitAndBadMappingsAreRefused() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        _ = try await fixture.ingest([try fixture.write("a.hl7", Self.adt("A1", Self.pid1))])
        let mapping = try fixture.write(
            "steps.mapping.yaml",
            """
            pmap_mapping: 1
            person:
              identifier_column: mrn
              identifier_system: urn:test:mrn
            records:
              - table: measurement
                concept_id: 2000001003
                date_column: day
                date_format: MM/DD/YYYY
                value_column: steps
            """)
        _ = mapping
        let csv = try fixture.write(
            "steps.csv", "mrn,day,steps\nM1,01/31/2024,5000\nM2,02/01/2024,6000\nM1,02/30/2024,1\n")
        let report = try await fixture.ingest([csv])
        #expect(report.read == 3 && report.loaded == 1 && report.quarantined == 2)
        #expect(
            report.quarantineReasons["invalid date"] == 1
                && report.quarantineReasons["dangling reference"] == 1)
        #expect(try fixture.integers("SELECT value_as_number FROM measurement") == [5000])
        _ = try await fixture.ingest([try fixture.write("b.hl7", Self.adt("A2", Self.pid2))])
        let retry = try await fixture.platform.retryQuarantine(fixture.admin, vault: fixture.vault)
        #expect(retry.loaded == 1 && retry.stillQuarantined == 1)

        let typo = try fixture.write(
            "typo/steps.mapping.yaml",
            "pmap_mapping: 1\nperson:\n  identifier_column: mrn\n  identifier_system: urn:test:mrn\nrecords:\n  - table: measurement\n    concept_id: 1\n    date_column: day\n    value_colum: steps\n"
        )
        _ = typo
        let typoCSV = try fixture.write("typo/steps.csv", "mrn,day,steps\nM1,2024-01-01,1\n")
        let refused = try await fixture.ingest([typoCSV])
        #expect(refused.refusedFiles.first?.refusal?.contains("value_colum is not a mapping key") == true)
    }
}
