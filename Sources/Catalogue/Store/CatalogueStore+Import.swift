import Foundation
import GRDB
import Logging
import Settlement
import TerminalCore

extension CatalogueStore {
    package struct ImportResult: Sendable, Equatable {
        package var list: String
        package var added = 0
        package var updated = 0
        package var rows = 0
        package var version: String?
    }

    /// Imports one downloaded file of `list` in one transaction: every row upserted by its key
    /// (column 1), the list's version and row count saved with them. Anything wrong in the file
    /// rolls all of it back; so does a process killed half way (SQLite's journal).
    /// `progress` is called every 10,000 rows with the rows read so far.
    package func importFile(_ list: CatalogueList, zip: URL, now: Date, logger: Logger = Logger(label: "cuntong.catalogue"),
                            progress: (@Sendable (Int) -> Void)? = nil) async throws(CatalogueError) -> ImportResult {
        let reader = CatalogueFileReader(list: list, logger: logger)
        return try await write { db in
            var result = ImportResult(list: list.infno)
            let find = try db.cachedStatement(sql: "SELECT id FROM item WHERE list = ? AND key = ?")
            let insert = try db.cachedStatement(sql: """
                INSERT INTO item (list, key, code, name, trade_name, dosage_form, spec, unit, valid_from, valid_to, wubi, pinyin,
                                  manufacturer, approval_no, vali_flag, updated_at, version, level)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let update = try db.cachedStatement(sql: """
                UPDATE item SET code = ?, name = ?, trade_name = ?, dosage_form = ?, spec = ?, unit = ?, valid_from = ?,
                    valid_to = ?, wubi = ?, pinyin = ?, manufacturer = ?, approval_no = ?, vali_flag = ?, updated_at = ?,
                    version = ?, level = ? WHERE id = ?
                """)
            let ftsDelete = try db.cachedStatement(sql: "DELETE FROM item_fts WHERE rowid = ?")
            let ftsInsert = try db.cachedStatement(sql: "INSERT INTO item_fts (rowid, chars, spell) VALUES (?, ?, ?)")
            var highest = try String.fetchOne(db, sql: "SELECT version FROM list_state WHERE list = ?", arguments: [list.infno])
            _ = try reader.read(zip: zip) { r in
                let id = try Int64.fetchOne(find, arguments: [list.infno, r.key])
                let fields: [(any DatabaseValueConvertible)?] = [
                    r.code, r.name, r.tradeName, r.dosageForm, r.spec, r.unit, r.validFrom, r.validTo, r.wubi, r.pinyin,
                    r.manufacturer, r.approvalNo, r.valid, r.updatedAt, r.version, r.level]
                let rowid: Int64
                if let id {
                    try update.execute(arguments: StatementArguments(fields + [id]))
                    try ftsDelete.execute(arguments: [id])
                    rowid = id
                    result.updated += 1
                } else {
                    try insert.execute(arguments: StatementArguments([list.infno, r.key] + fields))
                    rowid = db.lastInsertedRowID
                    result.added += 1
                }
                try ftsInsert.execute(arguments: [rowid, SearchText.chars(r.name, r.tradeName == r.name ? nil : r.tradeName),
                                                  SearchText.spell(r.pinyin, r.wubi)])
                if let v = r.version, VersionOrder.isNewer(v, than: highest) { highest = v }
                result.rows += 1
                if result.rows % 10_000 == 0 { progress?(result.rows) }
                if result.rows == 1_000 { CrashPoint.hit(list.infno, "mid-import") }
            }
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM item WHERE list = ?", arguments: [list.infno]) ?? 0
            result.version = highest
            try Self.saveState(db, list: list.infno, version: highest, updtTime: nil, now: now,
                               added: result.added, updated: result.updated, rows: total)
            return result
        }
    }
}

/// Catalogue versions compare as numbers when both are digits (their usual shape), else as text.
package enum VersionOrder {
    package static func isNewer(_ a: String, than b: String?) -> Bool {
        guard let b, !b.isEmpty, b != "0" else { return true }
        if a.allSatisfy(\.isNumber), b.allSatisfy(\.isNumber), a.count != b.count { return a.count > b.count }
        return a > b
    }
}

/// What the full-text index holds and how a query is written for it.
package enum SearchText {
    /// A CJK character is a word of its own; other runs (Latin, digits) stay words.
    static func isCJK(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0x20000...0x2FFFF: true
        default: false
        }
    }

    /// The names with a space around each CJK character, lowercased.
    package static func chars(_ parts: String?...) -> String {
        var out = String.UnicodeScalarView()
        for part in parts.compactMap({ $0 }) {
            for s in part.lowercased().unicodeScalars {
                if isCJK(s) {
                    out.append(" ")
                    out.append(s)
                    out.append(" ")
                } else if s.properties.isAlphabetic || s.properties.numericType != nil {
                    out.append(s)
                } else {
                    out.append(" ")
                }
            }
            out.append(" ")
        }
        return String(out)
    }

    /// Pinyin and wubi initials, lowercased.
    package static func spell(_ parts: String?...) -> String {
        parts.compactMap { $0?.lowercased().filter { $0.isLetter || $0.isNumber } }.joined(separator: " ")
    }

    /// An FTS5 phrase of `text`'s tokens, quoted (a query can never be FTS syntax).
    package static func phrase(_ text: String) -> String? {
        let tokens = chars(text).split(separator: " ").map { $0.replacingOccurrences(of: "\"", with: "\"\"") }
        guard !tokens.isEmpty else { return nil }
        return "\"" + tokens.joined(separator: " ") + "\""
    }
}
