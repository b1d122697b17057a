import Foundation
import PMAPPlatform
import PMAPTestSupport
import Testing

struct FHIRIngestTests {
    /// The synthetic population's FHIR export loads with an exact reconciliation, lands in the
    /// CDM tables of its codes' domains, gets derived tables, and leaves no identifier in clear.
    @Test func synthExportLoadsExactlyAndKeepsIdentifiersInTheVault() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let export = fixture.folder.file("synth")
        _ = try Synthesis.run(patients: 60, seed: 8, formats: [.fhir], folder: export, force: false)
        var lines: [String: Int] = [:]
        for type in [
            "Patient", "Encounter", "Condition", "Observation", "MedicationRequest", "Procedure", "Consent",
            "Organization",
        ] {
            lines[type] = LineScanner.lines(of: "\(export)/fhir/\(type).ndjson").count
        }
        let report = try await fixture.ingest([export])
        #expect(report.read == lines.values.reduce(0, +))
        #expect(report.loaded == report.read && report.quarantined == 0 && report.duplicates == 0)
        #expect(report.skippedFiles.map { ($0.path as NSString).lastPathComponent } == ["truth.json"])

        let counts = try await fixture.counts()
        #expect(counts["person"] == 60)
        #expect(counts["visit_occurrence"] == lines["Encounter"])
        #expect(counts["measurement"]! + counts["observation"]! == lines["Observation"])
        #expect(counts["drug_exposure"] == lines["MedicationRequest"])
        #expect(counts["procedure_occurrence"] == lines["Procedure"])
        #expect(counts["pmap_consent"] == lines["Consent"])
        #expect(counts["pmap_identity"] == 60)
        #expect(
            counts["observation_period"]! >= 60 && counts["condition_era"]! > 0 && counts["drug_era"]! > 0)

        // No MRN, SSN or family name of the export appears anywhere in the store's bytes.
        let bytes = try fixture.storeBytes()
        for patient in LineScanner.lines(of: "\(export)/fhir/Patient.ndjson").prefix(10) {
            let object = try JSONSerialization.jsonObject(with: Data(patient.utf8)) as! [String: Any]
            let identifiers = (object["identifier"] as! [[String: Any]]).map { $0["value"] as! String }
            let family = ((object["name"] as! [[String: Any]])[0]["family"] as! String)
            for secret in identifiers + [family + "^", "\"" + family + "\""] {
                #expect(bytes.range(of: Data(secret.utf8)) == nil, "a direct identifier is stored in clear")
            }
        }
    }

    @Test func ingestingTheSameFilesAgainAddsNothing() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let path = try fixture.write(
            "export/records.ndjson", IngestFixture.patient + "\n" + IngestFixture.observation + "\n")
        let first = try await fixture.ingest([path])
        #expect(first.loaded == 2)
        let before = try await fixture.counts()
        let second = try await fixture.ingest([path])
        #expect(second.read == 2 && second.duplicates == 2 && second.loaded == 0)
        var after = try await fixture.counts()
        after["pmap_data_load"] = before["pmap_data_load"]
        #expect(after == before)
    }

    @Test func newerVersionUpdatesAndOlderVersionIsIgnored() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        _ = try await fixture.ingest([try fixture.write("v1.ndjson", IngestFixture.patient + "\n")])
        let newer = IngestFixture.patient.replacingOccurrences(of: "2024-01-01", with: "2025-01-01")
            .replacingOccurrences(of: "1970-05-06", with: "1971-05-06")
        let update = try await fixture.ingest([try fixture.write("v2.ndjson", newer + "\n")])
        #expect(update.loaded == 1)
        let older = IngestFixture.patient.replacingOccurrences(of: "2024-01-01", with: "2023-01-01")
            .replacingOccurrences(of: "1970-05-06", with: "1960-05-06")
        let stale = try await fixture.ingest([try fixture.write("v0.ndjson", older + "\n")])
        #expect(stale.duplicates == 1)
        let counts = try await fixture.counts()
        #expect(counts["person"] == 1)
        #expect(try fixture.integers("SELECT year_of_birth FROM person") == [1971])
    }

    @Test func badRecordsAreQuarantinedWithReasonsAndNeverCrash() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        var lines = [
            IngestFixture.patient,
            #"{"resourceType":"Observation","id":"broken""#,
            #"{"resourceType":"Claim","id":"c1"}"#,
            #"{"resourceType":"Observation","id":"o2","status":"final","subject":{"reference":"Patient/nobody"},"code":{"coding":[{"system":"http://loinc.org","code":"2857-1"}]},"effectiveDateTime":"2021-03-04"}"#,
            #"{"resourceType":"Condition","id":"c2","subject":{"reference":"Patient/p1"},"code":{"coding":[{"system":"http://snomed.info/sct","code":"59621000"}]},"onsetDateTime":"2020-02-30"}"#,
            "[1,2,3]",
        ]
        lines.append(IngestFixture.observation)
        let path = try fixture.write("bad.ndjson", lines.joined(separator: "\n") + "\n")
        // Non-UTF-8 bytes inside a line.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes.append(contentsOf: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D, 0x0A])
        try bytes.write(to: URL(fileURLWithPath: path))
        let report = try await fixture.ingest([path])
        #expect(report.read == 8)
        #expect(report.loaded == 2 && report.quarantined == 6)
        #expect(report.read == report.loaded + report.duplicates + report.quarantined)
        #expect(report.quarantineReasons["malformed record"] == 3)
        #expect(report.quarantineReasons["unsupported resource type"] == 1)
        #expect(report.quarantineReasons["dangling reference"] == 1)
        #expect(report.quarantineReasons["invalid date"] == 1)
        let quarantined = try await fixture.platform.quarantinedRecords(fixture.admin)
        #expect(quarantined.count == 6)
        let (record, content) = try await fixture.platform.quarantinedRecord(
            fixture.admin, id: quarantined.last!.id, vault: fixture.vault)
        #expect(record.sourceLocation == "line 2" && content.contains("broken"))
    }

    @Test func danglingRecordLoadsOnRetryOnceItsPatientArrives() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let first = try await fixture.ingest([
            try fixture.write("obs.ndjson", IngestFixture.observation + "\n")
        ])
        #expect(first.quarantined == 1)
        _ = try await fixture.ingest([try fixture.write("patients.ndjson", IngestFixture.patient + "\n")])
        let retry = try await fixture.platform.retryQuarantine(fixture.admin, vault: fixture.vault)
        #expect(retry.retried == 1 && retry.loaded == 1 && retry.stillQuarantined == 0)
        #expect(try await fixture.counts()["measurement"] == 1)
        #expect(try await fixture.platform.quarantinedRecords(fixture.admin).isEmpty)
    }

    @Test func bundlesResolveURNReferencesInAnyOrder() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let bundle = """
            {"resourceType":"Bundle","type":"transaction","entry":[
              {"fullUrl":"urn:uuid:obs-1","resource":{"resourceType":"Observation","id":"b-o1","status":"final",
                 "subject":{"reference":"urn:uuid:pat-1"},"code":{"coding":[{"system":"http://loinc.org","code":"2857-1"}]},
                 "effectiveDateTime":"2022-01-01","valueQuantity":{"value":3.1,"code":"ng/mL"}}},
              {"fullUrl":"urn:uuid:pat-1","resource":{"resourceType":"Patient","id":"b-p1","gender":"male","birthDate":"1950"}}
            ]}
            """
        let report = try await fixture.ingest([try fixture.write("bundle.json", bundle)])
        #expect(report.read == 2 && report.loaded == 2)
        let counts = try await fixture.counts()
        #expect(counts["person"] == 1 && counts["measurement"] == 1)
    }

    @Test func dryRunWritesNothingButReportsEverything() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let before = try await fixture.counts()
        let path = try fixture.write(
            "x.ndjson", IngestFixture.patient + "\n" + IngestFixture.observation + "\n{oops\n")
        let report = try await fixture.ingest([path], dryRun: true)
        #expect(report.dryRun && report.read == 3 && report.loaded == 2 && report.quarantined == 1)
        var after = try await fixture.counts()
        after["pmap_data_load"] = before["pmap_data_load"]
        #expect(after == before)
    }

    @Test func gzipFilesAndUnknownFilesAreHandled() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let plain = try fixture.write("in/patients.ndjson", IngestFixture.patient + "\n")
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", plain]
        try gzip.run()
        gzip.waitUntilExit()
        try fixture.write("in/notes.txt", "free text, not data\n")
        try FileManager.default.createDirectory(
            atPath: fixture.folder.file("cut"), withIntermediateDirectories: true)
        // A truncated copy of the compressed file: what was readable loads, the damage is reported.
        let compressed = try Data(contentsOf: URL(fileURLWithPath: plain + ".gz"))
        try compressed.prefix(compressed.count - 12).write(
            to: URL(fileURLWithPath: fixture.folder.file("cut/patients.ndjson.gz")))
        let report = try await fixture.ingest([fixture.folder.file("in")])
        #expect(report.loaded == 1)
        #expect(report.skippedFiles.map { ($0.path as NSString).lastPathComponent } == ["notes.txt"])
        let damaged = try await fixture.ingest([fixture.folder.file("cut")])
        #expect(damaged.read == damaged.loaded + damaged.duplicates + damaged.quarantined)
        #expect(damaged.quarantined >= 1, "a truncated gzip stream is reported, not passed over")
    }
}

