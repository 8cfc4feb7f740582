import Foundation
import GRDB
import TerminalCore

/// The simulated core's own ledger (SQLite): what it answered under each msgid, sign-ins,
/// visits, fees, settlements and each person's year-to-date figures.
final class CoreLedger: Sendable {
    let db: DatabaseQueue

    init(path: String, persons: [CorePerson]) throws {
        var config = Configuration()
        config.busyMode = .timeout(5)
        // A simulator's ledger must survive the simulator's restart, not the machine's: no
        // fsync per answer. (Its writes run inside the HTTP handler; an fsync'd transaction per
        // message, on a busy disk, kept a core in the test process from answering in time.)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
            try db.execute(sql: "PRAGMA synchronous = OFF")
        }
        db = try DatabaseQueue(path: path, configuration: config)
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE message (msgid TEXT PRIMARY KEY, infno TEXT NOT NULL, answer BLOB NOT NULL);
                CREATE TABLE sign_in (sign_no TEXT PRIMARY KEY, fixmedins_code TEXT NOT NULL, day TEXT NOT NULL,
                                      signed_out INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE person_state (psn_no TEXT PRIMARY KEY, balc INTEGER NOT NULL, basic_paid INTEGER NOT NULL,
                                           ci_base INTEGER NOT NULL, aid_base INTEGER NOT NULL, aid_paid INTEGER NOT NULL);
                CREATE TABLE used_code (code TEXT PRIMARY KEY, used_at TEXT NOT NULL);
                CREATE TABLE ec_token (token TEXT PRIMARY KEY, psn_no TEXT NOT NULL, kind TEXT NOT NULL);
                CREATE TABLE visit (mdtrt_id TEXT PRIMARY KEY, psn_no TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
                                    ipt_otp_no TEXT NOT NULL, insutype TEXT NOT NULL, state TEXT NOT NULL, msgid TEXT NOT NULL);
                CREATE TABLE fee (mdtrt_id TEXT NOT NULL, feedetl_sn TEXT NOT NULL, chrg_bchno TEXT NOT NULL,
                                  code TEXT NOT NULL, amount INTEGER NOT NULL, level TEXT NOT NULL, full_own INTEGER NOT NULL,
                                  pre_self INTEGER NOT NULL, in_scope INTEGER NOT NULL, state TEXT NOT NULL, msgid TEXT NOT NULL,
                                  PRIMARY KEY (mdtrt_id, feedetl_sn));
                CREATE TABLE settlement (setl_id TEXT PRIMARY KEY, mdtrt_id TEXT NOT NULL, psn_no TEXT NOT NULL,
                                         fixmedins_code TEXT NOT NULL, insutype TEXT NOT NULL, day TEXT NOT NULL,
                                         total INTEGER NOT NULL, fund INTEGER NOT NULL, acct INTEGER NOT NULL,
                                         cash INTEGER NOT NULL, basic INTEGER NOT NULL, ci INTEGER NOT NULL,
                                         aid INTEGER NOT NULL, ci_base_delta INTEGER NOT NULL, aid_base_delta INTEGER NOT NULL,
                                         state TEXT NOT NULL, msgid TEXT NOT NULL);
                CREATE TABLE counter (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
                """)
        }
        m.registerMigration("v2: clearing agency and type of each settlement (3201 is grouped by them)") { db in
            try db.execute(sql: """
                ALTER TABLE settlement ADD COLUMN clr_optins TEXT NOT NULL DEFAULT '';
                ALTER TABLE settlement ADD COLUMN clr_type TEXT NOT NULL DEFAULT '11';
                """)
        }
        m.registerMigration("v3: face confirmations (cn.nhsa.ec.auth → authNo → cn.nhsa.auth.check)") { db in
            try db.execute(sql: """
                CREATE TABLE face_auth (auth_no TEXT PRIMARY KEY, psn_no TEXT NOT NULL, out_biz_no TEXT NOT NULL,
                                        checked INTEGER NOT NULL DEFAULT 0);
                """)
        }
        m.registerMigration("v4: catalogue mappings (3301/3302/1317, checked by 2204) and uploaded files (9101)") { db in
            try db.execute(sql: """
                CREATE TABLE catalog_map (fixmedins_code TEXT NOT NULL, fixmedins_hilist_id TEXT NOT NULL, list_type TEXT NOT NULL,
                                          fixmedins_hilist_name TEXT NOT NULL, med_list_codg TEXT NOT NULL, begndate TEXT NOT NULL,
                                          enddate TEXT, aprvno TEXT, dosform TEXT, prcunt TEXT, spec TEXT, pacspec TEXT, memo TEXT,
                                          vali_flag TEXT NOT NULL, rid TEXT NOT NULL, crte_time TEXT NOT NULL, updt_time TEXT NOT NULL,
                                          PRIMARY KEY (fixmedins_code, fixmedins_hilist_id, list_type));
                CREATE INDEX catalog_map_updt ON catalog_map (updt_time);
                CREATE TABLE upload_file (file_qury_no TEXT PRIMARY KEY, filename TEXT NOT NULL, fixmedins_code TEXT NOT NULL,
                                          path TEXT NOT NULL, size INTEGER NOT NULL, uploaded TEXT NOT NULL);
                """)
        }
        m.registerMigration("v5: after the visit (2001/5201/5203/5204/3202, 门诊慢特病, refunds on their own day)") { db in
            var sql = "ALTER TABLE person_state ADD COLUMN chronic_paid INTEGER NOT NULL DEFAULT 0;"
            for c in ["begntime", "endtime", "med_type", "dise_codg", "dise_name", "main_cond_dscr", "diag_info", "atddr_no",
                      "dr_name", "dept_code", "dept_name", "mdtrt_cert_type", "fixmedins_name", "opter", "opter_name", "opt_time"] {
                sql += "ALTER TABLE visit ADD COLUMN \(c) TEXT;"
            }
            sql += "ALTER TABLE fee ADD COLUMN raw TEXT; ALTER TABLE fee ADD COLUMN opt_time TEXT;"
            // A refund (2208, or a 2207 undone by 2601) is a row of its own, on the day it was
            // made, with negative amounts and refd_setl_flag 1; its original stays on its day.
            sql += "ALTER TABLE settlement ADD COLUMN refd_setl_flag TEXT NOT NULL DEFAULT '0';"
            for c in ["orig_setl_id", "setl_time", "med_type", "mdtrt_cert_type", "chrg_bchno", "dise_codg", "dise_name",
                      "invono", "opter", "opter_name", "fixmedins_name"] {
                sql += "ALTER TABLE settlement ADD COLUMN \(c) TEXT;"
            }
            for c in ["full_own", "pre_self", "in_scope", "pool_self"] {
                sql += "ALTER TABLE settlement ADD COLUMN \(c) INTEGER NOT NULL DEFAULT 0;"
            }
            sql += "ALTER TABLE settlement ADD COLUMN balc INTEGER;"
            try db.execute(sql: sql)
            // Reversals recorded before: their refund rows, on the original's day (the day of
            // the refund was not kept).
            try db.execute(sql: """
                INSERT INTO settlement (setl_id, mdtrt_id, psn_no, fixmedins_code, insutype, day, total, fund, acct, cash,
                                        basic, ci, aid, ci_base_delta, aid_base_delta, state, msgid, clr_optins, clr_type,
                                        refd_setl_flag, orig_setl_id)
                SELECT 'R' || setl_id, mdtrt_id, psn_no, fixmedins_code, insutype, day, -total, -fund, -acct, -cash,
                       -basic, -ci, -aid, 0, 0, 'refund', msgid, clr_optins, clr_type, '1', setl_id
                FROM settlement WHERE state = 'reversed'
                """)
        }
        try m.migrate(db)
        try db.write { db in
            for p in persons {
                try db.execute(sql: """
                    INSERT OR IGNORE INTO person_state (psn_no, balc, basic_paid, ci_base, aid_base, aid_paid)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [p.psn_no, p.insurance.balc.fen, p.yearToDate.basicFundPaid.fen,
                                     p.yearToDate.criticalIllnessBase.fen, p.yearToDate.medicalAidBase.fen,
                                     p.yearToDate.medicalAidPaid.fen])
            }
        }
    }

    static func next(_ name: String, in db: Database) throws -> Int64 {
        try db.execute(sql: "INSERT INTO counter (name, value) VALUES (?, 1) ON CONFLICT(name) DO UPDATE SET value = value + 1",
                       arguments: [name])
        return try Int64.fetchOne(db, sql: "SELECT value FROM counter WHERE name = ?", arguments: [name]) ?? 1
    }

    struct PersonState {
        var balance: Money
        var ytd: CorePolicy.YearToDate
        /// What the basic fund paid this year for 门诊慢特病 (its own cap).
        var chronicPaid: Money = .zero
    }

    static func state(of psnNo: String, in db: Database) throws -> PersonState? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM person_state WHERE psn_no = ?", arguments: [psnNo]) else {
            return nil
        }
        return PersonState(
            balance: Money(fen: row["balc"]),
            ytd: .init(basicFundPaid: Money(fen: row["basic_paid"]), criticalIllnessBase: Money(fen: row["ci_base"]),
                       medicalAidBase: Money(fen: row["aid_base"]), medicalAidPaid: Money(fen: row["aid_paid"])),
            chronicPaid: Money(fen: row["chronic_paid"]))
    }

    static func save(_ s: PersonState, of psnNo: String, in db: Database) throws {
        try db.execute(sql: """
            UPDATE person_state SET balc = ?, basic_paid = ?, ci_base = ?, aid_base = ?, aid_paid = ?, chronic_paid = ?
            WHERE psn_no = ?
            """, arguments: [s.balance.fen, s.ytd.basicFundPaid.fen, s.ytd.criticalIllnessBase.fen,
                             s.ytd.medicalAidBase.fen, s.ytd.medicalAidPaid.fen, s.chronicPaid.fen, psnNo])
    }

    /// The core's own totals of settled (not reversed) settlements, for 3201 and the tests.
    struct Totals: Sendable, Equatable, Codable {
        var count: Int
        var total: Int64
        var fund: Int64
        var acct: Int64
    }

    func totals(fixmedinsCode: String, insutype: String?, from: String, to: String) throws -> Totals {
        try db.read { db in try Self.totals(fixmedinsCode: fixmedinsCode, insutype: insutype, from: from, to: to, in: db) }
    }

    /// Settled totals by the day each row was made, narrowed to a clearing agency and type
    /// when given. Without `includeRefunds` (3201's refd_setl_flag 0): settlements still
    /// settled. With it (refd_setl_flag 1 or absent): every settlement made in the range, even
    /// if refunded since, and every refund made in the range (negative amounts, counted on
    /// its own day): a settlement refunded the same day counts twice and nets to zero.
    static func totals(fixmedinsCode: String, insutype: String?, clrType: String? = nil, clrOptins: String? = nil,
                       includeRefunds: Bool = false, from: String, to: String, in db: Database) throws -> Totals {
        var sql = """
            SELECT COUNT(*) AS n, COALESCE(SUM(total), 0) AS t, COALESCE(SUM(fund), 0) AS f, COALESCE(SUM(acct), 0) AS a
            FROM settlement WHERE fixmedins_code = ? AND day >= ? AND day <= ?
            """
        var args: [any DatabaseValueConvertible] = [fixmedinsCode, from, to]
        if !includeRefunds { sql += " AND state = 'settled'" }
        if let insutype { sql += " AND insutype = ?"; args.append(insutype) }
        if let clrType { sql += " AND clr_type = ?"; args.append(clrType) }
        if let clrOptins { sql += " AND clr_optins = ?"; args.append(clrOptins) }
        let row = try Row.fetchOne(db, sql: sql, arguments: StatementArguments(args))!
        return Totals(count: row["n"], total: row["t"], fund: row["f"], acct: row["a"])
    }

    /// Every settlement (settled or reversed) with the clinic's visit number, as JSON: what
    /// the crash soak compares with the terminal's journal.
    func settlements(day: String?) throws -> Data {
        let rows = try db.read { db in
            try Row.fetchAll(db, sql: """
                SELECT s.setl_id, s.mdtrt_id, s.psn_no, s.state, s.total, s.day, v.ipt_otp_no
                FROM settlement s JOIN visit v ON v.mdtrt_id = s.mdtrt_id
                WHERE s.refd_setl_flag = '0' AND (? IS NULL OR s.day = ?) ORDER BY s.setl_id
                """, arguments: [day, day])
        }
        let list: [[String: Any]] = rows.map {
            ["setl_id": $0["setl_id"] as String, "mdtrt_id": $0["mdtrt_id"] as String, "psn_no": $0["psn_no"] as String,
             "state": $0["state"] as String, "total": Money(fen: $0["total"]).yuan, "day": $0["day"] as String,
             "ipt_otp_no": $0["ipt_otp_no"] as String]
        }
        return try JSONSerialization.data(withJSONObject: list, options: [.sortedKeys])
    }
}
