import Foundation
import GRDB

/// The catalogue transactions: 1301–1307 (the next version's file, fetched with 9102),
/// 1312/1318/1319 (paged by updt_time) and 1901 (dictionaries).
extension CoreSimulator {
    /// 1301 西药中成药, 1302 中药饮片, 1305 医疗服务项目, 1306 医用耗材, 1307 疾病与诊断: the
    /// file of the version after `ver` ("0" the first time), or data_cnt 0 and no file when
    /// nothing is newer. One version per answer: a client calls again with the highest 版本号
    /// it now holds until the answer has no file.
    func catalogueFile(list: String, input: JSONObject) throws -> [String: Any] {
        let ver = try input.string("ver")
        guard !ver.isEmpty else { throw CoreRefusal("入参不能为空：本地最大版本号(ver)") }
        guard let entry = try catalogue.next(list: list, after: ver) else {
            return ["file_qury_no": NSNull(), "filename": NSNull(), "dld_end_time": NSNull(), "data_cnt": 0]
        }
        return ["file_qury_no": entry.fileQuryNo, "filename": entry.filename,
                "dld_end_time": String(time(clock().addingTimeInterval(86_400)).prefix(10)), "data_cnt": entry.dataCnt]
    }

    /// page_num / page_size of a paged query (both required numbers; page_num from 1).
    func paging(_ input: JSONObject) throws -> (num: Int, size: Int) {
        guard let num = Int(try input.string("page_num")), num >= 1 else { throw CoreRefusal("页码(page_num)应为不小于1的整数") }
        guard let size = Int(try input.string("page_size")), size >= 1 else { throw CoreRefusal("每页数量(page_size)应为正整数") }
        return (num, size)
    }

    /// The paging envelope as PageHelper-based cores answer (pageNum … size, rows in data).
    func page(_ rows: [[String: Any]], num: Int, size: Int, total: Int) -> [String: Any] {
        let pages = (total + size - 1) / size
        let start = (num - 1) * size
        return ["pageNum": num, "pageSize": size, "pages": pages, "recordCounts": total,
                "firstPage": pages == 0 ? 0 : 1, "lastPage": pages, "startRow": rows.isEmpty ? 0 : start + 1,
                "size": rows.count, "data": rows]
    }