extension FHIRIngestTests {
    /// A line longer than the limit is quarantined as too long (not read into memory) and the
    /// lines around it still load.
    @Test func enormousLineIsQuarantinedNotLoaded() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let huge =
            #"{"resourceType":"Patient","id":"big","note":""# + String(repeating: "x", count: 3 << 20)
            + #""}"#
        let path = try fixture.write(
            "big.ndjson",
            [IngestFixture.patient, huge, IngestFixture.observation].joined(separator: "\n") + "\n")
        var request = IngestRequest(paths: [path], sourceName: "test")
        request.maximumLineBytes = 1 << 20
        let report = try await fixture.platform.ingest(fixture.admin, request, vault: fixture.vault)
        #expect(report.read == 3 && report.loaded == 2 && report.quarantined == 1)
        #expect(report.quarantineReasons["record too long"] == 1)
    }
}

extension FHIRIngestTests {
    /// Codes the vocabulary lacks keep concept 0 and their source value, and `status --mapping`
    /// counts them.
    @Test func unmappedCodesKeepConceptZeroAndShowInCoverage() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let unknown = IngestFixture.observation.replacingOccurrences(of: "2857-1", with: "99999-9")
            .replacingOccurrences(of: "\"o1\"", with: "\"o2\"")
        let path = try fixture.write(
            "m.ndjson",
            [IngestFixture.patient, IngestFixture.observation, unknown].joined(separator: "\n") + "\n")
        let report = try await fixture.ingest([path])
        #expect(report.loaded == 3)
        let coverage = try await fixture.platform.mappingCoverage(fixture.admin)
        let measurement = try #require(coverage.tables.first { $0.table == "measurement" })
        #expect(measurement.rows == 2 && measurement.mapped == 1)
        #expect(coverage.topUnmapped.first?.sourceValue == "99999-9")
        #expect(
            try fixture.integers("SELECT measurement_concept_id FROM measurement ORDER BY measurement_id")
                == [3_013_603, 0])
    }
}

