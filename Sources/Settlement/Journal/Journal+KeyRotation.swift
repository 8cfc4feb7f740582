import Crypto
import Foundation
import GRDB

extension Journal {
    /// Rotates the terminal key: a new key goes into the key file first (the old ones stay),
    /// every day key is wrapped again under it in one transaction, and only then are the old
    /// keys dropped from the file. Stopped at any point, nothing is lost: the file still
    /// holds every key some day key is wrapped under. Returns the new key's id and the
    /// number of day keys re-wrapped.
    package func rotateKey(now: Date = Date()) async throws(SettlementError) -> (keyID: String, days: Int) {
        guard let ring = keyring.withLock({ $0 }) else { throw .journal(keyProblemText) }
        let next: JournalKeyring
        do { next = try ring.rotated(now: now) } catch { throw .journal(error.description) }
        keyring.withLock { $0 = next }
        let days = try await write { [self] db -> Int in
            let rows = try Row.fetchAll(db, sql: "SELECT day FROM day_key")
            for row in rows {
                let day: String = row["day"]
                guard let key = try openDayKey(day, db) else { continue }
                let wrapped = try AES.GCM.seal(key.withUnsafeBytes { Data($0) }, using: next.current.key,
                                               authenticating: Data(day.utf8)).combined!
                try db.execute(sql: "UPDATE day_key SET key_id = ?, wrapped = ? WHERE day = ?",
                               arguments: [next.current.id, wrapped, day])
            }
            return rows.count
        }
        _ = try? await db.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        do {
            let trimmed = try next.droppingOldKeys()
            keyring.withLock { $0 = trimmed }
        } catch {
            throw .journal(error.description)
        }
        return (next.current.id, days)
    }
}
