import PMAPModel

/// One synthetic patient: identity, demographics and every clinical event, independent of
/// the formats it is rendered to.
public struct SynthPatient: Sendable {
    public enum Sex: String, Sendable { case male, female }

    /// Where the patient lives.
    public struct Address: Sendable {
        public let line: String
        public let city: String
        public let state: String
        public let zip: String
        public var zip3: String { String(zip.prefix(3)) }
    }

    public struct Visit: Sendable {
        public enum Kind: String, Sendable { case outpatient, inpatient, emergency }
        public let number: Int
        public let kind: Kind
        public let start: Day
        public let end: Day
    }

    public struct Condition: Sendable {
        public let code: SynthCode
        /// The ICD-10-CM code a billing system would send beside the SNOMED one, if any.
        public let icd10: SynthCode?
        public let onset: Day
        public let visit: Int?
    }

    public struct Measurement: Sendable {
        /// Where the result arrives from: the lab feed (HL7 v2 ORU) or the EHR (FHIR).
        public enum Channel: Sendable { case lab, ehr }
        public let code: SynthCode
        public let day: Day
        public let value: Double?
        /// For coded results (grade group, stage).
        public let valueCode: SynthCode?
        public let unit: Unit?
        public let referenceLow: Double?
        public let referenceHigh: Double?
        public let channel: Channel
        public let visit: Int?
        /// Decimal places the value is reported with.
        public let decimals: Int

        /// "H" above the reference range, "L" below, nil inside or without a range.
        public var abnormalFlag: String? {
            guard let value else { return nil }
            if let high = referenceHigh, value > high { return "H" }
            if let low = referenceLow, value < low { return "L" }
            return nil
        }
    }

    /// A UCUM unit with its OMOP concept.
    public struct Unit: Sendable, Hashable {
        public let ucum: String
        public let conceptID: Int64
    }

    public struct DrugExposure: Sendable {
        public let code: SynthCode
        public let start: Day
        public let daysSupply: Int
        public var end: Day { start + (daysSupply - 1) }
        public let visit: Int?
    }

    public struct Procedure: Sendable {
        public let code: SynthCode
        public let day: Day
        public let visit: Int?
    }

    /// One daily reading of a wearable device.
    public struct StepCount: Sendable {
        public let day: Day
        public let steps: Int
    }

    public let index: Int
    /// The OMOP person_id the OMOP CSV rendering uses (index + 1).
    public var personID: Int64 { Int64(index + 1) }
    /// A stable resource id for FHIR.
    public let fhirID: String
    public let mrn: String
    public let ssn: String
    public let givenName: String
    public let familyName: String
    public let sex: Sex
    public let birthDate: Day
    public let raceConceptID: Int64
    public let ethnicityConceptID: Int64
    public let address: Address
    public let phone: String
    public let email: String
    /// The first and last day the hospital saw the patient.
    public let firstSeen: Day
    public internal(set) var lastSeen: Day
    public internal(set) var deathDate: Day?
    public var visits: [Visit] = []
    public var conditions: [Condition] = []
    public var measurements: [Measurement] = []
    public var drugs: [DrugExposure] = []
    public var procedures: [Procedure] = []
    /// Genotype per ``GermlinePanel/variants`` entry (0 reference, 1 heterozygous,
    /// 2 homozygous alternate) when the patient had germline panel testing; nil when not tested.
    public var germlineGenotypes: [UInt8]?
    /// The day the germline panel was sequenced.
    public var germlineTestDate: Day?
    /// Whether the patient declined research use of their data, and when.
    public var researchOptOut: Day?
    public var stepCounts: [StepCount] = []
    /// Latent facts the data do not show directly, for truth.json.
    public var latent = Latent()

    public struct Latent: Sendable {
        /// The MS latent trajectory class (0 stable, 1 moderate, 2 rapid), for MS patients.
        public var msClass: Int?
        public var msPhenotype: String?
        public var msDiagnosis: Day?
        public var prostateDiagnosis: Day?
        public var prostateGradeGroup: Int?
        public var prostateMetastasis: Day?
        public var brca2Carrier = false
        public var hypertension = false
        public var highPM25 = false
    }
}