    /// Rows of the catalogue index updated at or after `updt_time`, with the filters given,
    /// in a stable order (updt_time, then code).
    func indexPage(_ input: JSONObject, extra: String? = nil,
                   row: (Row) -> [String: Any]) throws -> [String: Any] {
        let since = try input.string("updt_time")
        let (num, size) = try paging(input)
        var sql = " FROM item WHERE updated >= ? AND list IN ('1301', '1302', '1305', '1306')"
        var args: [any DatabaseValueConvertible] = [since]
        if let extra { sql += " AND " + extra }
        let filters: [(String, String)] = [("hilist_code", "code = ?"), ("list_type", "list_type = ?"), ("vali_flag", "valid = ?"),
                                           ("pinyin", "pinyin LIKE ?"), ("wubi", "wubi LIKE ?"), ("hilist_name", "name LIKE ?")]
        for (field, clause) in filters {
            guard let v = input.optionalString(field), !v.isEmpty else { continue }
            sql += " AND " + clause
            args.append(clause.contains("LIKE") ? (field == "hilist_name" ? "%\(v)%" : "\(v.uppercased())%") : v)
        }
        let index = try catalogue.get().index
        let (total, rows) = try index.read { db in
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*)" + sql, arguments: StatementArguments(args)) ?? 0
            let rows = try Row.fetchAll(db, sql: "SELECT *" + sql + " ORDER BY updated, code LIMIT ? OFFSET ?",
                                        arguments: StatementArguments(args + [size, (num - 1) * size]))
            return (total, rows)
        }
        return page(rows.map(row), num: num, size: size, total: total)
    }

    /// The fields every catalogue query row shares, as 1312 writes them.
    func hilistRow(_ r: Row) -> [String: Any] {
        var row: [String: Any] = [
            "hilist_code": r["code"] as String, "hilist_name": r["name"] as String, "insu_admdvs": "360400",
            "begndate": r["begin"] as String, "med_chrgitm_type": r["chrgitm_type"] as String, "chrgitm_lv": r["level"] as String,
            "lmt_used_flag": r["lmt_used"] as String, "list_type": r["list_type"] as String, "wubi": r["wubi"] as String,
            "pinyin": r["pinyin"] as String, "vali_flag": (r["valid"] as Int) == 1 ? "1" : "0", "rid": r["rid"] as String,
            "updt_time": r["updated"] as String, "crte_time": r["updated"] as String, "memo": NSNull(),
            "hilist_dosform": NSNull(), "hilist_use_type": NSNull(), "crter_id": NSNull(), "opter_id": NSNull(),
        ]
        row["enddate"] = (r["end"] as String?).map { $0 as Any } ?? NSNull()
        return row
    }

    /// 1312 医保目录信息查询.
    func hilistPage(input: JSONObject) throws -> [String: Any] {
        try indexPage(input) { hilistRow($0) }
    }

    /// 1318 医保目录限价信息查询: items with a price cap (yuan, a number).
    func priceCapPage(input: JSONObject) throws -> [String: Any] {
        try indexPage(input, extra: "cap IS NOT NULL") { r in
            var row = hilistRow(r)
            row["hilist_lmtpric_type"] = "1"
            row["overlmt_dspo_way"] = "1"
            row["hilist_pric_uplmt_amt"] = Double(r["cap"] as String) ?? 0
            return row
        }
    }

    /// 1319 医保目录先自付比例信息查询: items whose patient pays a share first (a ratio, a number).
    func selfpayPage(input: JSONObject) throws -> [String: Any] {
        try indexPage(input, extra: "selfpay IS NOT NULL") { r in
            var row = hilistRow(r)
            row["selfpay_prop_psn_type"] = "1"
            row["selfpay_prop_type"] = "1"
            row["selfpay_prop"] = Double(r["selfpay"] as String) ?? 0
            return row
        }
    }

    /// 1901 字典表查询: the values of one dictionary (`type`, e.g. list_type, chrgitm_lv).
    func dictionary(input: JSONObject) throws -> [String: Any] {
        let type = try input.string("type")
        _ = try input.string("date")
        guard let values = dictionaries.values[type] else { throw CoreRefusal("字典类型不存在: \(type)") }
        let wanted = input.optionalString("vali_flag") ?? input.optionalString("valiFlag") ?? input.optionalString("vali_Flag")
        let parent = input.optionalString("parentValue")
        let list: [[String: Any]] = values.enumerated().compactMap { n, v in
            if let wanted, !wanted.isEmpty, wanted != "1" { return nil }
            if let parent, !parent.isEmpty, parent != (v.parent ?? "") { return nil }
            return ["type": type, "label": v.label, "value": v.value, "parent_value": v.parent.map { $0 as Any } ?? NSNull(),
                    "sort": n + 1, "vali_flag": "1", "dic_type_code": type, "admdvs": "360400"]
        }
        return ["list": list]
    }
}

/// The 1901 dictionaries: `spec/dictionaries.json` (values from public integrations, or the
/// placeholders it marks as such), else the few the catalogue needs.
struct CoreDictionaries: Sendable {
    struct Value: Sendable { var value: String; var label: String; var parent: String? }
    let values: [String: [Value]]

    init(path: String) {
        var values: [String: [Value]] = [
            "list_type": [("101", "西药中成药"), ("102", "中药饮片"), ("201", "医疗服务项目"), ("301", "医用耗材")]
                .map { Value(value: $0.0, label: $0.1) },
            "chrgitm_lv": [("01", "甲类"), ("02", "乙类"), ("03", "丙类")].map { Value(value: $0.0, label: $0.1) },
        ]
        if let data = FileManager.default.contents(atPath: path),
           let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] {
            for (type, entry) in object {
                guard let entry = entry as? [String: Any] else { continue }
                var list = entry["values"] as? [[String: Any]] ?? []
                if list.isEmpty { list = entry["simulator_values"] as? [[String: Any]] ?? [] }
                let parsed = list.compactMap { v -> Value? in
                    guard let value = v["value"] as? String, let label = v["label"] as? String else { return nil }
                    return Value(value: value, label: label, parent: v["parent_value"] as? String)
                }
                if !parsed.isEmpty { values[type] = parsed }
            }
        }
        self.values = values
    }
}

extension CoreDictionaries.Value {
    init(value: String, label: String) { self.init(value: value, label: label, parent: nil) }
}
