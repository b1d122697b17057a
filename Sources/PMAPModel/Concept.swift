/// An OMOP concept id: the integer key of the `concept` table.
public struct ConceptID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    public let rawValue: Int64
    public init(rawValue: Int64) { self.rawValue = rawValue }
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
    public init(integerLiteral value: Int64) { self.rawValue = value }

    /// Concept 0, "No matching concept": what CDM rows carry when a source code has no mapping.
    public static let noMatchingConcept = ConceptID(0)

    /// The first id OMOP reserves for an institution's own (local) concepts.
    public static let firstLocalID: Int64 = 2_000_000_000

    /// Whether this id lies in the range OMOP reserves for local concepts.
    public var isLocal: Bool { rawValue > Self.firstLocalID }

    public static func < (lhs: ConceptID, rhs: ConceptID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// One row of the OMOP `concept` table.
public struct Concept: Sendable, Hashable {
    public let id: ConceptID
    public let name: String
    public let domainID: String
    public let vocabularyID: String
    public let conceptClassID: String
    /// `S` (standard), `C` (classification) or `nil` (source / non-standard).
    public let standardConcept: String?
    public let code: String
    public let validStartDate: String
    public let validEndDate: String
    public let invalidReason: String?

    public init(
        id: ConceptID, name: String, domainID: String, vocabularyID: String, conceptClassID: String,
        standardConcept: String?, code: String, validStartDate: String = "1970-01-01",
        validEndDate: String = "2099-12-31", invalidReason: String? = nil
    ) {
        self.id = id
        self.name = name
        self.domainID = domainID
        self.vocabularyID = vocabularyID
        self.conceptClassID = conceptClassID
        self.standardConcept = standardConcept
        self.code = code
        self.validStartDate = validStartDate
        self.validEndDate = validEndDate
        self.invalidReason = invalidReason
    }

    /// Whether this is a standard concept, the kind CDM `*_concept_id` columns hold.
    public var isStandard: Bool { standardConcept == "S" }
}

/// Which way to walk the concept hierarchy.
public enum HierarchyDirection: Sendable {
    case ancestors, descendants
}

/// A concept reached through `concept_ancestor`, with its distance.
public struct ConceptRelative: Sendable, Hashable {
    public let concept: Concept
    public let minLevels: Int
    public let maxLevels: Int

    public init(concept: Concept, minLevels: Int, maxLevels: Int) {
        self.concept = concept
        self.minLevels = minLevels
        self.maxLevels = maxLevels
    }
}

/// A row of `concept_relationship` seen from one concept.
public struct ConceptLink: Sendable, Hashable {
    public let relationshipID: String
    public let concept: Concept

    public init(relationshipID: String, concept: Concept) {
        self.relationshipID = relationshipID
        self.concept = concept
    }
}
