import Foundation
import GRDB
import TerminalCore

/// One search result: the catalogue's entry and what the terminal knows about it.
package struct CatalogueEntry: Sendable, Hashable, Codable {
    package var code: String
    package var name: String
    package var kind: String
    package var listType: String?
    /// 甲, 乙, 丙, or nil when neither the file nor 1312 says.
    package var level: String?
    package var spec: String?
    package var unit: String?
    package var manufacturer: String?
    package var validFrom: String?
    package var validTo: String?
    /// "1" valid, "0" not (有效标志).
    package var validFlag: String?
    /// The price cap per unit (1318), in fen.
    package var priceCapFen: Int64?
    /// What the core does over the cap (1318 `overlmt_dspo_way`).
    package var overCapHandling: String?
    /// 先自付比例 (1319), as the core wrote it (0.1 = 10 %).
    package var selfPayRatio: String?
    package var clinicItems: [String]
}

extension CatalogueStore {
    /// Matches a code prefix, the name (any run of its characters), or the pinyin/wubi
    /// initials (`amxl` finds 阿莫西林胶囊). The clinic's mapped items come first, then exact
    /// codes, names that begin with the text, and shorter names. Broad queries (one letter)
    /// rank the first 2,000 matches, so an answer never waits on a whole-catalogue sort.
    package func search(_ text: String, kind: CatalogueList.Kind? = nil, limit: Int = 20,
                        on day: String? = nil) async throws(CatalogueError) -> [CatalogueEntry] {
        let q = text.trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty else { return [] }
        let listFilter = kind.flatMap { CatalogueList.of(kind: $0)?.infno }
        return try await read { db in
            var ids: [Int64] = []
            var seen = Set<Int64>()
            func add(_ more: [Int64]) { for id in more where seen.insert(id).inserted { ids.append(id) } }
            let listClause = listFilter == nil ? "" : " AND item.list = '\(listFilter!)'"
            // Codes: a prefix, through the index (upper bound: the prefix followed by the highest character).
            add(try Int64.fetchAll(db, sql: "SELECT id FROM item WHERE code >= ? AND code < ?\(listClause) LIMIT 200",
                                   arguments: [q, q + "\u{10FFFF}"]))
            // Names: a phrase of the text's characters.
            if let phrase = SearchText.phrase(q) {
                add(try Int64.fetchAll(db, sql: """
                    SELECT item.id FROM item_fts JOIN item ON item.id = item_fts.rowid
                    WHERE item_fts MATCH ?\(listClause) LIMIT 2000
                    """, arguments: ["chars : \(phrase)"]))
            }
            // Initials: letters only, as a prefix of a pinyin or wubi token.
            let letters = q.lowercased()
            if letters.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                add(try Int64.fetchAll(db, sql: """
                    SELECT item.id FROM item_fts JOIN item ON item.id = item_fts.rowid
                    WHERE item_fts MATCH ?\(listClause) LIMIT 2000
                    """, arguments: ["spell : \(letters)*"]))
            }
            // The clinic's mapped items among the matches, or matched by the clinic's own code.
            let mappedCodes = Set(try String.fetchAll(db, sql: "SELECT hilist_code FROM mapping WHERE state != 'revoking'"))
            add(try Int64.fetchAll(db, sql: """
                SELECT item.id FROM mapping JOIN item ON item.code = mapping.hilist_code
                WHERE (mapping.clinic_code >= ? AND mapping.clinic_code < ?) AND mapping.state != 'revoking'\(listClause)
                """, arguments: [q, q + "\u{10FFFF}"]))
            guard !ids.isEmpty else { return [] }
            var rows: [Row] = []
            for chunk in stride(from: 0, to: ids.count, by: 500) {
                let part = Array(ids[chunk..<min(chunk + 500, ids.count)])
                rows += try Row.fetchAll(db, sql: "SELECT * FROM item WHERE id IN (\(part.map { _ in "?" }.joined(separator: ",")))",
                                         arguments: StatementArguments(part))
            }
            let lower = q.lowercased()
            func score(_ r: Row) -> (Int, Int, Int, Int, String) {
                let code: String = r["code"], name: String = r["name"]
                return (mappedCodes.contains(code) ? 0 : 1,
                        code.lowercased() == lower ? 0 : 1,
                        name.hasPrefix(q) || ((r["pinyin"] as String?)?.lowercased().hasPrefix(lower) ?? false) ? 0 : 1,
                        name.count, code)
            }
            let top = rows.sorted { score($0) < score($1) }.prefix(limit)
            return try top.map { try Self.entry($0, db) }
        }
    }

    /// One entry by its catalogue code (the first list that has it).
    package func entry(code: String) async throws(CatalogueError) -> CatalogueEntry? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM item WHERE code = ? ORDER BY list LIMIT 1", arguments: [code]).map { try Self.entry($0, db) }
        }
    }

    static func entry(_ r: Row, _ db: Database) throws -> CatalogueEntry {
        let code: String = r["code"], listName: String = r["list"]
        let list = CatalogueList.named(listName)
        let hilist = try Row.fetchOne(db, sql: "SELECT chrgitm_lv, list_type FROM hilist WHERE hilist_code = ? ORDER BY updt_time DESC LIMIT 1",
                                      arguments: [code])
        let cap = try Row.fetchOne(db, sql: "SELECT cap_fen, overlmt_dspo_way FROM price_cap WHERE hilist_code = ? AND cap_fen IS NOT NULL ORDER BY begndate DESC LIMIT 1",
                                   arguments: [code])
        let ratio = try String.fetchOne(db, sql: "SELECT ratio FROM selfpay_ratio WHERE hilist_code = ? ORDER BY begndate DESC LIMIT 1",
                                        arguments: [code])
        let clinic = try String.fetchAll(db, sql: "SELECT clinic_code FROM mapping WHERE hilist_code = ? AND state != 'revoking' ORDER BY clinic_code",
                                         arguments: [code])
        return CatalogueEntry(
            code: code, name: r["name"], kind: list?.kind.rawValue ?? listName,
            listType: (hilist?["list_type"] as String?) ?? list?.listType,
            level: (hilist?["chrgitm_lv"] as String?) ?? r["level"], spec: r["spec"], unit: r["unit"],
            manufacturer: r["manufacturer"], validFrom: r["valid_from"], validTo: r["valid_to"], validFlag: r["vali_flag"],
            priceCapFen: cap?["cap_fen"], overCapHandling: cap?["overlmt_dspo_way"], selfPayRatio: ratio, clinicItems: clinic)
    }
}
