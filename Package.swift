// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "PMAP",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pmap", targets: ["pmap"]),
        .library(name: "PMAPPlatform", targets: ["PMAPPlatform"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
    ],
    targets: [
        .target(name: "PMAPModel"),
        .target(
            name: "PMAPVocabulary",
            dependencies: ["PMAPModel"],
            resources: [
                .embedInCode("Resources/concepts-conditions.tsv"),
                .embedInCode("Resources/concepts-measurements-drugs.tsv"),
                .embedInCode("Resources/concepts-reference.tsv"),
                .embedInCode("Resources/concepts-environment-devices.tsv"),
                .embedInCode("Resources/maps-to-conditions.tsv"),
                .embedInCode("Resources/hierarchy-conditions.tsv"),
                .embedInCode("Resources/hierarchy-measurements-drugs.tsv"),
                .embedInCode("Resources/vocabularies.tsv"),
                .embedInCode("Resources/domains.tsv"),
                .embedInCode("Resources/concept-classes.tsv"),
                .embedInCode("Resources/relationships.tsv"),
            ]
        ),
        .target(
            name: "PMAPSynth", dependencies: ["PMAPModel", "PMAPVocabulary"],
            // Optimised even in debug builds: the tests generate tens of thousands of patients.
            swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        .target(
            name: "PMAPStore",
            dependencies: [
                "PMAPModel",
                "PMAPVocabulary",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        .target(
            name: "PMAPPlatform",
            dependencies: [
                "PMAPModel",
                "PMAPVocabulary",
                "PMAPStore",
                "PMAPSynth",
            ]
        ),
        .executableTarget(
            name: "pmap",
            dependencies: [
                "PMAPPlatform",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "PMAPTestSupport", path: "Tests/Support"),
        .testTarget(name: "PMAPVocabularyTests", dependencies: ["PMAPVocabulary", "PMAPTestSupport"]),
        .testTarget(
            name: "PMAPStoreTests",
            dependencies: [
                "PMAPStore", "PMAPVocabulary", "PMAPTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "PMAPPlatformTests", dependencies: ["PMAPPlatform", "PMAPVocabulary", "PMAPTestSupport"]),
        .testTarget(
            name: "PMAPSynthTests", dependencies: ["PMAPSynth", "PMAPPlatform", "PMAPTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "PMAPCLITests", dependencies: ["pmap", "PMAPTestSupport"]),
    ]
)
