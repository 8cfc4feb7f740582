import Foundation
import GRDB

/// 目录对照: the core's table of each institution's item codes mapped to catalogue codes
/// (3301 upload, 3302 revoke, 1317 query), and the check 2204 makes against it.
extension CoreSimulator {
    /// Loads the mappings approved last year (hardware-sim/core/catalogue/approved-mappings.json),
    /// once: a mapping revoked since (3302) stays revoked.
    func seedMappings(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let mappings = object["mappings"] as? [[String: Any]] else { throw CatalogueError("\(path): no mappings") }
        let approved = object["approved"] as? String ?? "2025-03-18 09:30:00"
        try ledger.db.write { db in
            for (n, m) in mappings.enumerated() {
                let o = JSONObject(m)
                try db.execute(sql: """
                    INSERT OR IGNORE INTO catalog_map (fixmedins_code, fixmedins_hilist_id, list_type, fixmedins_hilist_name,
                        med_list_codg, begndate, enddate, aprvno, dosform, prcunt, spec, pacspec, memo, vali_flag, rid,
                        crte_time, updt_time)
                    VALUES (?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, NULL, '1', ?, ?, ?)
                    """, arguments: [try o.string("fixmedins_code"), try o.string("fixmedins_hilist_id"), try o.string("list_type"),
                                     try o.string("fixmedins_hilist_name"), try o.string("med_list_codg"), try o.string("begndate"),
                                     o.optionalString("dosform"), o.optionalString("prcunt"), o.optionalString("spec"),
                                     o.optionalString("pacspec"), String(format: "360400M%013d", n + 1), approved, approved])
            }
        }
    }

