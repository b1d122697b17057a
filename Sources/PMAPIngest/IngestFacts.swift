import PMAPGovernance
import PMAPModel

/// A code as a source sent it.
public struct SourceCoding: Sendable, Hashable {
    public let system: String?
    public let code: String
    public let display: String?

    public init(system: String?, code: String, display: String? = nil) {
        self.system = system
        self.code = code
        self.display = display
    }
}

/// Why a record cannot be loaded: a stable reason code and a message naming the field (never
/// a patient value).
public struct RecordProblem: Error, Sendable, CustomStringConvertible {
    /// Stable reason codes shown by `pmap quarantine list`.
    public enum Reason: String, Sendable {
        case malformed = "malformed record"
        case unsupportedType = "unsupported resource type"
        case missingField = "missing required field"
        case invalidDate = "invalid date"
        case invalidValue = "invalid value"
        case danglingReference = "dangling reference"
        case tooLong = "record too long"
    }
    public let reason: Reason
    public let detail: String

    public init(_ reason: Reason, _ detail: String) {
        self.reason = reason
        self.detail = detail
    }

    public var description: String { "\(reason.rawValue): \(detail)" }
}

/// What one source record says, format-neutral, before vocabulary mapping and ids.
public enum IngestFact: Sendable {
    case person(PersonFact)
    case visit(VisitFact)
    case event(EventFact)
    case consent(ConsentFact)
    case careSite(CareSiteFact)
    case provider(ProviderFact)
    /// Two records of one patient joined (HL7 ADT^A40): the prior patient's records move to the survivor.
    case merge(MergeFact)
    /// A genomic variant carried by a sample (one VCF data line gives one per carrying sample).
    case variant(VariantFact)
    /// The CDM values one row of a mapped CSV file gives.
    case mappedRow(BoundCSVMapping.Row)
}

/// A patient: CDM demographics plus the direct identifiers that go only to the vault.
public struct PersonFact: Sendable {
    /// The record's key in its source, e.g. `Patient/123`.
    public var sourceKey: String
    public var gender: String?
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    public var birthDate: String?
    public var deathDate: String?
    /// OMB race and ethnicity codes (US Core), e.g. `2106-3`, `2186-5`.
    public var raceCodes: [String] = []
    public var ethnicityCodes: [String] = []
    public var state: String?
    public var zip3: String?
    public var identity: PersonIdentity

    public init(sourceKey: String, identity: PersonIdentity) {
        self.sourceKey = sourceKey
        self.identity = identity
    }
}

public struct VisitFact: Sendable {
    public var sourceKey: String
    public var patientReference: String
    /// The encounter class code (v3 ActCode: AMB, IMP, EMER, ...).
    public var classCode: String?
    public var start: String
    public var end: String?
}

/// A clinical event (condition, observation, drug, procedure, ...); its CDM table follows
/// the domain of the standard concept its code maps to.
public struct EventFact: Sendable {
    public var sourceKey: String
    public var resourceType: String
    public var patientReference: String
    public var encounterReference: String?
    public var codings: [SourceCoding]
    /// `YYYY-MM-DD`.
    public var start: String
    public var end: String?
    public var valueNumber: Double?
    public var valueCoding: SourceCoding?
    public var valueText: String?
    public var unit: String?
    public var rangeLow: Double?
    public var rangeHigh: Double?
    public var daysSupply: Int?
    public var quantity: Double?
    /// An abnormal flag or interpretation code as the source sent it (HL7 OBX-8: `H`, `L`, `A`, `N`, ...).
    public var interpretation: String?
}

/// HL7 ADT^A40: the patient named by `priorIdentifiers` (MRG-1) is the same person as
/// `survivor` (PID); the prior person's records move to the survivor.
public struct MergeFact: Sendable {
    public var sourceKey: String
    public var survivor: PersonFact
    public var priorIdentifiers: [PersonIdentity.Identifier]

    public init(sourceKey: String, survivor: PersonFact, priorIdentifiers: [PersonIdentity.Identifier]) {
        self.sourceKey = sourceKey
        self.survivor = survivor
        self.priorIdentifiers = priorIdentifiers
    }
}

/// One alternate allele carried by one sample at one VCF position.
public struct VariantFact: Sendable, Equatable {
    /// The sample's name in the VCF header (linked to a person by MRN or a sample map).
    public var sampleID: String
    /// e.g. `GRCh38`, from `##reference` / `##assembly` / contig lines; `unknown` when absent.
    public var genomeBuild: String
    public var chromosome: String
    public var position: Int64
    public var reference: String
    public var alternate: String
    public var geneSymbol: String?
    public var hgvsC: String?
    public var hgvsP: String?
    /// `heterozygous`, `homozygous`, `hemizygous` (one allele called), or `unknown`.
    public var zygosity: String
    public var alleleFraction: Double?
    public var readDepth: Int?
    public var clinicalSignificance: String?

    public init(
        sampleID: String, genomeBuild: String, chromosome: String, position: Int64, reference: String,
        alternate: String, zygosity: String
    ) {
        self.sampleID = sampleID
        self.genomeBuild = genomeBuild
        self.chromosome = chromosome
        self.position = position
        self.reference = reference
        self.alternate = alternate
        self.zygosity = zygosity
    }
}

/// A patient's research consent decision.
public struct ConsentFact: Sendable {
    public var sourceKey: String
    public var patientReference: String
    public var optOut: Bool
    public var date: String
}

/// An organization or location where care happens.
public struct CareSiteFact: Sendable {
    public var sourceKey: String
    public var name: String?
    public var state: String?
    public var zip3: String?
}

/// A clinician (FHIR Practitioner).
public struct ProviderFact: Sendable {
    public var sourceKey: String
    public var name: String?
    public var npi: String?
    public var gender: String?
    public var specialty: SourceCoding?
}
