import Foundation
import PMAPModel
import PMAPPlatform
import Testing

/// The outputs are valid instances of their standards (the checks a receiving system makes
/// first), on a 300-patient population in every format.
struct StructureTests {
    let folder = GeneratedPopulation.small

    @Test func everyNDJSONLineParsesWithRequiredElementsAndReferencesResolve() throws {
        let required: [String: [String]] = [
            "Patient": ["id", "identifier", "gender", "birthDate", "name"],
            "Encounter": ["id", "status", "class", "subject.reference", "period.start"],
            "Condition": ["id", "code.coding", "subject.reference", "onsetDateTime"],
            "Observation": ["id", "status", "code.coding", "subject.reference", "effectiveDateTime"],
            "MedicationRequest": [
                "id", "status", "intent", "medicationCodeableConcept.coding", "subject.reference",
            ],
            "Procedure": ["id", "status", "code.coding", "subject.reference", "performedDateTime"],
            "Consent": [
                "id", "status", "scope.coding", "category", "patient.reference", "policyRule.coding",
            ],
            "Organization": ["id", "name"],
        ]
        var ids: [String: Set<String>] = [:]
        var references: [(String, String)] = []
        for (type, paths) in required {
            let resources = try GeneratedPopulation.resources(folder, type)
            #expect(!resources.isEmpty, "no \(type) resources")
            for resource in resources {
                #expect(resource["resourceType"] as? String == type)
                for path in paths { #expect(resource.at(path) != nil, "\(type) lacks \(path)") }
                let id = resource["id"] as? String ?? ""
                #expect(ids[type, default: []].insert(id).inserted, "duplicate \(type) id")
                #expect(
                    id.count <= 64
                        && id.allSatisfy {
                            $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".")
                        })
                for key in ["subject", "patient", "encounter", "serviceProvider", "managingOrganization"] {
                    if let reference = (resource[key] as? [String: Any])?["reference"] as? String {
                        references.append((type, reference))
                    }
                }
            }
        }
        #expect(ids["Patient"]?.count == 300)
        for (from, reference) in references {
            let parts = reference.split(separator: "/")
            #expect(
                parts.count == 2 && ids[String(parts[0])]?.contains(String(parts[1])) == true,
                "\(from) → \(reference) does not resolve")
        }
    }

    @Test func hl7MessagesHaveHeadersEnvelopesAndEscapes() throws {
        for file in ["hl7v2/adt-registrations.hl7", "hl7v2/oru-lab-results.hl7"] {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            #expect(!text.contains("\n"), "\(file): segments must end with CR only")
            let segments = text.split(separator: "\r")
            var messages = 0
            for segment in segments {
                let id = segment.prefix(3)
                #expect(
                    segment.count > 3 && segment.dropFirst(3).first == "|", "\(file): malformed segment \(id)"
                )
                if id == "MSH" {
                    messages += 1
                    #expect(segment.hasPrefix("MSH|^~\\&|"), "MSH-1/MSH-2 encoding characters")
                    let fields = segment.split(separator: "|", omittingEmptySubsequences: false)
                    #expect(fields[11] == "2.5.1", "version 2.5.1")
                    #expect(fields[8].hasPrefix("ADT^A0") || fields[8] == "ORU^R01^ORU_R01")
                }
                // Delimiters inside data are escaped: no field holds a raw '&' outside MSH-2, except
                // PID-3's assigning authorities (namespace&universal id&type sub-components).
                if id != "MSH" && id != "FHS" && id != "BHS" {
                    var fields = segment.split(separator: "|", omittingEmptySubsequences: false)
                    if id == "PID" && fields.count > 3 {
                        #expect(
                            fields[3].contains("&\(Synthesis.mrnSystem)&URI^MR"), "PID-3 names the MRN system"
                        )
                        fields[3] = ""
                    }
                    #expect(!fields.joined().contains("&"), "\(file): unescaped & in \(id)")
                }
            }
            #expect(messages > 0)
            if file.contains("oru") {
                #expect(segments.first?.hasPrefix("FHS|^~\\&|") == true && segments[1].hasPrefix("BHS|"))
                #expect(segments[segments.count - 2] == "BTS|\(messages)" && segments.last == "FTS|1")
                #expect(segments.contains { $0.hasPrefix("OBX|1|NM|") })
            }
        }
        let registrations = try String(
            contentsOf: folder.appendingPathComponent("hl7v2/adt-registrations.hl7"), encoding: .utf8)
        #expect(registrations.contains("\\T\\"), "an address with '&' is sent as \\T\\")
        #expect(registrations.contains("ADT^A04^ADT_A01") && registrations.contains("ADT^A08^ADT_A01"))
    }

    @Test func vcfHasHeaderSamplesAndConsistentColumns() throws {
        let lines = try GeneratedPopulation.lines(folder, "vcf/germline-panel.vcf")
        #expect(lines.first == "##fileformat=VCFv4.2")
        #expect(lines.contains("##reference=GRCh38"))
        let header = try #require(lines.first { $0.hasPrefix("#CHROM") })
        let columns = header.split(separator: "\t")
        #expect(
            Array(columns.prefix(9)) == [
                "#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT",
            ])
        let samples = Set(columns.dropFirst(9).map(String.init))
        #expect(!samples.isEmpty)
        let mrns = Set(
            try GeneratedPopulation.resources(folder, "Patient").compactMap { patient in
                (patient["identifier"] as? [[String: Any]])?.first {
                    ($0["system"] as? String)?.hasSuffix("/mrn") == true
                }?["value"] as? String
            })
        #expect(samples.isSubset(of: mrns), "every VCF sample is a patient's MRN")
        let data = lines.filter { !$0.hasPrefix("#") }
        #expect(data.count == 11)
        for line in data {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            #expect(fields.count == columns.count)
            #expect(fields[8] == "GT:DP")
            #expect(
                fields.dropFirst(9).allSatisfy {
                    ["0/0", "0/1", "1/1"].contains($0.split(separator: ":")[0])
                })
            #expect(Int(fields[1]) != nil && fields[7].contains("GENE="))
        }
    }

    @Test func csvFilesAndMappingsBelongTogether() throws {
        let steps = try GeneratedPopulation.lines(folder, "csv/wearable-steps.csv")
        #expect(steps.first == "mrn,date,steps")
        #expect(steps.dropFirst().allSatisfy { $0.split(separator: ",").count == 3 })
        let environment = try GeneratedPopulation.lines(folder, "csv/environment-zip3.csv")
        #expect(environment.first == "zip3,year,pm25_ug_m3,adi_national_percentile")
        #expect((environment.count - 1) % 18 == 0, "one row per ZIP3 and year 2008–2025")
        for name in ["wearable-steps", "environment-zip3"] {
            let mapping = try String(
                contentsOf: folder.appendingPathComponent("csv/\(name).mapping.yaml"), encoding: .utf8)
            #expect(mapping.contains("source: \(name).csv") && mapping.contains("pmap_mapping: 1"))
        }
    }

    @Test func omopCSVHasTheCDMColumnsAndOneRowPerPerson() throws {
        for table in [
            "person", "observation_period", "visit_occurrence", "condition_occurrence", "drug_exposure",
            "measurement", "observation",
        ] {
            let lines = try GeneratedPopulation.lines(folder, "omop/\(table).csv")
            let expected = CDMSchema.table(named: table)!.columns.map(\.name).joined(separator: ",")
            #expect(lines.first.map(String.init) == expected, "\(table) header")
            #expect(lines.count > 1)
        }
        let people = try GeneratedPopulation.lines(folder, "omop/person.csv").dropFirst()
        #expect(Set(people.map { $0.split(separator: ",")[0] }).count == 300)
        #expect(try GeneratedPopulation.lines(folder, "omop/observation_period.csv").count == 301)
    }

    @Test func truthDocumentsEveryPlantedEffect() throws {
        let data = try Data(contentsOf: folder.appendingPathComponent("truth.json"))
        let truth = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let effects = try #require(truth["effects"] as? [[String: Any]])
        #expect(effects.count >= 6)
        for effect in effects {
            #expect(
                effect["value"] is Double && effect["definition"] is String
                    && effect["howToEstimate"] is String)
        }
        #expect((truth["patientLatentFacts"] as? [[String: Any]])?.count == 300)
    }
}
