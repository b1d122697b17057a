import Foundation
import PMAPIngest
import PMAPModel

/// Reads a plain CSV file through its declarative mapping: one record per data row.
enum MappedCSVReader {
    static let recordType = "CSV row"

    /// A quarantined row again, from its mapping document and `header\nrow` text.
    static func replay(mapping text: String, rowText: String, file: String, line: Int) throws
        -> [PendingRecord]?
    {
        guard let mapping = try? CSVMapping.parse(text, fileName: "the mapping kept with the row"),
            let split = rowText.firstIndex(of: "\n")
        else { return nil }
        let delimiter = Character(UnicodeScalar(mapping.delimiter))
        let header = String(rowText[..<split])
        let row = String(rowText[rowText.index(after: split)...])
        guard
            let bound = try? mapping.bind(
                header: CSVRecordParser.fields(of: header, delimiter: delimiter), fileName: file)
        else { return nil }
        let result: Result<[IngestFact], RecordProblem>
        do {
            result = .success([
                .mappedRow(try bound.row(CSVRecordParser.fields(of: row, delimiter: delimiter)))
            ])
        } catch {
            result = .failure(error)
        }
        return [
            PendingRecord(
                key: key(mapping: text, header: header, row: row), type: recordType,
                location: "line \(line)",
                raw: Data(rowText.utf8), hash: sha256Hex(Data(row.utf8)), version: nil, result: result)
        ]
    }

    /// A row's record key: its content with its header and mapping (two files' rows never share
    /// a key by position; an identical row is a duplicate; a changed mapping loads rows anew).
    static func key(mapping: String, header: String, row: String) -> String {
        "csv:" + sha256Hex(Data("\(sha256Hex(Data(mapping.utf8)))\n\(header)\n\(row)".utf8))
    }

    /// The mapping of `input` (its `kind` names the mapping file), read and checked.
    static func mapping(of input: IngestFiles.Input) throws -> CSVMapping {
        let path = input.kind
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PMAPError(
                .badInput, "cannot read the mapping file \(path); check the path given to --mapping")
        }
        return try CSVMapping.parse(
            String(decoding: data, as: UTF8.self), fileName: (path as NSString).lastPathComponent)
    }

    /// Whether rows of this mapping link to persons by residence ZIP3 (loaded after the
    /// persons' observation periods exist).
    static func linksByZIP3(_ input: IngestFiles.Input) -> Bool {
        guard let mapping = try? mapping(of: input), case .residenceZIP3 = mapping.person else {
            return false
        }
        return true
    }

    /// The records of a mapped CSV file; a header that lacks a mapped column refuses the file.
    static func records(of input: IngestFiles.Input, maximumLineBytes: Int) throws -> AnySequence<
        PendingRecord
    > {
        let mapping = try mapping(of: input)
        let mappingText = String(
            decoding: FileManager.default.contents(atPath: input.kind) ?? Data(), as: UTF8.self)
        let reader = try TextFileReader(path: input.path, maximumLineBytes: maximumLineBytes)
        let delimiter = Character(UnicodeScalar(mapping.delimiter))
        guard let headerLine = try reader.nextText() else {
            throw PMAPError(.badInput, "the file is empty; a mapped CSV file starts with a header line")
        }
        let header = String(headerLine)
        let bound = try mapping.bind(
            header: CSVRecordParser.fields(of: header, delimiter: delimiter),
            fileName: (input.path as NSString).lastPathComponent)
        var parser = CSVRecordParser(delimiter: delimiter)
        var startLine = 0
        var recordText = ""
        var finished = false
        return AnySequence(
            AnyIterator { () -> PendingRecord? in
                while !finished {
                    guard let line = reader.next() else {
                        finished = true
                        if let damage = reader.finishError {
                            return PendingRecord(
                                problem: RecordProblem(.malformed, damage.message), type: recordType,
                                location: "end of file", raw: Data())
                        }
                        if parser.hasUnfinishedRecord {
                            return PendingRecord(
                                problem: RecordProblem(
                                    .malformed, "a quoted field is not closed before the end of the file"),
                                type: recordType, location: "line \(startLine)", raw: Data())
                        }
                        return nil
                    }
                    if startLine == 0 { startLine = reader.lineNumber }
                    switch line {
                    case .tooLong(let bytes):
                        startLine = 0
                        recordText = ""
                        return PendingRecord(
                            problem: RecordProblem(.tooLong, "a line of \(bytes) bytes"), type: recordType,
                            location: "line \(reader.lineNumber)", raw: Data())
                    case .text(let text):
                        recordText += recordText.isEmpty ? String(text) : "\n" + text
                        guard let fields = parser.feed(text) else { continue }
                        let original = recordText
                        recordText = ""
                        let location = "line \(startLine)"
                        let key = key(mapping: mappingText, header: header, row: original)
                        startLine = 0
                        if fields.count == 1 && fields[0].isEmpty { continue }  // blank line
                        let raw = Data((header + "\n" + original).utf8)
                        let result: Result<[IngestFact], RecordProblem>
                        do {
                            result = .success([.mappedRow(try bound.row(fields))])
                        } catch {
                            result = .failure(
                                error as? RecordProblem ?? RecordProblem(.malformed, "unreadable row"))
                        }
                        return PendingRecord(
                            key: key, type: recordType, location: location, raw: raw,
                            hash: sha256Hex(Data(original.utf8)), version: nil, result: result)
                    }
                }
                return nil
            })
    }
}
