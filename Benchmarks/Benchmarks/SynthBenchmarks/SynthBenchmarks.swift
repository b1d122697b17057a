import Benchmark
import Foundation
import PMAPPlatform
import PMAPSynth

/// `pmap synth` throughput and peak memory, next to the time a plain buffered writer needs to
/// write the same number of bytes (the floor any generator writing those files pays).
let benchmarks: @Sendable () -> Void = {
    let configuration = Benchmark.Configuration(
        metrics: [.wallClock, .peakMemoryResident, .throughput], timeUnits: .milliseconds, warmupIterations: 0,
        maxDuration: .seconds(600), maxIterations: 1)

    for (patients, formats, label) in [
        (10_000, SynthFormat.defaults, "fhir+hl7v2+vcf+csv"),
        (10_000, [SynthFormat.omopCSV], "omop-csv"),
        (100_000, [SynthFormat.omopCSV], "omop-csv"),
    ] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pmap-bench-\(patients)-\(label)")
        Benchmark("synth \(patients) patients \(label)", configuration: configuration) { benchmark in
            try? FileManager.default.removeItem(at: folder)
            benchmark.startMeasurement()
            let summary = try Synthesis.run(patients: patients, seed: 1, formats: formats, folder: folder.path, force: true)
            benchmark.stopMeasurement()
            _ = summary
            benchmark.measurement(.throughput, patients)
            try? FileManager.default.removeItem(at: folder)
        }
        // Named so it sorts (and runs) after the synth benchmark whose byte count it writes.
        Benchmark("synth \(patients) patients \(label) (baseline: plain buffered writer, same bytes)", configuration: configuration) { benchmark in
            // Each benchmark runs in its own process: count the bytes synth writes (unmeasured).
            let counter = CountingSink()
            try SyntheticPopulation.generate(patients: patients, seed: 1, formats: formats, sink: counter)
            try counter.drainAll()
            let target = counter.total
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("pmap-bench-plain.bin")
            FileManager.default.createFile(atPath: path.path, contents: nil)
            let handle = try FileHandle(forWritingTo: path)
            let chunk = Data(repeating: 0x61, count: 1 << 20)
            benchmark.startMeasurement()
            var written = 0
            while written < target {
                let count = min(chunk.count, target - written)
                try handle.write(contentsOf: count == chunk.count ? chunk : chunk.prefix(count))
                written += count
            }
            try handle.close()
            benchmark.stopMeasurement()
            try? FileManager.default.removeItem(at: path)
        }
    }
}

/// A sink that only counts the bytes it is given.
final class CountingSink: SynthSink {
    private var streams: [String: TextStream] = [:]
    private(set) var total = 0

    func stream(_ path: String) throws -> TextStream {
        if let stream = streams[path] { return stream }
        let stream = TextStream { [unowned self] bytes in self.total += bytes.count }
        streams[path] = stream
        return stream
    }

    func drainAll() throws {
        for stream in streams.values { try stream.drain() }
    }
}
