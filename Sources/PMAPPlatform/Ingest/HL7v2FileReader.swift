import Foundation
import PMAPIngest
import PMAPModel

/// Reads the messages of an HL7 v2 file (plain or gzip): a validation pass over the whole file
/// first, so a structurally broken file is refused before anything of it loads, then a
/// streaming pass giving one record per message.
enum HL7v2FileReader {
    /// Checks the file's structure (envelopes, segment order); throws the rule it breaks.
    static func validate(_ path: String) throws {
        let reader = try TextFileReader(path: path)
        var splitter = HL7v2Splitter()
        do {
            while let chunk = reader.nextChunk() { _ = try splitter.feed(chunk) }
            _ = try splitter.finish()
        } catch {
            throw PMAPError(
                .badInput,
                "not a valid HL7 v2 file: \(error.rule) (line \(error.line)); nothing of it was loaded")
        }
        if let damage = reader.finishError { throw damage }
    }

    /// The file's messages as records (after ``validate(_:)``).
    static func records(of path: String) throws -> AnySequence<PendingRecord> {
        let reader = try TextFileReader(path: path)
        var splitter = HL7v2Splitter()
        var ready: [HL7v2RawMessage] = []
        var next = 0
        var finished = false
        return AnySequence(
            AnyIterator {
                while next == ready.count && !finished {
                    next = 0
                    if let chunk = reader.nextChunk() {
                        ready = (try? splitter.feed(chunk)) ?? []
                    } else {
                        ready = (try? splitter.finish()) ?? []
                        finished = true
                    }
                }
                guard next < ready.count else { return nil }
                next += 1
                return record(ready[next - 1])
            })
    }

    /// One message as a record: parsed and mapped, or carrying its problem.
    static func record(_ message: HL7v2RawMessage, location: String? = nil) -> PendingRecord {
        let raw = Data(message.text.utf8)
        let location = location ?? "message \(message.ordinal) (line \(message.line))"
        do {
            let parsed = try HL7v2Message(message.text)
            let mapped = try HL7v2Mapper.record(of: parsed)
            return PendingRecord(
                key: mapped.key, type: mapped.type, location: location, raw: raw, hash: sha256Hex(raw),
                version: mapped.version, result: .success(mapped.facts))
        } catch {
            return PendingRecord(problem: error, type: "HL7 v2 message", location: location, raw: raw)
        }
    }
}
