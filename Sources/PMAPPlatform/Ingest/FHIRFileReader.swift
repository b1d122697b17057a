import Foundation
import PMAPIngest

/// Reads the records of a FHIR file: NDJSON (one resource per line, streamed), or one JSON
/// document holding a Bundle (its entries, in load order) or a single resource. Bad lines
/// become records that carry their problem, so nothing is skipped silently.
enum FHIRFileReader {
    /// The largest whole-document file read into memory.
    static let maximumDocumentBytes = 512 << 20

    static func records(of path: String, maximumLineBytes: Int) throws -> AnySequence<PendingRecord> {
        let reader = try TextFileReader(path: path, maximumLineBytes: maximumLineBytes)
        guard let first = reader.nextBytes() else { return AnySequence([]) }
        if case .bytes(let line) = first, let document = try? JSONDocument(bytes: line),
            document.kind(JSONDocument.root) == .object
        {
            // NDJSON: stream the file, reading lines in chunks and parsing each chunk on every
            // core (JSON parsing and mapping cost more than reading or writing).
            var pending: [PendingRecord] = records(line: first, number: 1, path: path)
            var next = 0
            var finished = false
            return AnySequence(
                AnyIterator {
                    while next == pending.count && !finished {
                        var lines: [(TextFileReader.ByteLine, Int)] = []
                        while lines.count < parseChunk, let line = reader.nextBytes() {
                            lines.append((line, reader.lineNumber))
                        }
                        pending = parseInParallel(lines, path: path)
                        next = 0
                        if lines.count < parseChunk {
                            finished = true
                            if let damage = reader.finishError {
                                pending.append(
                                    PendingRecord(
                                        problem: RecordProblem(.malformed, damage.message),
                                        location: "end of file",
                                        raw: Data()))
                            }
                        }
                    }
                    guard next < pending.count else { return nil }
                    next += 1
                    return pending[next - 1]
                })
        }
        // One JSON document spread over lines.
        var text: [UInt8] = []
        func append(_ line: TextFileReader.ByteLine) -> Bool {
            guard case .bytes(let content) = line, text.count + content.count + 1 <= maximumDocumentBytes
            else {
                return false
            }
            text += content
            text.append(0x0A)
            return true
        }
        var ok = append(first)
        while ok, let next = reader.nextBytes() { ok = append(next) }
        guard ok else {
            return AnySequence([
                PendingRecord(
                    problem: RecordProblem(
                        .tooLong,
                        "a JSON document larger than \(maximumDocumentBytes >> 20) MB; export it as NDJSON"),
                    location: "document", raw: Data())
            ])
        }
        let raw = Data(text)
        guard let document = try? JSONDocument(bytes: text), document.kind(JSONDocument.root) == .object
        else {
            return AnySequence([
                PendingRecord(
                    problem: RecordProblem(.malformed, "the file is not valid JSON"), location: "document",
                    raw: raw)
            ])
        }
        return AnySequence(records(document: document, raw: raw, location: "document"))
    }

    /// Lines read and parsed together.
    static let parseChunk = 1024

