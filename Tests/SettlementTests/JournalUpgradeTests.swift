import Foundation
import GRDB
import Settlement
import TestSupport
import TerminalCore
import Testing

/// A journal written by the previous version (schema v4: `Fixtures/journal-v4`, made by
/// the CLI of commit ff32b97 against the simulated core) opened by this version: the schema
/// is brought forward, nothing is lost, and what was in doubt is resolved with the core
/// whose ledger was saved at the same moment.
@Suite("Journal from the previous version", .timeLimit(.minutes(3)))
struct JournalUpgradeTests {
    static let fixture = CoreFixture.root + "/Tests/SettlementTests/Fixtures/journal-v4"

    /// A state directory holding the old journal and its key, and a core directory holding
    /// the old ledger, under a new scratch directory.
    static func restore() throws -> String {
        let directory = NSTemporaryDirectory() + "cuntong-upgrade-\(UUID().uuidString.prefix(8))"
        for (dump, target) in [("journal.sql", "/state/journal.sqlite"), ("core-ledger.sql", "/core/core-ledger.sqlite")] {
            try FileManager.default.createDirectory(atPath: directory + (target as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            let queue = try DatabaseQueue(path: directory + target)
            let sql = try String(contentsOfFile: fixture + "/" + dump, encoding: .utf8)
            try queue.writeWithoutTransaction { try $0.execute(sql: sql) }
            try queue.close()
        }
        try FileManager.default.copyItem(atPath: fixture + "/journal.key", toPath: directory + "/state/journal.key")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: directory + "/state/journal.key")
        return directory
    }

    @Test("The old journal opens with every visit, its personal data and its messages as they were")
    func opensWithEverything() async throws {
        let directory = try Self.restore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let journal = try Journal(directory: directory + "/state")
        let schema = try await journal.schema()
        #expect(schema.steps.count == 5 && schema.steps.last?.hasPrefix("v5") == true, "\(schema.steps)")
        #expect(schema.openedBy.map(\.version) == [CuntongVersion.string])

        let visits = try await journal.visits().sorted { $0.id ?? 0 < $1.id ?? 0 }
        #expect(visits.map(\.state) == [.settled, .reversed, .settling, .registered])
        // Sealed by the old version under its day key, opened by this one.
        #expect(visits.map(\.certNo) == ["36040219850312106X", "360102196207081010", "360402199001011017", "360421194709151003"])
        #expect(visits[0].cashPay != nil && visits[0].medfeeSumamt == 4870)
        #expect(try await journal.unfinishedVisits().map(\.state) == [.settling, .registered])
        #expect(try await journal.count(in: [.sending]) == 2, "the 2207 and the 2204 that were sent when the old CLI died")
        #expect(try await journal.integrityCheck() == "ok")
    }

    @Test("`cuntong journal recover` of this version resolves what the old one left in doubt, and 3201 agrees")
    func recoversWithTheCore() async throws {
        let directory = try Self.restore()
        let core = try await CoreFixture.start(directory: directory)
        defer { Task { await core.stop() } }
        // The same institution as the terminal that wrote the fixture (hardware-sim/core/cuntong-sim.toml).
        let config = try core.configFile(journal: "state")
        let recovered = try await ProcessRunner.run(ProcessRunner.executable("cuntong"), ["journal", "recover", "--config", config, "--json"])
        #expect(recovered.status == 0, "\(recovered.stdout) \(recovered.stderr)")
        let report = try JSONDecoder().decode(RecoveryReport.self, from: Data(recovered.stdout.utf8))
        #expect(report.isClean)
        #expect(report.reversed == 1, "the 2207 the core committed while the old CLI died is reversed (2601)")
        #expect(report.cancelled == 1, "the visit whose uploads were in flight is cancelled")

        let journal = try Journal(directory: directory + "/state")
        let visits = try await journal.visits().sorted { $0.id ?? 0 < $1.id ?? 0 }
        #expect(visits.map(\.state) == [.settled, .reversed, .reversed, .cancelled])
        #expect(try await journal.count(in: [.queued, .sending, .inDoubt]) == 0)
        // The core's ledger: only the one settlement stands.
        let ledger = try JSONSerialization.jsonObject(with: core.simulator.ledgerSettlements(day: nil)) as? [[String: Any]] ?? []
        let standing = ledger.filter { ($0["state"] as? String) == "settled" }
        #expect(standing.count == 1, "\(ledger)")

        let day = try #require(visits[0].setlDay)
        let reconciled = try await ProcessRunner.run(ProcessRunner.executable("cuntong"), ["reconcile", "--config", config, "--date", day, "--json"])
        #expect(reconciled.status == 0, "3201 for \(day): \(reconciled.stdout) \(reconciled.stderr)")
    }

    @Test("A journal a newer cuntong has migrated is refused untouched, with what to do")
    func refusesANewerSchema() throws {
        let directory = try Self.restore()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try Journal(directory: directory + "/state")
        let queue = try DatabaseQueue(path: directory + "/state/journal.sqlite")
        try queue.write { try $0.execute(sql: "INSERT INTO grdb_migrations VALUES ('v9: from a later version')") }
        try queue.close()

        #expect {
            _ = try Journal(directory: directory + "/state")
        } throws: { error in
            let message = (error as? SettlementError)?.message ?? ""
            return message.contains("written by a newer cuntong") && message.contains("v9: from a later version")
                && message.contains("Install that version again")
        }
        let check = try DatabaseQueue(path: directory + "/state/journal.sqlite")
        #expect(try check.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM visit") } == 4)
    }
}
