// swift-tools-version:6.0
// Swift 6 language mode (strict concurrency) is the default for tools version 6.0.
import PackageDescription

let package = Package(
    name: "cuntong",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "cuntongd", targets: ["cuntongd"]),
        .executable(name: "cuntong", targets: ["cuntong"]),
        .executable(name: "cuntong-sim", targets: ["cuntong-sim"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.25.0"),
    ],
    targets: [
        // System libraries from Debian (-dev packages), found with pkg-config.
        .systemLibrary(
            name: "CPCSCLite", pkgConfig: "libpcsclite",
            providers: [.apt(["libpcsclite-dev"])]),
        .systemLibrary(
            name: "CLibUSB", pkgConfig: "libusb-1.0",
            providers: [.apt(["libusb-1.0-0-dev"])]),

        // Domain values, no I/O.
        .target(name: "TerminalCore"),

        // PC/SC readers and the social-security card application.
        .target(
            name: "CardReaders",
            dependencies: [
                "CPCSCLite", "TerminalCore",
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [
                // The card layout and ATR table are data that the reader and the
                // simulator both read; compiled in so an installed binary needs no bundle.
                .embedInCode("Profiles/ssse-profile.json"),
                .embedInCode("Profiles/atr-table.json"),
            ]),
        .target(name: "Scanners", dependencies: ["CLibUSB", "TerminalCore"]),
        .target(name: "FaceTerminal", dependencies: ["TerminalCore"]),
        .target(name: "Settlement", dependencies: ["TerminalCore"]),
        .target(
            name: "TerminalService",
            dependencies: [
                "TerminalCore", "CardReaders", "Scanners", "FaceTerminal", "Settlement",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "cuntongd",
            dependencies: [
                "TerminalService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "cuntong",
            dependencies: [
                "TerminalService", "CardReaders", "TerminalCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Simulators: sources live under hardware-sim/ beside their fixtures.
        .target(
            name: "HardwareSim",
            dependencies: [
                "TerminalCore", "CardReaders",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
            ],
            path: "hardware-sim/Sources/HardwareSim"),
        .executableTarget(
            name: "cuntong-sim",
            dependencies: [
                "HardwareSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "hardware-sim/Sources/cuntong-sim"),

        .testTarget(name: "TerminalCoreTests", dependencies: ["TerminalCore"]),
        .testTarget(name: "CardReadersTests", dependencies: ["CardReaders", "TerminalCore"]),
        .testTarget(
            name: "CardIntegrationTests",
            dependencies: ["CardReaders", "TerminalCore", "TerminalService", "HardwareSim"]),
    ]
)
