import Crypto
import Foundation
import GRDB
import Synchronization
import TerminalCore

/// The settlement journal: SQLite through GRDB, WAL, `synchronous=FULL` so that a row
/// that says money moved survives a power cut. Shared by the CLI and the daemon (SQLite
/// locks; writers wait up to `busyTimeout`).
package final class Journal: Sendable {
    package let path: String
    let db: DatabasePool
    /// The terminal keys (Journal+Sealing.swift); nil when the key file is missing.
    let keyring: Mutex<JournalKeyring?>
    package let keyProblem: JournalKeyring.Problem?
    package let keyPath: String
    let dayKeys = Mutex<[String: SymmetricKey]>([:])

    /// Opens (creating if needed) `journal.sqlite` in `directory`, which is created 0700;
    /// the database files are 0600. `keyFile` (default `journal.key` beside it) holds the
    /// terminal key that seals personal data; created when the journal has sealed nothing yet.
    package init(directory: String, keyFile: String? = nil, busyTimeout: TimeInterval = 10) throws(SettlementError) {
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true,
                                   attributes: [.posixPermissions: 0o700])
        } catch {
            throw .journal("cannot create the state directory \(directory): \(error.localizedDescription)")
        }
        path = (directory as NSString).appendingPathComponent("journal.sqlite")
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        let previous = umask(0o077)
        defer { umask(previous) }
        do {
            db = try DatabasePool(path: path, configuration: config)
            // Money rows must be on disk before an answer is acted on. GRDB sets NORMAL when
            // it turns WAL on, after any prepareDatabase hook, so FULL is set on the pool's
            // one writer connection here.
            try db.writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw .journal("cannot open \(path): \(error)")
        }
        try Self.upgrade(db, path: path)
        // The first open by this version is recorded; later opens write nothing (every CLI
        // command opens the journal, and each write here would be an fsync).
        let known = (try? db.read { try Bool.fetchOne($0, sql: "SELECT 1 FROM opened_by WHERE version = ?", arguments: [CuntongVersion.string]) }) ?? nil
        if known == nil {
            try? db.write { db in
                try db.execute(sql: "INSERT OR IGNORE INTO opened_by (version, first_opened_at) VALUES (?, ?)",
                               arguments: [CuntongVersion.string, Date().timeIntervalSince1970])
            }
        }
        keyPath = keyFile ?? (directory as NSString).appendingPathComponent("journal.key")
        let (ring, problem) = try Self.loadKeyring(keyPath, db)
        keyring = Mutex(ring)
        keyProblem = problem
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.create(table: "visit") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("psn_no", .text).notNull()
                t.column("cert_type", .text).notNull()
                t.column("cert_no", .text).notNull()
                t.column("insutype", .text).notNull()
                t.column("insuplc_admdvs", .text).notNull()
                t.column("ipt_otp_no", .text).notNull().unique()
                t.column("mdtrt_id", .text)
                t.column("chrg_bchno", .text)
                t.column("setl_id", .text)
                t.column("state", .text).notNull().indexed()
                t.column("medfee_sumamt", .integer)
                t.column("fund_pay_sumamt", .integer)
                t.column("acct_pay", .integer)
                t.column("cash_pay", .integer)
                t.column("setl_day", .text).indexed()
                t.column("owner_pid", .integer).notNull()
                t.column("created_at", .double).notNull()
                t.column("updated_at", .double).notNull()
                t.column("note", .text)
            }
            try db.create(table: "message") { t in
                t.primaryKey("msgid", .text)
                t.column("infno", .text).notNull()
                t.column("visit_id", .integer).references("visit").indexed()
                t.column("state", .text).notNull().indexed()
                t.column("request", .blob).notNull()
                t.column("answer", .blob)
                t.column("infcode", .integer)
                t.column("err_msg", .text)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("created_at", .double).notNull()
                t.column("sent_at", .double)
                t.column("answered_at", .double)
                t.column("reverses_msgid", .text).indexed()
            }
            try db.create(table: "sign_in") { t in
                t.primaryKey("day", .text)
                t.column("sign_no", .text).notNull()
                t.column("sign_time", .text).notNull()
            }
        }
        m.registerMigration("v2: clearing of each settlement, for 3201 by insutype × clr_type × clr_optins") { db in
            try db.alter(table: "visit") { t in
                t.add(column: "clr_type", .text)
                t.add(column: "clr_optins", .text)
            }
        }
        m.registerMigration("v3: day keys that seal personal data, wrapped under the terminal key") { db in
            try db.create(table: "day_key") { t in
                t.primaryKey("day", .text)
                t.column("key_id", .text).notNull()
                t.column("wrapped", .blob).notNull()
            }
        }
        m.registerMigration("v4: days whose 3201 agreed on every line, which may be redacted") { db in
            try db.create(table: "reconciled_day") { t in
                t.primaryKey("day", .text)
                t.column("reconciled_at", .double).notNull()
            }
        }
        m.registerMigration("v5: the cuntong versions that have opened this journal (upgrades, support)") { db in
            try db.create(table: "opened_by") { t in
                t.primaryKey("version", .text)
                t.column("first_opened_at", .double).notNull()
            }
        }
        return m
    }

    /// Brings a journal written by an earlier cuntong to this schema, each migration in its
    /// own transaction (a power cut leaves the journal at the last whole step). A journal
    /// that a newer cuntong has already migrated is refused untouched: this version would
    /// misread what it does not know, and the money records in it must survive a downgrade.
    static func upgrade(_ db: DatabasePool, path: String) throws(SettlementError) {
        do {
            let (superseded, applied) = try db.read { db in
                (try migrator.hasBeenSuperseded(db), try migrator.appliedIdentifiers(db))
            }
            if superseded {
                let unknown = applied.subtracting(migrator.migrations).sorted()
                throw SettlementError.journal("""
                    \(path) was written by a newer cuntong (schema steps this version does not know: \
                    \(unknown.joined(separator: "; "))). Install that version again (the journal was left as it is); \
                    this cuntong \(CuntongVersion.string) cannot use it safely
                    """)
            }
            try migrator.migrate(db)
        } catch let e as SettlementError {
            throw e
        } catch {
            throw .journal("cannot bring \(path) to this version's schema: \(error)")
        }
    }

    /// The schema steps applied to this journal, oldest first, and the cuntong versions that
    /// have opened it (for `cuntong doctor` and support).
    package func schema() async throws(SettlementError) -> (steps: [String], openedBy: [(version: String, firstOpened: Date)]) {
        try await read { [self] db in
            let steps = try Self.migrator.appliedMigrations(db)
            let rows = try Row.fetchAll(db, sql: "SELECT version, first_opened_at FROM opened_by ORDER BY first_opened_at")
            return (steps, rows.map { ($0["version"], Date(timeIntervalSince1970: $0["first_opened_at"])) })
        }
    }

    /// A write transaction on GRDB's writer queue; the caller is suspended, never blocked
    /// (an fsync'd commit takes milliseconds, longer on a busy SD card). Not cancellable on
    /// purpose: GRDB's async `write` interrupts a cancelled task's transaction, and a row
    /// saying money moved must be written even if the request that moved it has gone.
    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(SettlementError) -> T {
        let result: Result<T, any Error> = await withCheckedContinuation { continuation in
            db.asyncWrite(body) { _, result in continuation.resume(returning: result) }
        }
        switch result {
        case .success(let value): return value
        case .failure(let error as SettlementError): throw error
        case .failure(let error): throw .journal("\(error)")
        }
    }

    /// A read on one of GRDB's reader connections, awaited.
    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(SettlementError) -> T {
        do { return try await db.read(body) } catch let e as SettlementError { throw e } catch { throw .journal("\(error)") }
    }

    /// `PRAGMA synchronous` as the journal's connections see it (2 = FULL).
    package func synchronousLevel() async throws(SettlementError) -> Int {
        try await write { [self] db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// SQLite's own check of the database file ("ok" when sound).
    package func integrityCheck() async throws(SettlementError) -> String {
        try await read { [self] db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    // MARK: Messages

    /// Allocates the next msgid for this second (fixmedins_code + yyyyMMddHHmmss + 4 digits)
    /// and writes the message as `queued` in the same transaction, so the id is unique
    /// across restarts and two processes. The sequence's first digit is the terminal's
    /// `slot` (`[terminal] msgid_slot`), so up to ten terminals of one institution never
    /// collide, each with 999 messages a second.
    package func recordMessage(infno: String, institutionCode: String, slot: Int = 0, visitId: Int64?, now: Date,
                              reverses: String? = nil,
                              makeRequest: @escaping @Sendable (String) throws -> Data) async throws(SettlementError) -> JournalMessage {
        try await write { [self] db in
            let prefix = institutionCode + WireTime.stamp(now) + String(slot)
            let last = try String.fetchOne(
                db, sql: "SELECT MAX(msgid) FROM message WHERE msgid >= ? AND msgid <= ?",
                arguments: [prefix + "000", prefix + "999"])
            let next = (last.flatMap { Int($0.suffix(3)) } ?? 0) + 1
            guard next <= 999 else { throw SettlementError.journal("more than 999 messages in one second") }
            let seq = String(next)
            let msgid = prefix + String(repeating: "0", count: 3 - seq.count) + seq
            var message = JournalMessage(
                msgid: msgid, infno: infno, visitId: visitId, state: .queued, request: try makeRequest(msgid),
                answer: nil, infcode: nil, errMsg: nil, attempts: 0, createdAt: now.timeIntervalSince1970,
                sentAt: nil, answeredAt: nil, reversesMsgid: reverses)
            let plain = message.request
            message.request = try seal(plain, day: WireTime.day(now), db)
            try message.insert(db)
            message.request = plain
            return message
        }
    }

    /// Marks a message as handed to the network, before any byte leaves.
    package func markSending(_ msgid: String, request: Data, now: Date) async throws(SettlementError) {
        try await write { [self] db in
            try db.execute(
                sql: "UPDATE message SET state = ?, request = ?, attempts = attempts + 1, sent_at = ? WHERE msgid = ?",
                arguments: [MessageState.sending, try seal(request, day: WireTime.day(now), db), now.timeIntervalSince1970, msgid])
        }
    }

    package func recordAnswer(_ msgid: String, answer: Data, infcode: Int, errMsg: String?, state: MessageState,
                             now: Date) async throws(SettlementError) {
        try await write { [self] db in
            try db.execute(
                sql: "UPDATE message SET state = ?, answer = ?, infcode = ?, err_msg = ?, answered_at = ? WHERE msgid = ?",
                arguments: [state, try seal(answer, day: WireTime.day(now), db), infcode, errMsg, now.timeIntervalSince1970, msgid])
        }
    }

    package func setState(_ msgid: String, _ state: MessageState, note: String? = nil) async throws(SettlementError) {
        try await write { [self] db in
            try db.execute(sql: "UPDATE message SET state = ?, err_msg = COALESCE(?, err_msg) WHERE msgid = ?",
                           arguments: [state, note, msgid])
        }
    }

    package func message(_ msgid: String) async throws(SettlementError) -> JournalMessage? {
        try await read { [self] db in try JournalMessage.fetchOne(db, key: msgid).map { try opened($0, db) } }
    }

    /// Newest first.
    package func messages(limit: Int = 50, visitId: Int64? = nil) async throws(SettlementError) -> [JournalMessage] {
        try await read { [self] db in
            var q = JournalMessage.order(Column("created_at").desc, Column("msgid").desc).limit(limit)
            if let visitId { q = q.filter(Column("visit_id") == visitId) }
            return try q.fetchAll(db).map { try opened($0, db) }
        }
    }

    /// Messages in `states`, oldest first (the order they must be sent or resolved in).
    package func messages(in states: [MessageState]) async throws(SettlementError) -> [JournalMessage] {
        try await read { [self] db in
            try JournalMessage.filter(states.contains(Column("state")))
                .order(Column("created_at"), Column("msgid")).fetchAll(db).map { try opened($0, db) }
        }
    }

    package func count(in states: [MessageState]) async throws(SettlementError) -> Int {
        try await read { [self] db in try JournalMessage.filter(states.contains(Column("state"))).fetchCount(db) }
    }

    /// Messages whose outcome at the core is unknown: marked in doubt, or left "sending" by a
    /// process that died before the answer (what recovery resolves, what status shows).
    package func inDoubtCount() async throws(SettlementError) -> Int { try await count(in: [.inDoubt, .sending]) }

    // MARK: Visits

    /// Writes a new visit. With `numberPrefix` (device + second), its ipt_otp_no is that
    /// prefix and the next free 4-digit sequence of that second, allocated in the same
    /// transaction: unique however many visits open in one second (a random suffix collided
    /// about once in a hundred seconds at fifteen visits a second, and the UNIQUE column
    /// then failed the visit as a journal error).
    package func insertVisit(_ visit: JournalVisit, numberPrefix: String? = nil) async throws(SettlementError) -> JournalVisit {
        try await write { [self] db in
            var visit = visit
            if let numberPrefix {
                let last = try String.fetchOne(
                    db, sql: "SELECT MAX(ipt_otp_no) FROM visit WHERE ipt_otp_no >= ? AND ipt_otp_no <= ?",
                    arguments: [numberPrefix + "0000", numberPrefix + "9999"])
                let next = (last.flatMap { Int($0.suffix(4)) } ?? 0) + 1
                guard next <= 9999 else { throw SettlementError.journal("more than 9999 visits in one second") }
                visit.iptOtpNo = numberPrefix + String(format: "%04d", next)
            }
            var v = try sealed(visit, day: WireTime.day(Date(timeIntervalSince1970: visit.createdAt)), db)
            try v.insert(db)
            var plain = visit
            plain.id = v.id
            return plain
        }
    }

    /// Applies `change` to the stored visit and saves it, in one transaction.
    @discardableResult
    package func updateVisit(_ id: Int64, now: Date, _ change: @escaping @Sendable (inout JournalVisit) -> Void) async throws(SettlementError) -> JournalVisit {
        try await write { [self] db in
            guard let stored = try JournalVisit.fetchOne(db, key: id) else {
                throw SettlementError.journal("visit \(id) is not in the journal")
            }
            var v = try opened(stored, db)
            change(&v)
            v.updatedAt = now.timeIntervalSince1970
            var row = v
            // Values that did not change stay as they were sealed (under their own day).
            row.psnNo = v.psnNo == (try openValue(stored.psnNo, db)) ? stored.psnNo : try sealValue(v.psnNo, day: WireTime.day(now), db)
            row.certNo = v.certNo == (try openValue(stored.certNo, db)) ? stored.certNo : try sealValue(v.certNo, day: WireTime.day(now), db)
            try row.update(db)
            return v
        }
    }

    package func visit(_ id: Int64) async throws(SettlementError) -> JournalVisit? {
        try await read { [self] db in try JournalVisit.fetchOne(db, key: id).map { try opened($0, db) } }
    }

    package func visits(limit: Int = 50) async throws(SettlementError) -> [JournalVisit] {
        try await read { [self] db in try JournalVisit.order(Column("id").desc).limit(limit).fetchAll(db).map { try opened($0, db) } }
    }

    package func unfinishedVisits() async throws(SettlementError) -> [JournalVisit] {
        try await read { [self] db in
            try JournalVisit.filter(!VisitState.allCases.filter(\.isFinal).contains(Column("state")))
                .order(Column("id")).fetchAll(db).map { try opened($0, db) }
        }
    }

    // MARK: Sign-in

    package func signIn(day: String) async throws(SettlementError) -> String? {
        try await read { [self] db in try String.fetchOne(db, sql: "SELECT sign_no FROM sign_in WHERE day = ?", arguments: [day]) }
    }

    package func saveSignIn(day: String, signNo: String, signTime: String) async throws(SettlementError) {
        try await write { [self] db in
            try db.execute(sql: "INSERT OR REPLACE INTO sign_in (day, sign_no, sign_time) VALUES (?, ?, ?)",
                           arguments: [day, signNo, signTime])
        }
    }

    package func forgetSignIn(day: String) async throws(SettlementError) {
        try await write { [self] db in try db.execute(sql: "DELETE FROM sign_in WHERE day = ?", arguments: [day]) }
    }

    // MARK: Reconciliation

    /// One 3201 line: a day's settlements under one insurance type, clearing type and
    /// clearing agency.
    package struct DayTotal: Sendable, Equatable, Codable {
        package var insutype: String
        package var clrType: String
        package var clrOptins: String
        package var medfeeSumamt: Int64
        package var fundPaySumamt: Int64
        package var acctPay: Int64
        package var count: Int
    }

    /// The day's settled visits (reversed ones excluded, as 3201 is sent with
    /// `refd_setl_flag` 0), by insurance type × clearing type × clearing agency. A visit
    /// settled before the journal kept the clearing is counted under 11 (门诊) and its
    /// patient's insurance division.
    package func dayTotals(day: String) async throws(SettlementError) -> [DayTotal] {
        try await read { [self] db in
            try Row.fetchAll(db, sql: """
                SELECT insutype, COALESCE(clr_type, '11') AS ct, COALESCE(clr_optins, insuplc_admdvs) AS co,
                       SUM(medfee_sumamt) AS m, SUM(fund_pay_sumamt) AS f, SUM(acct_pay) AS a, COUNT(*) AS n
                FROM visit WHERE state = 'settled' AND setl_day = ? GROUP BY insutype, ct, co ORDER BY insutype, ct, co
                """, arguments: [day]).map {
                DayTotal(insutype: $0["insutype"], clrType: $0["ct"], clrOptins: $0["co"], medfeeSumamt: $0["m"],
                         fundPaySumamt: $0["f"], acctPay: $0["a"], count: $0["n"])
            }
        }
    }

    /// Visits the core settled whose answer could not be read: a person must review them.
    package func visitsNeedingReview() async throws(SettlementError) -> [JournalVisit] {
        try await read { [self] db in
            try JournalVisit.filter(Column("state") == VisitState.needsReview.rawValue).order(Column("id")).fetchAll(db)
                .map { try opened($0, db) }
        }
    }
}
