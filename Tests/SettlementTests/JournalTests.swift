import Foundation
import GRDB
import Settlement
import TestSupport
import Testing

@Suite("Journal")
struct JournalTests {
    func directory() -> String { NSTemporaryDirectory() + "cuntong-journal-\(UUID().uuidString.prefix(8))" }

    func record(_ journal: Journal, at date: Date) async throws -> String {
        try await journal.recordMessage(infno: "1101", institutionCode: "H36040200017", visitId: nil, now: date) { _ in Data("{}".utf8) }.msgid
    }

    @Test("msgid = institution code + yyyyMMddHHmmss (China time) + 4-digit sequence")
    func msgidFormat() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try Journal(directory: dir)
        let date = Date(timeIntervalSince1970: 1_795_446_245)  // 2026-11-23 15:04:05 UTC = 23:04:05 in China
        let first = try await record(journal, at: date), second = try await record(journal, at: date)
        #expect(first == "H36040200017202611232304050001")
        #expect(second == "H36040200017202611232304050002")
        #expect(try await record(journal, at: date.addingTimeInterval(1)) == "H36040200017202611232304060001")
    }

    @Test("msgids stay unique across a restart, even with the clock set back, and across two writers")
    func msgidUnique() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let date = Date(timeIntervalSince1970: 1_795_446_245)
        var seen: Set<String> = []
        do {
            let journal = try Journal(directory: dir)
            for _ in 0..<5 { await seen.insert(try record(journal, at: date)) }
        }
        // A restart (a new Journal on the same file) in the same second.
        let reopened = try Journal(directory: dir)
        for _ in 0..<5 { await seen.insert(try record(reopened, at: date)) }
        #expect(seen.count == 10)
        // Two writers (as the CLI and the daemon are) allocating at once.
        let other = try Journal(directory: dir)
        let ids = try await withThrowingTaskGroup(of: [String].self) { group in
            for journal in [reopened, other] {
                group.addTask {
                    var ids: [String] = []
                    for _ in 0..<50 { ids.append(try await self.record(journal, at: date)) }
                    return ids
                }
            }
            return try await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(Set(ids).count == 100)
        #expect(seen.isDisjoint(with: ids))
    }

    @Test("Files are private (0700 directory, 0600 database), WAL with synchronous=FULL")
    func durableAndPrivate() async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try Journal(directory: dir)
        _ = try await record(journal, at: Date())
        let dirMode = try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as? Int
        let fileMode = try FileManager.default.attributesOfItem(atPath: journal.path)[.posixPermissions] as? Int
        #expect(dirMode == 0o700)
        #expect(fileMode == 0o600)
        var config = Configuration()
        config.readonly = true
        let db = try DatabaseQueue(path: journal.path, configuration: config)
        #expect(try await db.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try await journal.synchronousLevel() == 2, "2 = FULL")
    }

    @Test("A journal that cannot be created says so in words")
    func unwritable() {
        #expect(throws: SettlementError.self) { _ = try Journal(directory: "/proc/cuntong-cannot-be-here") }
        do {
            _ = try Journal(directory: "/proc/cuntong-cannot-be-here")
        } catch {
            #expect(error.code == "JOURNAL-ERROR")
            #expect(error.message.contains("state directory"))
        }
    }
}
