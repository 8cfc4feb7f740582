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
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.27.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.7.0"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.8.0"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.0"..<"5.0.0"),
        // The catalogue files (1301–1307 via 9102) and 9101 uploads are zips (zlib from Debian).
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
    ],
    targets: [
        // System libraries from Debian (-dev packages), found with pkg-config.
        .systemLibrary(
            name: "CPCSCLite", pkgConfig: "libpcsclite",
            providers: [.apt(["libpcsclite-dev"])]),
        .systemLibrary(
            name: "CLibUSB", pkgConfig: "libusb-1.0",
            providers: [.apt(["libusb-1.0-0-dev"])]),
        // libcrypto (OpenSSL 3): SM4 and 3DES for the simulated 3.0 card, PSAM and key service.
        .systemLibrary(
            name: "CLibCrypto", path: "hardware-sim/Sources/CLibCrypto", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        // libumockdev: hardware-sim's USB hot-plug runner (a testbed kept in-process).
        .systemLibrary(
            name: "CUmockdev", path: "hardware-sim/Sources/CUmockdev", pkgConfig: "umockdev-1.0",
            providers: [.apt(["libumockdev-dev"])]),

        // Domain values, no I/O.
        .target(name: "TerminalCore"),
        // The one way blocking work (pcsc-lite, libusb, device fds) runs off the cooperative pool.
        .target(name: "BlockingIO"),

        // PC/SC readers and the social-security card application.
        .target(
            name: "CardReaders",
            dependencies: [
                "CPCSCLite", "TerminalCore", "BlockingIO",
                .product(name: "Logging", package: "swift-log"),
                // The RKSSSE key service is reached over HTTPS.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            resources: [
                // The card layout and ATR table are data that the reader and the
                // simulator both read; compiled in so an installed binary needs no bundle.
                .embedInCode("Profiles/ssse-profile.json"),
                .embedInCode("Profiles/atr-table.json"),
            ]),
        // QR scanners: decoders, hidraw/libusb/tty backends, payload rules (data).
        .target(
            name: "Scanners",
            dependencies: ["CLibUSB", "TerminalCore", "BlockingIO", .product(name: "Logging", package: "swift-log")],
            resources: [
                .embedInCode("Payload/qr-classes.json"),
                .embedInCode("Devices/known-scanners.json"),
            ]),
        // The face-scan terminal driver (line-delimited JSON over a tty or TCP).
        .target(
            name: "FaceTerminal",
            dependencies: [
                "TerminalCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
            ]),
        // National-platform messages, the city-core client and the journal.
        .target(
            name: "Settlement",
            dependencies: [
                "TerminalCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [
                // Province profiles (transport of the national platform's messages), compiled in.
                .embedInCode("Profiles/national.toml"),
                .embedInCode("Profiles/guangdong.toml"),
                .embedInCode("Profiles/zhejiang.toml"),
            ]),
        // The insurance catalogue on the terminal: download (130x + 9102, 1312/1318/1319, 1901),
        // its own SQLite store with full-text search, the clinic's mapping, fee rows checked.
        .target(
            name: "Catalogue",
            dependencies: [
                "Settlement", "TerminalCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            resources: [.embedInCode("Lists/catalogue-lists.json")]),
        // The settlement sheet (结算单) from the journal: text, A4 HTML, ESC/POS for 58/80 mm
        // receipt printers (usblp, raw TCP 9100, tty) with their DLE EOT status.
        .target(
            name: "Receipt",
            dependencies: [
                "Settlement", "TerminalCore", "Catalogue", "BlockingIO",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The local API (docs/api.yaml): types, server protocol and client, generated at build time.
        .target(
            name: "LocalAPI",
            dependencies: [
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                // The CLI's client of the daemon's socket (Client/).
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]),
        // The daemon's top, one module per concern (docs/ARCHITECTURE.md):
        // The configuration file (TOML) and what is built from it.
        .target(
            name: "Config",
            dependencies: [
                "TerminalCore", "CardReaders", "Scanners", "FaceTerminal", "Settlement",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "TOMLKit", package: "TOMLKit"),
            ]),
        // What people and programs are shown: the CLI's and API's JSON views, masked.
        .target(
            name: "Presentation",
            dependencies: ["TerminalCore", "CardReaders", "Settlement", "CheckinDesk", "LocalAPI", "Catalogue"]),
        // Visits and check-ins: credentials in, identities and settlements out, domain events.
        // No HTTP, no OpenAPI types, no metrics.
        .target(
            name: "CheckinDesk",
            dependencies: [
                "TerminalCore", "CardReaders", "FaceTerminal", "Settlement", "Catalogue",
                .product(name: "Logging", package: "swift-log"),
            ]),
        // The local API at the edge: OpenAPI handlers, SSE, the check-in page, metrics as an
        // observer of the desk's events.
        .target(
            name: "APIServer",
            dependencies: [
                "CheckinDesk", "Presentation", "LocalAPI", "Settlement", "TerminalCore", "FaceTerminal", "Catalogue",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [
                // The check-in page, compiled in so an installed binary needs no bundle.
                .embedInCode("Page/index.html"),
                .embedInCode("Page/app.js"),
                .embedInCode("Page/style.css"),
            ]),
        // cuntongd's lifecycle: its services in a declared order, supervision, systemd.
        .target(
            name: "Daemon",
            dependencies: [
                "Config", "CheckinDesk", "Catalogue", "APIServer", "TerminalCore", "CardReaders", "Scanners", "FaceTerminal", "Settlement",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]),
        // The technician's visit: provision and doctor.
        .target(
            name: "Provisioning",
            dependencies: [
                "Config", "LocalAPI", "Catalogue", "TerminalCore", "CardReaders", "Scanners", "FaceTerminal", "Settlement",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "cuntongd",
            dependencies: [
                "Daemon", "Config", "Settlement", "TerminalCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "cuntong",
            dependencies: [
                "Config", "Presentation", "Provisioning", "CheckinDesk", "LocalAPI", "Catalogue", "Receipt",
                "CardReaders", "TerminalCore", "Settlement", "Scanners", "FaceTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Simulators: sources live under hardware-sim/ beside their fixtures.
        .target(
            name: "HardwareSim",
            dependencies: [
                "TerminalCore", "CardReaders", "Settlement", "Scanners", "CLibCrypto",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOExtras", package: "swift-nio-extras"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            path: "hardware-sim/Sources/HardwareSim"),
        .executableTarget(
            name: "cuntong-sim",
            dependencies: [
                "HardwareSim", "Scanners",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "hardware-sim/Sources/cuntong-sim"),
        // A USB scanner unplugged and plugged back under umockdev (C: the testbed is GLib's).
        .executableTarget(
            name: "cuntong-usb-hotplug",
            dependencies: ["CUmockdev"],
            path: "hardware-sim/Sources/cuntong-usb-hotplug"),

        // The measuring program of Benchmarks/settlement, scan and daemon.
        .executableTarget(
            name: "cuntong-bench",
            dependencies: [
                "Settlement", "Catalogue", "Scanners", "HardwareSim", "TerminalCore", "CardReaders", .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"), .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/Sources/cuntong-bench"),

        // Shared by the integration suites: running the built executables.
        .target(
            name: "TestSupport",
            dependencies: [
                "HardwareSim", "Settlement", "TerminalCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ],
            path: "Tests/TestSupport"),
        .testTarget(name: "TerminalCoreTests", dependencies: ["TerminalCore"]),
        .testTarget(name: "CardReadersTests", dependencies: ["CardReaders", "TerminalCore"]),
        .testTarget(
            name: "ReceiptTests",
            dependencies: ["Receipt", "Settlement", "TerminalCore", "Config", "HardwareSim", "TestSupport"]),
        .testTarget(
            name: "CatalogueTests",
            dependencies: [
                "Catalogue", "Settlement", "TerminalCore", "Config", "HardwareSim", "TestSupport",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]),
        .testTarget(
            name: "DaemonTests",
            dependencies: [
                "Settlement", "TerminalCore", "Config", "CheckinDesk", "APIServer", "Daemon", "HardwareSim", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "FaceTerminalTests",
            dependencies: [
                "FaceTerminal", "TerminalCore", "HardwareSim",
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(name: "ScannersTests", dependencies: ["Scanners", "TerminalCore", "Config", "HardwareSim", "TestSupport"]),
        .testTarget(
            name: "SettlementTests",
            dependencies: [
                "Settlement", "TerminalCore", "Config", "HardwareSim", "TestSupport", "Scanners",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            // The previous version's journal, read by path.
            exclude: ["Fixtures"]),
        // The national platform as the public record writes it: the corpus of requests and
        // answers (Tests/Conformance/corpus) and the client's requests in every profile.
        .testTarget(
            name: "ConformanceTests",
            dependencies: ["Settlement", "TerminalCore", "Config", "HardwareSim", "TestSupport", "Catalogue",
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "ZIPFoundation", package: "ZIPFoundation")],
            path: "Tests/Conformance",
            exclude: ["corpus"]),
        .testTarget(
            name: "CardIntegrationTests",
            dependencies: ["CardReaders", "TerminalCore", "Config", "CheckinDesk", "HardwareSim", "TestSupport"]),
    ]
)
