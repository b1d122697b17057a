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
