import Crypto
import Foundation
import GRDB

/// How the journal keeps patient data: every personal value of a stored request or answer,
/// and the visit's person number and certificate, sealed under the day's key (SealedJSON),
/// the day key wrapped under the terminal key (JournalKeyring). Readers get the values
/// opened; the file holds none of them in the clear.
extension Journal {
    static let valuePrefix = "~sealed1:"

    /// The key that seals what is written now: the day's, created on first use.
    func sealingKey(day: String, _ db: Database) throws -> SymmetricKey {
        if let cached = dayKeys.withLock({ $0[day] }) { return cached }
        guard let ring = keyring.withLock({ $0 }) else { throw SettlementError.journal(keyProblemText) }
        if let existing = try openDayKey(day, db) { return existing }
        let key = SymmetricKey(size: .bits256)
        let wrapped = try AES.GCM.seal(key.withUnsafeBytes { Data($0) }, using: ring.current.key,
                                       authenticating: Data(day.utf8)).combined!
        try db.execute(sql: "INSERT INTO day_key (day, key_id, wrapped) VALUES (?, ?, ?)",
                       arguments: [day, ring.current.id, wrapped])
        dayKeys.withLock { $0[day] = key }
        return key
    }

    /// A day key from the table, unwrapped; nil when the day has none (never sealed, or redacted).
    func openDayKey(_ day: String, _ db: Database) throws -> SymmetricKey? {
        if let cached = dayKeys.withLock({ $0[day] }) { return cached }
        guard let row = try Row.fetchOne(db, sql: "SELECT key_id, wrapped FROM day_key WHERE day = ?", arguments: [day]) else {
            return nil
        }
        guard let ring = keyring.withLock({ $0 }) else { throw SettlementError.journal(keyProblemText) }
        let keyID: String = row["key_id"]
        guard let terminalKey = ring.key(keyID) else {
            throw SettlementError.journal("the journal key file \(ring.path) lacks key \(keyID), which sealed \(day)'s data")
        }
        guard let box = try? AES.GCM.SealedBox(combined: row["wrapped"] as Data),
              let raw = try? AES.GCM.open(box, using: terminalKey, authenticating: Data(day.utf8)) else {
            throw SettlementError.journal("\(day)'s key does not open under the journal key \(keyID): wrong key file?")
        }
        let key = SymmetricKey(data: raw)
        dayKeys.withLock { $0[day] = key }
        return key
    }

    func seal(_ json: Data, day: String, _ db: Database) throws -> Data {
        try SealedJSON.seal(json, key: try sealingKey(day: day, db), keyID: day)
    }

    func open(_ json: Data, _ db: Database) throws -> Data {
        var failure: Error?
        let opened = try SealedJSON.unseal(json) { id in
            do { return try openDayKey(id, db) } catch { failure = error; return nil }
        }
        if let failure { throw failure }
        return opened
    }

    func sealValue(_ value: String, day: String, _ db: Database) throws -> String {
        guard !value.isEmpty else { return value }
        let box = try AES.GCM.seal(Data(value.utf8), using: try sealingKey(day: day, db), authenticating: Data(day.utf8))
        return Self.valuePrefix + day + ":" + box.combined!.base64EncodedString()
    }

    func openValue(_ value: String, _ db: Database) throws -> String {
        guard value.hasPrefix(Self.valuePrefix) else { return value }
        let token = value.dropFirst(Self.valuePrefix.count)
        guard let colon = token.firstIndex(of: ":") else { throw SettlementError.journal("a sealed value is damaged") }
        let day = String(token[..<colon])
        guard let key = try openDayKey(day, db) else { return "~redacted" }
        guard let combined = Data(base64Encoded: String(token[token.index(after: colon)...])),
              let box = try? AES.GCM.SealedBox(combined: combined),
              let plain = try? AES.GCM.open(box, using: key, authenticating: Data(day.utf8)) else {
            throw SettlementError.journal("a sealed value of \(day) is damaged")
        }
        return String(decoding: plain, as: UTF8.self)
    }

    func opened(_ message: JournalMessage, _ db: Database) throws -> JournalMessage {
        var m = message
        m.request = try open(m.request, db)
        if let answer = m.answer { m.answer = try open(answer, db) }
        return m
    }

    func opened(_ visit: JournalVisit, _ db: Database) throws -> JournalVisit {
        var v = visit
        v.psnNo = try openValue(v.psnNo, db)
        v.certNo = try openValue(v.certNo, db)
        return v
    }

    func sealed(_ visit: JournalVisit, day: String, _ db: Database) throws -> JournalVisit {
        var v = visit
        v.psnNo = try sealValue(v.psnNo, day: day, db)
        v.certNo = try sealValue(v.certNo, day: day, db)
        return v
    }

    var keyProblemText: String {
        keyProblem.map(\.description) ?? "the journal key is not loaded"
    }

    /// Opens the key file, creating it when the journal has never sealed anything (a new
    /// terminal); a missing key with sealed data is reported, never replaced.
    static func loadKeyring(_ path: String, _ db: DatabasePool) throws(SettlementError) -> (JournalKeyring?, JournalKeyring.Problem?) {
        do {
            return (try JournalKeyring.load(path: path), nil)
        } catch .missing(let p) {
            let sealedDays = (try? db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM day_key") ?? 0 }) ?? 0
            guard sealedDays == 0 else { return (nil, .missing(p)) }
            do { return (try JournalKeyring.create(path: path), nil) } catch {
                throw .journal(error.description)
            }
        } catch {
            throw .journal(error.description)
        }
    }
}
