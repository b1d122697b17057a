import PMAPModel
import PMAPVocabulary

/// A coded fact as a source system sends it: code system URI, code and display, plus the
/// OMOP standard concept it stands for (what the OMOP CSV rendering writes directly).
public struct SynthCode: Sendable, Hashable {
    public let system: String
    public let code: String
    public let display: String
    public let conceptID: Int64
    /// The OMOP vocabulary the code belongs to (SNOMED, LOINC, RxNorm, ICD10CM, PMAP, ...).
    public let vocabularyID: String

    /// FHIR code system URIs of the OMOP vocabularies the generator uses.
    public static let systems: [String: String] = [
        "SNOMED": "http://snomed.info/sct", "LOINC": "http://loinc.org",
        "RxNorm": "http://www.nlm.nih.gov/research/umls/rxnorm",
        "ICD10CM": "http://hl7.org/fhir/sid/icd-10-cm",
        "NCIt": "http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl", "UCUM": "http://unitsofmeasure.org",
        "PMAP": SynthCode.localSystem,
    ]

    /// PMAP's code system for its local concepts (ids above 2,000,000,000).
    public static let localSystem = "urn:pmap:local-concept"
    /// A code system carrying OMOP concept ids directly, for concepts whose source code the
    /// starter vocabulary lacks.
    public static let omopSystem = "urn:pmap:omop-concept-id"

    init(concept: Concept) {
        conceptID = concept.id.rawValue
        display = concept.name
        vocabularyID = concept.vocabularyID
        if let system = Self.systems[concept.vocabularyID], !concept.code.isEmpty {
            self.system = system
            code = concept.code
        } else {
            system = Self.omopSystem
            code = String(concept.id.rawValue)
        }
    }
}

/// The concepts the generator draws on, looked up in the starter vocabulary by id.
struct SynthCatalog {
    private let concepts: [Int64: Concept]

    init(vocabulary: VocabularyContent) {
        concepts = Dictionary(uniqueKeysWithValues: vocabulary.concepts.map { ($0.id.rawValue, $0) })
    }

    /// The code for `id`; the starter vocabulary test guarantees every id the generator names.
    func code(_ id: Int64) throws -> SynthCode {
        guard let concept = concepts[id] else {
            throw PMAPError(
                .failure,
                "the synthetic generator needs concept \(id), which the starter vocabulary lacks; this is a bug in PMAP"
            )
        }
        return SynthCode(concept: concept)
    }

    /// The ICD-10-CM source code that maps to standard concept `id`, when the vocabulary has one.
    func icd10(for id: Int64, mapsTo: [VocabularyContent.MapsTo]) -> SynthCode? {
        guard let link = mapsTo.first(where: { $0.target.rawValue == id }),
            let concept = concepts[link.source.rawValue],
            concept.vocabularyID == "ICD10CM"
        else { return nil }
        return SynthCode(concept: concept)
    }
}
