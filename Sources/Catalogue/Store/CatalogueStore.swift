import Foundation
import GRDB
import Logging
import TerminalCore

/// The catalogue on the terminal: its own SQLite file (`[catalogue] path`), apart from the
/// journal — it holds no money and no patient, and a sync rewrites most of it. WAL, so the
/// daemon reads the catalogue in use while a sync writes the next one; each list's import is
/// one transaction, so a failed or killed sync leaves the previous catalogue whole.
package final class CatalogueStore: Sendable {
    package let path: String
    let db: DatabasePool

    package init(path: String) throws(CatalogueError) {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
            var config = Configuration()
            config.busyMode = .timeout(10)
            config.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
            }
            let pool = try DatabasePool(path: path, configuration: config)
            try Self.migrator.migrate(pool)
            db = pool
            chmod(path, 0o600)
        } catch let e as CatalogueError {
            throw e
        } catch {
            throw .store("\(path): \(error)")
        }
    }

    /// Whether a catalogue file exists at `path` (without creating one).
    package static func exists(at path: String) -> Bool { FileManager.default.fileExists(atPath: path) }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE item (
                    id INTEGER PRIMARY KEY,
                    list TEXT NOT NULL, key TEXT NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
                    trade_name TEXT, dosage_form TEXT, spec TEXT, unit TEXT, valid_from TEXT, valid_to TEXT,
                    wubi TEXT, pinyin TEXT, manufacturer TEXT, approval_no TEXT, vali_flag TEXT,
                    updated_at TEXT, version TEXT, level TEXT,
                    UNIQUE (list, key));
                CREATE INDEX item_code ON item (code);
                -- rowid = item.id. chars: the names, one token per CJK character (a phrase query
                -- then finds any run of characters); spell: pinyin and wubi initials, lowercased.
                CREATE VIRTUAL TABLE item_fts USING fts5 (chars, spell, tokenize = 'unicode61');
                CREATE TABLE list_state (
                    list TEXT PRIMARY KEY, version TEXT, rows INTEGER NOT NULL DEFAULT 0, synced_at REAL,
                    updt_time TEXT, added INTEGER, updated INTEGER);
                CREATE TABLE hilist (
                    rid TEXT PRIMARY KEY, hilist_code TEXT NOT NULL, name TEXT, chrgitm_lv TEXT, list_type TEXT,
                    med_chrgitm_type TEXT, lmt_used_flag TEXT, begndate TEXT, enddate TEXT, vali_flag TEXT, updt_time TEXT);
                CREATE INDEX hilist_code ON hilist (hilist_code);
                CREATE TABLE price_cap (
                    rid TEXT PRIMARY KEY, hilist_code TEXT NOT NULL, lmtpric_type TEXT, overlmt_dspo_way TEXT,
                    cap_fen INTEGER, begndate TEXT, enddate TEXT, vali_flag TEXT, updt_time TEXT);
                CREATE INDEX price_cap_code ON price_cap (hilist_code);
                CREATE TABLE selfpay_ratio (
                    rid TEXT PRIMARY KEY, hilist_code TEXT NOT NULL, psn_type TEXT, prop_type TEXT, ratio TEXT,
                    begndate TEXT, enddate TEXT, vali_flag TEXT, updt_time TEXT);
                CREATE INDEX selfpay_ratio_code ON selfpay_ratio (hilist_code);
                CREATE TABLE dictionary (
                    type TEXT NOT NULL, value TEXT NOT NULL, label TEXT NOT NULL, parent TEXT, sort INTEGER,
                    PRIMARY KEY (type, value));
                -- Pages fetched for a sync not yet applied; emptied when a sync starts.
                CREATE TABLE page_stage (list TEXT NOT NULL, seq INTEGER NOT NULL, row TEXT NOT NULL, PRIMARY KEY (list, seq));
                -- The clinic's items and the catalogue code each is mapped to. state: local (not
                -- at the core yet), uploaded (3301 accepted), revoking (3302 to send).
                CREATE TABLE mapping (
                    clinic_code TEXT PRIMARY KEY, clinic_name TEXT, hilist_code TEXT NOT NULL, list_type TEXT,
                    source TEXT NOT NULL, state TEXT NOT NULL, changed_at REAL NOT NULL, uploaded_at REAL);
                CREATE INDEX mapping_code ON mapping (hilist_code);
                """)
        }
        return m
    }

    func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(CatalogueError) -> T {
        do { return try await db.write(body) } catch let e as CatalogueError { throw e } catch { throw .store("\(error)") }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(CatalogueError) -> T {
        do { return try await db.read(body) } catch let e as CatalogueError { throw e } catch { throw .store("\(error)") }
    }

    // MARK: State of each list

    package struct ListState: Sendable, Equatable, Codable {
        package var list: String
        package var version: String?
        package var rows: Int
        package var syncedAt: Date?
        package var updtTime: String?
    }

    package func states() async throws(CatalogueError) -> [ListState] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT list, version, rows, synced_at, updt_time FROM list_state ORDER BY list").map {
                ListState(list: $0["list"], version: $0["version"], rows: $0["rows"],
                          syncedAt: ($0["synced_at"] as Double?).map(Date.init(timeIntervalSince1970:)), updtTime: $0["updt_time"])
            }
        }
    }

    package func state(_ list: String) async throws(CatalogueError) -> ListState? {
        try await states().first { $0.list == list }
    }

    /// Whether any list was ever imported: without one, fees are not checked.
    package func isEmpty() async throws(CatalogueError) -> Bool {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM list_state WHERE rows > 0") ?? 0 } == 0
    }

    static func saveState(_ db: Database, list: String, version: String?, updtTime: String?, now: Date,
                          added: Int, updated: Int, rows: Int) throws {
        try db.execute(sql: """
            INSERT INTO list_state (list, version, rows, synced_at, updt_time, added, updated) VALUES (?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (list) DO UPDATE SET version = COALESCE(excluded.version, version), rows = excluded.rows,
                synced_at = excluded.synced_at, updt_time = COALESCE(excluded.updt_time, updt_time),
                added = excluded.added, updated = excluded.updated
            """, arguments: [list, version, rows, now.timeIntervalSince1970, updtTime, added, updated])
    }
}
