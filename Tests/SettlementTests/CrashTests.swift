import Foundation
import Settlement
import TerminalCore
import TestSupport
import Testing

/// `kill -9` of the settling process at each step of a settlement (the CLI SIGKILLs itself
/// at `CUNTONG_CRASH_AT`), then `cuntong journal recover`: every visit ends settled,
/// reversed or cancelled, and the journal and the core's ledger agree (3201).
@Suite("Crash at each step, then recover", .timeLimit(.minutes(5)))
struct CrashTests {
    static let cases: [(point: String, final: VisitState, coreSettled: Int)] = [
        ("2201:before-send", .cancelled, 0),
        ("2201:after-send", .cancelled, 0),
        ("2204:after-send", .cancelled, 0),
        ("2206:after-send", .cancelled, 0),
        ("2207:before-send", .cancelled, 0),
        ("2207:after-send", .reversed, 0),
        ("2207:after-answer", .settled, 1),
        ("2207:after-journal", .settled, 1),
    ]

    @Test("Killed at a step, recovered to a final state the core agrees with", arguments: 0..<cases.count)
    func crashAndRecover(index: Int) async throws {
        let (point, final, coreSettled) = Self.cases[index]
        try await withCore { core in
            let config = try core.configFile()
            var env = ProcessInfo.processInfo.environment
            env["CUNTONG_CRASH_AT"] = point
            let killed = try await ProcessRunner.run(
                ProcessRunner.executable("cuntong"),
                ["settle", "--config", config, "--id-number", Fixtures.ouyang, "--fees", Fixtures.feesFile(), "--json"],
                environment: env)
            #expect(killed.signaled && killed.status == SIGKILL, "the settle process must die at \(point): \(killed.stderr)")
            #expect(killed.stdout.isEmpty, "a killed settlement printed nothing")

            let recovered = try await ProcessRunner.run(
                ProcessRunner.executable("cuntong"), ["journal", "recover", "--config", config, "--json"])
            #expect(recovered.status == 0, "\(recovered.stdout) \(recovered.stderr)")
            let report = try JSONDecoder().decode(RecoveryReport.self, from: Data(recovered.stdout.utf8))
            #expect(report.isClean)

            let journal = try Journal(directory: core.directory + "/cli-journal")
            let visits = try await journal.visits()
            if point == "2201:before-send" || !visits.isEmpty {
                #expect(visits.map(\.state) == [final], "\(point)")
            }
            #expect(try await journal.count(in: [.queued, .sending, .inDoubt]) == 0)
            #expect(try core.totals().count == coreSettled, "\(point)")

            let reconciled = try await ProcessRunner.run(
                ProcessRunner.executable("cuntong"), ["reconcile", "--config", config, "--json"])
            #expect(reconciled.status == 0, "3201 must agree after \(point): \(reconciled.stdout) \(reconciled.stderr)")
        }
    }
}