extension FHIRIngestTests {
    @Test func practitionersBecomeProviders() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let practitioner =
            #"{"resourceType":"Practitioner","id":"dr1","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"1234567893"}],"name":[{"family":"Welby","given":["Marcus"]}],"gender":"male"}"#
        let report = try await fixture.ingest([try fixture.write("dr.ndjson", practitioner + "\n")])
        #expect(report.loaded == 1)
        #expect(
            try fixture.integers(
                "SELECT count(*) FROM provider WHERE npi = '1234567893' AND gender_concept_id = 8507") == [1])
    }
}

extension FHIRIngestTests {
    @Test func coverageIsReportedBySourceVocabulary() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let unknown = IngestFixture.observation.replacingOccurrences(of: "2857-1", with: "99999-9")
            .replacingOccurrences(of: "\"o1\"", with: "\"o2\"")
        _ = try await fixture.ingest([
            try fixture.write(
                "v.ndjson",
                [IngestFixture.patient, IngestFixture.observation, unknown].joined(separator: "\n") + "\n")
        ])
        let coverage = try await fixture.platform.mappingCoverage(fixture.admin)
        #expect(
            coverage.vocabularies.contains { $0.vocabularyID == "LOINC" && $0.rows == 1 && $0.mapped == 1 })
        #expect(coverage.vocabularies.contains { $0.vocabularyID == nil && $0.rows == 1 && $0.mapped == 0 })
    }
}

extension FHIRIngestTests {
    /// A dispense with only a days supply ends `daysSupply - 1` days after it starts (across a
    /// leap day here).
    @Test func daysSupplyGivesTheDrugExposureEnd() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        let dispense =
            #"{"resourceType":"MedicationDispense","id":"d1","status":"completed","subject":{"reference":"Patient/p1"},"medicationCodeableConcept":{"coding":[{"system":"http://www.nlm.nih.gov/research/umls/rxnorm","code":"6809"}]},"whenHandedOver":"2024-02-15","daysSupply":{"value":30}}"#
        let report = try await fixture.ingest([
            try fixture.write("d.ndjson", IngestFixture.patient + "\n" + dispense + "\n")
        ])
        #expect(report.loaded == 2)
        #expect(
            try fixture.integers(
                "SELECT julianday(drug_exposure_end_date) - julianday('2024-03-15') FROM drug_exposure") == [
                    0
                ])
    }

    /// versionId "10" is newer than "9" (not older, as text comparison would say).
    @Test func numericVersionsCompareAsNumbers() async throws {
        let fixture = try await IngestFixture()
        defer { fixture.folder.remove() }
        func patient(_ version: String, _ gender: String) -> String {
            #"{"resourceType":"Patient","id":"v","meta":{"versionId":"\#(version)"},"gender":"\#(gender)","birthDate":"1950"}"#
        }
        _ = try await fixture.ingest([try fixture.write("9.ndjson", patient("9", "male"))])
        let newer = try await fixture.ingest([try fixture.write("10.ndjson", patient("10", "female"))])
        #expect(newer.loaded == 1 && newer.duplicates == 0)
        #expect(try fixture.integers("SELECT gender_concept_id FROM person") == [8532])
    }
}