    /// The records of `lines`, in order, parsed by as many workers as the machine has cores.
    static func parseInParallel(_ lines: [(TextFileReader.ByteLine, Int)], path: String) -> [PendingRecord] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        guard lines.count > 64, workers > 1 else {
            return lines.flatMap { records(line: $0.0, number: $0.1, path: path) }
        }
        let results = ResultSlots(count: workers)
        let size = (lines.count + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let slice = lines[min(worker * size, lines.count)..<min((worker + 1) * size, lines.count)]
            results.set(worker, slice.flatMap { records(line: $0.0, number: $0.1, path: path) })
        }
        return results.all.flatMap { $0 }
    }

    /// Per-worker result slots (each worker writes only its own slot).
    private final class ResultSlots: @unchecked Sendable {
        private var slots: [[PendingRecord]]
        private let lock = NSLock()
        init(count: Int) { slots = Array(repeating: [], count: count) }
        func set(_ index: Int, _ records: [PendingRecord]) {
            lock.lock()
            slots[index] = records
            lock.unlock()
        }
        var all: [[PendingRecord]] { slots }
    }

    /// The record(s) of one NDJSON line.
    private static func records(line: TextFileReader.ByteLine, number: Int, path: String) -> [PendingRecord] {
        let location = "line \(number)"
        switch line {
        case .tooLong(let bytes):
            return [
                PendingRecord(
                    problem: RecordProblem(.tooLong, "a line of \(bytes) bytes"), location: location,
                    raw: Data())
            ]
        case .bytes(let bytes):
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C }) {
                return []
            }
            let raw = Data(bytes)
            guard let document = try? JSONDocument(bytes: bytes), document.kind(JSONDocument.root) == .object
            else {
                return [
                    PendingRecord(
                        problem: RecordProblem(.malformed, "not a JSON object"), location: location, raw: raw)
                ]
            }
            return records(document: document, raw: raw, location: location)
        }
    }

    /// A resource, or a Bundle's entries (aliases for `urn:uuid:` references; load order).
    static func records(document: JSONDocument, raw: Data, location: String) -> [PendingRecord] {
        guard let typeNode = document.member(JSONDocument.root, "resourceType"),
            document.string(typeNode) == "Bundle"
        else {
            return [record(document, raw: raw, location: location, aliases: [:])]
        }
        // Bundles are rare next to NDJSON: read as a tree, each entry written out again so
        // that it is a record of its own (hashed, quarantined and replayed alone).
        guard let object = (try? JSONReader.parse(raw)) as? [String: Any] else {
            return [
                PendingRecord(
                    problem: RecordProblem(.malformed, "not a JSON object"), location: location, raw: raw)
            ]
        }
        let entries = (object["entry"] as? [[String: Any]]) ?? []
        var aliases: [String: String] = [:]
        for entry in entries {
            if let url = entry["fullUrl"] as? String, let resource = entry["resource"] as? [String: Any],
                let type = resource["resourceType"] as? String, let id = resource["id"] as? String
            {
                aliases[url] = "\(type)/\(id)"
            }
        }
        let rank = Dictionary(
            uniqueKeysWithValues: FHIRMapper.loadOrder.enumerated().map { ($0.element, $0.offset) })
        let ordered = entries.enumerated().sorted { a, b in
            let ra = rank[(a.element["resource"] as? [String: Any])?["resourceType"] as? String ?? ""] ?? 99
            let rb = rank[(b.element["resource"] as? [String: Any])?["resourceType"] as? String ?? ""] ?? 99
            return ra != rb ? ra < rb : a.offset < b.offset
        }
        return ordered.map { index, entry in
            let entryLocation = "\(location), entry \(index + 1)"
            guard var resource = entry["resource"] as? [String: Any] else {
                return PendingRecord(
                    problem: RecordProblem(.missingField, "Bundle.entry.resource"), location: entryLocation,
                    raw: Data())
            }
            if resource["id"] == nil, let url = entry["fullUrl"] as? String {
                resource["id"] = String(url.suffix(64)).replacingOccurrences(of: ":", with: "-")
            }
            let data =
                (try? JSONSerialization.data(withJSONObject: resource, options: [.sortedKeys])) ?? Data()
            guard let entryDocument = try? JSONDocument(bytes: Array(data)) else {
                return PendingRecord(
                    problem: RecordProblem(.malformed, "Bundle.entry.resource"), location: entryLocation,
                    raw: data)
            }
            return record(entryDocument, raw: data, location: entryLocation, aliases: aliases)
        }
    }

    private static func record(
        _ document: JSONDocument, raw: Data, location: String, aliases: [String: String]
    ) -> PendingRecord {
        func text(_ node: Int?, _ key: String) -> String? {
            node.flatMap { document.member($0, key) }.flatMap(document.string)
        }
        let type = text(JSONDocument.root, "resourceType")
        let id = text(JSONDocument.root, "id")
        let meta = document.member(JSONDocument.root, "meta")
        let version = text(meta, "versionId") ?? text(meta, "lastUpdated")
        let result: Result<[IngestFact], RecordProblem>
        do {
            result = .success(try FHIRMapper.facts(of: document, referenceAliases: aliases))
        } catch let problem as RecordProblem {
            result = .failure(problem)
        } catch {
            result = .failure(RecordProblem(.malformed, "unexpected structure"))
        }
        return PendingRecord(
            key: type.flatMap { type in id.map { "\(type)/\($0)" } }, type: type, location: location,
            raw: raw,
            hash: sha256Hex(raw), version: version, result: result)
    }
}
