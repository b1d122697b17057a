// swift-tools-version: 6.1
// Benchmarks live in their own package so the main build stays lean.
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, which differs between clones.
let pmapPackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "PMAPBenchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "SynthBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PMAPPlatform", package: pmapPackage),
                .product(name: "PMAPSynth", package: pmapPackage),
            ],
            path: "Benchmarks/SynthBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
