import Foundation
import GRDB
import Settlement
import TerminalCore

/// The paged lists (1312, 1318, 1319) and the dictionary (1901). Pages are staged as they
/// come (each committed, so memory stays flat) and applied to the list in one transaction
/// once the last page is in: a sync cut off half way leaves the list as it was.
extension CatalogueStore {
    package func clearStage(_ list: PagedList) async throws(CatalogueError) {
        try await write { db in try db.execute(sql: "DELETE FROM page_stage WHERE list = ?", arguments: [list.rawValue]) }
    }

    package func stage(_ list: PagedList, rows: [LooseRow], from seq: Int) async throws(CatalogueError) {
        try await write { db in
            let insert = try db.cachedStatement(sql: "INSERT OR REPLACE INTO page_stage (list, seq, row) VALUES (?, ?, ?)")
            for (i, row) in rows.enumerated() {
                let json = String(decoding: try JSONEncoder().encode(row.fields), as: UTF8.self)
                try insert.execute(arguments: [list.rawValue, seq + i, json])
            }
        }
    }

    /// Moves the staged rows into the list, upserted by their `rid` (唯一记录号; the code and
    /// begin date where a core leaves it out), and records the newest `updt_time` seen.
    package func applyStage(_ list: PagedList, now: Date) async throws(CatalogueError) -> ImportResult {
        try await write { db in
            var result = ImportResult(list: list.rawValue)
            var newest = try String.fetchOne(db, sql: "SELECT updt_time FROM list_state WHERE list = ?", arguments: [list.rawValue])
            let rows = try String.fetchCursor(db, sql: "SELECT row FROM page_stage WHERE list = ? ORDER BY seq", arguments: [list.rawValue])
            let (table, sql) = Self.pagedUpsert(list)
            let statement = try db.cachedStatement(sql: sql)
            let exists = try db.cachedStatement(sql: "SELECT 1 FROM \(table) WHERE rid = ?")
            while let text = try rows.next() {
                let f = (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
                guard let code = f["hilist_code"] ?? f["med_list_codg"] else { continue }
                let begin = f["begndate"].flatMap(PlatformDate.day)
                let rid = f["rid"] ?? "\(code)|\(begin ?? "")|\(f["selfpay_prop_psn_type"] ?? f["hilist_lmtpric_type"] ?? "")"
                let updated = f["updt_time"].flatMap(PlatformDate.time)
                if let u = updated, u > (newest ?? "") { newest = u }
                if try Bool.fetchOne(exists, arguments: [rid]) == true { result.updated += 1 } else { result.added += 1 }
                try statement.execute(arguments: StatementArguments(Self.pagedValues(list, rid: rid, code: code, f, updated: updated)))
                result.rows += 1
            }
            try db.execute(sql: "DELETE FROM page_stage WHERE list = ?", arguments: [list.rawValue])
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
            try Self.saveState(db, list: list.rawValue, version: nil, updtTime: newest, now: now,
                               added: result.added, updated: result.updated, rows: total)
            return result
        }
    }

    static func pagedUpsert(_ list: PagedList) -> (table: String, sql: String) {
        switch list {
        case .insuranceList:
            ("hilist", """
                INSERT OR REPLACE INTO hilist (rid, hilist_code, name, chrgitm_lv, list_type, med_chrgitm_type, lmt_used_flag,
                                               begndate, enddate, vali_flag, updt_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        case .priceCaps:
            ("price_cap", """
                INSERT OR REPLACE INTO price_cap (rid, hilist_code, lmtpric_type, overlmt_dspo_way, cap_fen, begndate, enddate,
                                                  vali_flag, updt_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        case .selfPayRatios:
            ("selfpay_ratio", """
                INSERT OR REPLACE INTO selfpay_ratio (rid, hilist_code, psn_type, prop_type, ratio, begndate, enddate, vali_flag,
                                                      updt_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
        }
    }

    static func pagedValues(_ list: PagedList, rid: String, code: String, _ f: [String: String],
                            updated: String?) -> [(any DatabaseValueConvertible)?] {
        let begin = f["begndate"].flatMap(PlatformDate.day), end = f["enddate"].flatMap(PlatformDate.day)
        switch list {
        case .insuranceList:
            return [rid, code, f["hilist_name"], f["chrgitm_lv"].flatMap(ChargeLevel.normalized), f["list_type"],
                    f["med_chrgitm_type"], f["lmt_used_flag"], begin, end, f["vali_flag"], updated]
        case .priceCaps:
            // 16,2 yuan; a cap that is not exact yuan is not kept (never guessed).
            let cap = f["hilist_pric_uplmt_amt"].flatMap { Money(yuan: $0) }?.fen
            return [rid, code, f["hilist_lmtpric_type"], f["overlmt_dspo_way"], cap, begin, end, f["vali_flag"], updated]
        case .selfPayRatios:
            return [rid, code, f["selfpay_prop_psn_type"], f["selfpay_prop_type"], f["selfpay_prop"], begin, end,
                    f["vali_flag"], updated]
        }
    }

    /// Replaces one dictionary's entries (1901), in one transaction.
    package func replaceDictionary(type: String, rows: [LooseRow], now: Date) async throws(CatalogueError) -> Int {
        try await write { db in
            try db.execute(sql: "DELETE FROM dictionary WHERE type = ?", arguments: [type])
            var n = 0
            for r in rows {
                guard let value = r["value"], let label = r["label"] else { continue }
                if let flag = r["vali_flag"] ?? r["valiFlag"], flag == "0" { continue }
                try db.execute(sql: "INSERT OR REPLACE INTO dictionary (type, value, label, parent, sort) VALUES (?, ?, ?, ?, ?)",
                               arguments: [type, value, label, r["parent_value"] ?? r["parentValue"], r["sort"].flatMap { Int($0) }])
                n += 1
            }
            try Self.saveState(db, list: "1901:\(type)", version: nil, updtTime: nil, now: now, added: n, updated: 0, rows: n)
            return n
        }
    }

    /// A dictionary's label for `value` (the value itself when the dictionary is not there).
    package func label(_ type: String, _ value: String) async -> String? {
        try? await read { db in
            try String.fetchOne(db, sql: "SELECT label FROM dictionary WHERE type = ? AND value = ?", arguments: [type, value])
        }
    }
}
