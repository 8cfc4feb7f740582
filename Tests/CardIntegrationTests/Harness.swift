import CardReaders
import Foundation
import HardwareSim
import Testing
import TestSupport

/// Everything under this suite runs on the real stack: libpcsclite → pcscd → vpcd → a
/// simulated card (and the built executables). The vpcd slots are shared, so its tests run
/// one at a time.
@Suite("Real PC/SC stack", .serialized, .timeLimit(.minutes(5)))
struct RealStack {}

/// The real PC/SC stack for tests: pcscd with the vpcd driver (started by
/// hardware-sim/pcscd-up), simulated cards connecting to vpcd, and the built executables.
enum Harness {
    static let packageRoot = ProcessRunner.packageRoot
    static let slot0 = "Virtual PCD 00 00"
    static let slot1 = "Virtual PCD 00 01"

    static var binDirectory: URL { ProcessRunner.binDirectory }

    static func cardFile(_ name: String) -> String {
        packageRoot.appendingPathComponent("hardware-sim/cards/\(name).json").path
    }

    static func holder(_ name: String) throws -> CardholderProfile {
        try CardholderProfile.load(path: cardFile(name))
    }

    static var holderNames: [String] {
        let dir = packageRoot.appendingPathComponent("hardware-sim/cards")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return files.filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Runs hardware-sim/pcscd-up (idempotent) and fails the test if it cannot.
    static func pcscdUp() async throws {
        let result = try await run(packageRoot.appendingPathComponent("hardware-sim/pcscd-up").path, [])
        try #require(result.status == 0, "hardware-sim/pcscd-up failed: \(result.stderr)")
    }

    typealias Result = ProcessRunner.Result

    static func run(_ path: String, _ arguments: [String], environment: [String: String]? = nil) async throws -> Result {
        try await ProcessRunner.run(path, arguments, environment: environment)
    }

    static func spawn(_ process: Process) throws { try ProcessRunner.spawn(process) }

    static func cuntong(_ arguments: String...) async throws -> Result {
        try await run(binDirectory.appendingPathComponent("cuntong").path, arguments)
    }

    /// Open file descriptors of this process, as "fd → target".
    static func openFileDescriptors() -> Set<String> {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return Set(fds.map { fd in
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")) ?? "?"
            return "\(fd) → \(target)"
        })
    }

    /// Waits until pcscd sees a card in (or out of) the reader; fails the test on timeout.
    static func waitForCard(in reader: String = slot0, present: Bool, timeout: Duration = .seconds(15)) async throws {
        let context = try await PCSCContext.establish()
        let state = try await context.waitForCard(in: reader, present: present, timeout: timeout)
        await context.release()
        try #require(state != nil, "pcscd did not see the card \(present ? "inserted" : "removed") in \(reader) within \(timeout)")
    }

    /// Inserts a simulated card and waits until pcscd has it.
    static func insert(_ simulator: CardSimulator) async throws {
        try await simulator.insert()
        try await waitForCard(in: reader(of: simulator), present: true)
    }

    /// Pulls a simulated card and waits until pcscd knows.
    static func remove(_ simulator: CardSimulator) async throws {
        await simulator.remove()
        try await waitForCard(in: reader(of: simulator), present: false)
    }

    static func reader(of simulator: CardSimulator) -> String {
        simulator.port == CardSimulator.port(slot: 1) ? slot1 : slot0
    }
}
