import Foundation
import GRDB

/// Redaction: once a day has reconciled (3201 平 on every line), its personal data can go.
/// The day's key is erased and every value sealed under it replaced by `~redacted`: the
/// money records, codes and ids stay for audits and for 3201, the person does not. A day
/// that did not reconcile, or that still has a message in flight, is never redacted.
extension Journal {
    package struct Redaction: Sendable, Equatable {
        package var redacted: [String] = []
        /// Days left as they are, with the reason.
        package var kept: [String: String] = [:]
    }

    /// Records that every 3201 line of `day` agreed (or forgets it when one did not).
    package func setReconciled(day: String, agreed: Bool, now: Date) async throws(SettlementError) {
        try await write { [self] db in
            if agreed {
                try db.execute(sql: "INSERT OR REPLACE INTO reconciled_day (day, reconciled_at) VALUES (?, ?)",
                               arguments: [day, now.timeIntervalSince1970])
            } else {
                try db.execute(sql: "DELETE FROM reconciled_day WHERE day = ?", arguments: [day])
            }
        }
    }

    /// The oldest day whose personal data is still sealed in the journal (nil: none).
    package func oldestUnredactedDay() async throws(SettlementError) -> String? {
        try await read { [self] db in try String.fetchOne(db, sql: "SELECT MIN(day) FROM day_key") }
    }

    /// Redacts every day before `cutoff` (`yyyy-MM-dd`, exclusive) that has sealed data.
    package func redact(before cutoff: String) async throws(SettlementError) -> Redaction {
        let days = try await read { [self] db in
            try String.fetchAll(db, sql: "SELECT day FROM day_key WHERE day < ? ORDER BY day", arguments: [cutoff])
        }
        var result = Redaction()
        guard !days.isEmpty else { return result }
        // While erasing, freed pages are overwritten: an erased day key leaves no copy in the
        // file. Only then: on every write it would cost the journal's fsync'd path dearly.
        try await setSecureDelete(true)
        var failure: SettlementError?
        for day in days {
            do {
                if let reason = try await redact(day: day) { result.kept[day] = reason } else { result.redacted.append(day) }
            } catch {
                failure = error
                break
            }
        }
        try? await setSecureDelete(false)
        if let failure { throw failure }
        if !result.redacted.isEmpty {
            // The erased key and values must not linger in the write-ahead log.
            _ = try? await db.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        }
        return result
    }

    func setSecureDelete(_ on: Bool) async throws(SettlementError) {
        do { try await db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA secure_delete = \(on ? "ON" : "OFF")") } } catch {
            throw .journal("\(error)")
        }
    }

    /// Redacts one day; nil when done, else why it was kept.
    func redact(day: String) async throws(SettlementError) -> String? {
        try await write { db -> String? in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM reconciled_day WHERE day = ?", arguments: [day]) == true else {
                return "not reconciled (3201 平) yet"
            }
            let token = "%\"~sealed1:\(day):%"
            let inFlight = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM message WHERE state IN ('queued', 'sending', 'inDoubt')
                AND (CAST(request AS TEXT) LIKE ? OR CAST(answer AS TEXT) LIKE ?)
                """, arguments: [token, token]) ?? 0
            guard inFlight == 0 else { return "\(inFlight) message(s) of that day are still in flight" }
            let rows = try Row.fetchAll(db, sql: """
                SELECT msgid, request, answer FROM message WHERE CAST(request AS TEXT) LIKE ? OR CAST(answer AS TEXT) LIKE ?
                """, arguments: [token, token])
            for row in rows {
                let request: Data = row["request"]
                let answer: Data? = row["answer"]
                try db.execute(sql: "UPDATE message SET request = ?, answer = ? WHERE msgid = ?",
                               arguments: [SealedJSON.redact(request, keyID: day), answer.map { SealedJSON.redact($0, keyID: day) },
                                           row["msgid"] as String])
            }
            let valuePrefix = Self.valuePrefix + day + ":%"
            try db.execute(sql: "UPDATE visit SET psn_no = '~redacted' WHERE psn_no LIKE ?", arguments: [valuePrefix])
            try db.execute(sql: "UPDATE visit SET cert_no = '~redacted' WHERE cert_no LIKE ?", arguments: [valuePrefix])
            try db.execute(sql: "DELETE FROM day_key WHERE day = ?", arguments: [day])
            self.dayKeys.withLock { $0[day] = nil }
            return nil
        }
    }
}
