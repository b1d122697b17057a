// swift-tools-version: 6.1
import PackageDescription

/// The data-heavy modules are optimised even in debug builds: the tests generate and ingest
/// tens of thousands of records.
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "PMAP",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "pmap", targets: ["pmap"]),
        .library(name: "PMAPPlatform", targets: ["PMAPPlatform"]),
        .library(name: "PMAPSynth", targets: ["PMAPSynth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        // Tests only, for now: the cohort SQL runs on a real PostgreSQL beside SQLite.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .target(name: "PMAPModel"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(
            name: "PMAPGovernance",
            dependencies: ["PMAPModel", .product(name: "Crypto", package: "swift-crypto")]),
        .target(
            name: "PMAPIngest", dependencies: ["PMAPModel", "PMAPGovernance", .product(name: "Yams", package: "Yams")],
            swiftSettings: optimizedInDebug),
        .target(name: "PMAPCohort", dependencies: ["PMAPModel"], swiftSettings: optimizedInDebug),
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
            swiftSettings: optimizedInDebug),
        .target(
            name: "PMAPStore",
            dependencies: [
                "PMAPModel",
                "PMAPVocabulary",
                "PMAPGovernance",
                "PMAPCohort",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: optimizedInDebug
        ),
        .target(
            name: "PMAPPlatform",
            dependencies: [
                "PMAPModel",
                "PMAPCohort",
                "PMAPVocabulary",
                "PMAPStore",
                "PMAPSynth",
                "PMAPGovernance",
                "PMAPIngest",
                "CZlib",
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: optimizedInDebug
        ),
        .target(
            name: "PMAPServer",
            dependencies: [
                "PMAPPlatform",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "pmap",
            dependencies: [
                "PMAPPlatform",
                "PMAPServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .target(name: "PMAPTestSupport", path: "Tests/Support"),
        .testTarget(name: "PMAPGovernanceTests", dependencies: ["PMAPGovernance"]),
        .testTarget(name: "PMAPIngestTests", dependencies: ["PMAPIngest", "PMAPTestSupport"]),
        .testTarget(name: "PMAPVocabularyTests", dependencies: ["PMAPVocabulary", "PMAPTestSupport"]),
        .testTarget(
            name: "PMAPStoreTests",
            dependencies: [
                "PMAPStore", "PMAPVocabulary", "PMAPTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]),
        .testTarget(
            name: "PMAPCohortTests",
            dependencies: [
                "PMAPCohort", "PMAPStore", "PMAPModel", "PMAPTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            exclude: ["Golden"]),
        .testTarget(
            name: "PMAPPlatformTests", dependencies: ["PMAPPlatform", "PMAPVocabulary", "PMAPTestSupport"]),
        .testTarget(
            name: "PMAPSynthTests", dependencies: ["PMAPSynth", "PMAPPlatform", "PMAPTestSupport"], exclude: ["Fixtures"]),
        .testTarget(
            name: "PMAPCLITests", dependencies: ["pmap", "PMAPTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
    ]
)