    /// The catalogue's item of `code` (lists 1301, 1302, 1305, 1306), nil when there is none.
    func catalogueItem(_ code: String) throws -> Row? {
        try catalogue.get().index.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM item WHERE code = ? AND list IN ('1301', '1302', '1305', '1306')",
                             arguments: [code])
        }
    }

    /// 2204: a fee row's catalogue code must be in the catalogue, and the clinic's own code
    /// mapped to it (3301, approved), as a real core refuses otherwise.
    func checkFeeCodes(_ item: JSONObject, code: String, in db: Database) throws {
        let sn = try item.string("feedetl_sn")
        let med = try item.string("med_list_codg"), own = try item.string("medins_list_codg")
        guard try catalogueItem(med) != nil else {
            throw CoreRefusal("费用明细流水号\(sn)：医保目录编码\(med)在医保目录中不存在")
        }
        let mapped = try Bool.fetchOne(db, sql: """
            SELECT 1 FROM catalog_map WHERE fixmedins_code = ? AND fixmedins_hilist_id = ? AND med_list_codg = ? AND vali_flag = '1'
            """, arguments: [code, own, med]) == true
        guard mapped else {
            throw CoreRefusal("费用明细流水号\(sn)：医药机构目录编码\(own)未与医保目录编码\(med)对照或对照未审核通过，请先上传目录对照(3301)")
        }
    }

    /// 3301's rows: under `catalogcompin` or `data`, a single object or a list.
    static func mappingRows(_ input: JSONObject) -> [JSONObject] {
        let node = input.raw["catalogcompin"] ?? input.raw["data"]
        if let list = node as? [[String: Any]] { return list.map(JSONObject.init) }
        if let one = node as? [String: Any] { return [JSONObject(one)] }
        return []
    }

    /// 3301 目录对照上传: rows under `catalogcompin` or `data`, one object or a list.
    func uploadMappings(input: JSONObject, code: String, in db: Database) throws -> [String: Any] {
        let rows = Self.mappingRows(input)
        guard !rows.isEmpty else { throw CoreRefusal("缺少节点或目录对照信息为空: catalogcompin / data") }
        let now = time(clock())
        for r in rows {
            let id = try r.string("fixmedins_hilist_id"), name = try r.string("fixmedins_hilist_name")
            let listType = try r.string("list_type"), begndate = try r.string("begndate")
            guard let med = r.optionalString("med_list_codg"), !med.isEmpty else { throw CoreRefusal("医疗目录编码(med_list_codg)不能为空: \(id)") }
            guard let item = try catalogueItem(med) else { throw CoreRefusal("医疗目录编码\(med)在医保目录中不存在，不能对照: \(id)") }
            guard item["list_type"] as String == listType else {
                throw CoreRefusal("目录类别\(listType)与医保目录\(med)的类别\(item["list_type"] as String)不符: \(id)")
            }
            guard item["valid"] as Int == 1 else { throw CoreRefusal("医疗目录编码\(med)已失效，不能对照: \(id)") }
            let rid = "360400M" + String(format: "%013lld", try CoreLedger.next("catalog_map", in: db) + 1000)
            try db.execute(sql: """
                INSERT OR REPLACE INTO catalog_map (fixmedins_code, fixmedins_hilist_id, list_type, fixmedins_hilist_name,
                    med_list_codg, begndate, enddate, aprvno, dosform, prcunt, spec, pacspec, memo, vali_flag, rid, crte_time, updt_time)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '1', ?, ?, ?)
                """, arguments: [code, id, listType, name, med, begndate, r.optionalString("enddate"), r.optionalString("aprvno"),
                                 r.optionalString("dosform"), r.optionalString("prcunt"), r.optionalString("spec"),
                                 r.optionalString("pacspec"), r.optionalString("memo"), rid, now, now])
        }
        return [:]
    }

    /// 3302 目录对照撤销.
    func revokeMapping(input: JSONObject, code: String, in db: Database) throws -> [String: Any] {
        let owner = input.optionalString("fixmedins_code") ?? code
        let id = try input.string("fixmedins_hilist_id"), listType = try input.string("list_type")
        let med = try input.string("med_list_codg")
        try db.execute(sql: """
            UPDATE catalog_map SET vali_flag = '0', updt_time = ?
            WHERE fixmedins_code = ? AND fixmedins_hilist_id = ? AND list_type = ? AND med_list_codg = ? AND vali_flag = '1'
            """, arguments: [time(clock()), owner, id, listType, med])
        guard db.changesCount > 0 else { throw CoreRefusal("未找到有效的目录对照信息: \(id) → \(med)") }
        return [:]
    }

    /// 1317 医药机构目录匹配信息查询, paged like 1312.
    func mappingPage(input: JSONObject, code: String, in db: Database) throws -> [String: Any] {
        let since = try input.string("updt_time")
        let (num, size) = try paging(input)
        var sql = " FROM catalog_map WHERE updt_time >= ? AND fixmedins_code = ?"
        var args: [any DatabaseValueConvertible] = [since, input.optionalString("fixmedins_code").flatMap { $0.isEmpty ? nil : $0 } ?? code]
        for (field, column) in [("medins_list_codg", "fixmedins_hilist_id"), ("med_list_codg", "med_list_codg"),
                                ("list_type", "list_type"), ("vali_flag", "vali_flag")] {
            guard let v = input.optionalString(field), !v.isEmpty else { continue }
            sql += " AND \(column) = ?"
            args.append(v)
        }
        let total = try Int.fetchOne(db, sql: "SELECT COUNT(*)" + sql, arguments: StatementArguments(args)) ?? 0
        let rows = try Row.fetchAll(db, sql: "SELECT *" + sql + " ORDER BY updt_time, fixmedins_hilist_id LIMIT ? OFFSET ?",
                                    arguments: StatementArguments(args + [size, (num - 1) * size]))
        func text(_ v: String?) -> Any { v.map { $0 as Any } ?? NSNull() }
        let data: [[String: Any]] = rows.map { r in
            ["fixmedins_code": r["fixmedins_code"] as String, "medins_list_codg": r["fixmedins_hilist_id"] as String,
             "medins_list_name": r["fixmedins_hilist_name"] as String, "insu_admdvs": "360400", "list_type": r["list_type"] as String,
             "med_list_codg": r["med_list_codg"] as String, "begndate": r["begndate"] as String, "enddate": text(r["enddate"]),
             "aprvno": text(r["aprvno"]), "dosform": text(r["dosform"]), "exct_cont": NSNull(), "item_cont": NSNull(),
             "prcunt": text(r["prcunt"]), "spec": text(r["spec"]), "pacspec": text(r["pacspec"]), "memo": text(r["memo"]),
             "vali_flag": r["vali_flag"] as String, "rid": r["rid"] as String, "updt_time": r["updt_time"] as String,
             "crte_time": r["crte_time"] as String, "crter_id": NSNull(), "crter_name": NSNull(), "opter_id": NSNull()]
        }
        return page(data, num: num, size: size, total: total)
    }
}
