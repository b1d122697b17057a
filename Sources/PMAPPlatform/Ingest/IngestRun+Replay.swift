import Foundation
import PMAPIngest
import PMAPModel
import PMAPStore

extension IngestRun {
    /// Separates a mapped CSV row's mapping document from the row in quarantined content.
    static let mappingSeparator = "\n#--- pmap: mapped CSV row follows (header, then row) ---\n"

    /// The records a quarantined record's stored content gives again (FHIR resource, HL7 v2
    /// message, VCF line with its header, mapped CSV row with its mapping); nil when the
    /// content cannot be replayed.
    func replay(_ record: QuarantinedRecord, text: String) throws -> [PendingRecord]? {
        let lineNumber = Int(record.sourceLocation.split(separator: " ").last ?? "") ?? 0
        switch record.recordType {
        case VCFFileReader.recordType:
            guard
                let (context, line, linking) = VCFFileReader.replayContext(text, fileName: record.sourceFile)
            else {
                return nil
            }
            vcfContext = context
            for (sample, identifier) in linking.map { sampleLinking.map[sample] = identifier }
            return [VCFFileReader.record(line[...], number: lineNumber, context: context)]
        case MappedCSVReader.recordType:
            let parts = text.components(separatedBy: Self.mappingSeparator)
            guard parts.count == 2 else { return nil }
            return try MappedCSVReader.replay(
                mapping: parts[0], rowText: parts[1], file: record.sourceFile, line: lineNumber)
        default:
            if text.hasPrefix("MSH") {
                return [
                    HL7v2FileReader.record(
                        HL7v2RawMessage(text: text, ordinal: 0, line: 0), location: record.sourceLocation)
                ]
            }
            let bytes = Array(text.utf8)
            guard let document = try? JSONDocument(bytes: bytes), document.kind(JSONDocument.root) == .object
            else { return nil }
            return FHIRFileReader.records(
                document: document, raw: Data(bytes), location: record.sourceLocation)
        }
    }
}
