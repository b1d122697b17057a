import Foundation
import PMAPSynth

@_exported import enum PMAPSynth.SynthFormat
@_exported import struct PMAPSynth.SynthSummary

/// The `pmap synth` use case: a synthetic population written to a folder. It reads and
/// writes no store and no patient data of the institution.
public enum Synthesis {
    /// The identifier system of the synthetic MRNs (give it to `pmap ingest --mrn-system`).
    public static var mrnSystem: String { SyntheticPopulation.mrnSystem }

    /// Generates `patients` patients of `seed` in `formats` into `folder`.
    ///
    /// Refuses (usage error) a folder that exists and is not empty, unless `force`; with
    /// `force` only the files the generator writes are replaced.
    public static func run(
        patients: Int, seed: UInt64, formats: [SynthFormat], folder: String, force: Bool,
        progress: @escaping (Int) -> Void = { _ in }
    ) throws -> SynthSummary {
        guard patients > 0 else { throw PMAPError(.usage, "--patients must be at least 1 (got \(patients))") }
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: folder, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw PMAPError(.usage, "\(folder) is a file; give --out a folder that is new or empty")
            }
            let entries = (try? manager.contentsOfDirectory(atPath: folder)) ?? []
            if !entries.isEmpty && !force {
                throw PMAPError(
                    .usage,
                    "\(folder) is not empty; choose a new folder, or add --force to replace the files pmap synth writes there"
                )
            }
        }
        let sink = try FileSink(root: folder)
        try SyntheticPopulation.generate(
            patients: patients, seed: seed, formats: formats, sink: sink, progress: progress)
        return SynthSummary(patients: patients, bytesByFile: try sink.close())
    }
}

/// Writes each stream to a file under `root`, creating folders as needed.
final class FileSink: SynthSink {
    private let root: URL
    private var streams: [String: TextStream] = [:]
    private var handles: [String: FileHandle] = [:]

    init(root: String) throws {
        self.root = URL(fileURLWithPath: root)
        do {
            try FileManager.default.createDirectory(at: self.root, withIntermediateDirectories: true)
        } catch {
            throw PMAPError(
                .failure, "cannot create the output folder \(root); check the path and its permissions")
        }
    }

    func stream(_ path: String) throws -> TextStream {
        if let stream = streams[path] { return stream }
        let url = root.appendingPathComponent(path)
        let handle: FileHandle
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: 0)
        } catch {
            throw PMAPError(
                .failure, "cannot write \(url.path); check the folder's permissions and free space")
        }
        handles[path] = handle
        let stream = TextStream { bytes in
            do {
                try handle.write(contentsOf: bytes)
            } catch {
                throw PMAPError(
                    .failure, "writing \(url.path) failed (disk full?); the output is incomplete, run again")
            }
        }
        streams[path] = stream
        return stream
    }

    /// Drains every stream, closes the files and returns their sizes.
    func close() throws -> [String: Int] {
        var sizes: [String: Int] = [:]
        for (path, stream) in streams {
            try stream.drain()
            try handles[path]?.close()
            sizes[path] = stream.byteCount
        }
        return sizes
    }
}
