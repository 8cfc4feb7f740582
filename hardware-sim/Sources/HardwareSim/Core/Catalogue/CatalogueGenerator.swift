import Foundation

/// The generated national catalogue: deterministic (seeded by list and row), two versions per
/// list (the first holds nearly everything, the second updates a few hundred rows and adds
/// new ones), with the anchor rows the clinic's price list uses. Rows are produced one at a
/// time so that a 150,000-row file is streamed, never held.
struct CatalogueGenerator: Sendable {
    let layouts: [String: CatalogueLayout]
    let drugRows: Int

    struct Plan: Sendable {
        var list: String
        var total: Int
        /// Rows of the first version: 0..<base.
        var base: Int
        /// Rows of the first version sent again, changed, in the second.
        var updates: [Int]
        var versions: [String]
        var versionNames: [String]
        /// Rows (indices) of version k, in file order.
        func rows(of k: Int) -> [Int] { k == 0 ? Array(0..<base) : updates + Array(base..<total) }
        func count(of k: Int) -> Int { k == 0 ? base : updates.count + total - base }
    }

    static let defaultSizes = ["1301": 150_000, "1302": 2_000, "1305": 5_000, "1306": 3_000, "1307": 30_000]

    func plan(_ list: String) -> Plan {
        let total: Int
        if list == "1301" { total = max(drugRows, 40) } else {
            let scale = min(1.0, Double(drugRows) / 150_000)
            total = max(40, Int(Double(Self.defaultSizes[list]!) * scale))
        }
        let fresh = min(200, max(2, total / 40))
        let base = total - fresh
        let anchorRows = anchorIndices(list, base: base)
        var updates: [Int] = anchorRows.filter { anchor(list, $0)?.stopped == true }
        var j = 0
        while updates.count < min(400, max(3, base / 20)) {
            let i = (j &* 7919 &+ 13) % base
            j += 1
            if anchorRows.contains(i) || updates.contains(i) { continue }
            updates.append(i)
        }
        let versions = list == "1305" ? ["F001_0001_A", "F001_0002_A"] : ["20241230001", "20250630002"]
        let title = layouts[list]?.title ?? list
        return Plan(list: list, total: total, base: base, updates: updates, versions: versions,
                    versionNames: ["\(title)2024年第1期", "\(title)2025年第2期"])
    }

    // MARK: Anchors (the codes the clinic's price list and the approved mappings use)

    struct Anchor: Sendable {
        var code: String
        var name: String
        var level: String
        var chrgitmType: String
        var stopped = false
        var cap: String?
        var selfpay: String?
        /// 1301: generic + form (for the name columns); 1307: category code.
        var detail = ""
    }

    static let anchors: [String: [Anchor]] = [
        "1301": [
            Anchor(code: "XN02BEA049A001010101445", name: "对乙酰氨基酚片", level: "01", chrgitmType: "09", detail: "对乙酰氨基酚|片"),
            Anchor(code: "XJ01CAA040E001010101445", name: "阿莫西林胶囊", level: "02", chrgitmType: "09", cap: "0.60", selfpay: "0.1",
                   detail: "阿莫西林|胶囊"),
            Anchor(code: "XR05XAC038A001010103217", name: "复方甘草片", level: "02", chrgitmType: "09", selfpay: "0.1", detail: "复方甘草|片"),
            Anchor(code: "XA11GAA045T001010100001", name: "维生素C含片", level: "03", chrgitmType: "09", detail: "维生素C|含片"),
            Anchor(code: "XJ01DCA123A001010100999", name: "头孢克洛胶囊（停用）", level: "02", chrgitmType: "09", stopped: true,
                   detail: "头孢克洛|胶囊"),
        ],
        "1305": [
            Anchor(code: "001102000010000-110200001", name: "一般诊疗费（村卫生室）", level: "01", chrgitmType: "12"),
            Anchor(code: "120400001", name: "静脉输液", level: "01", chrgitmType: "05"),
        ],
        "1307": [
            Anchor(code: "J06.900", name: "急性上呼吸道感染", level: "", chrgitmType: "", detail: "J06"),
            Anchor(code: "J20.900", name: "急性支气管炎", level: "", chrgitmType: "", detail: "J20"),
            Anchor(code: "I10.x00", name: "原发性高血压", level: "", chrgitmType: "", detail: "I10"),
            Anchor(code: "E11.900", name: "2型糖尿病", level: "", chrgitmType: "", detail: "E11"),
            Anchor(code: "K29.700", name: "胃炎", level: "", chrgitmType: "", detail: "K29"),
        ],
    ]

    /// Anchors sit spread through the first version, not at its top.
    func anchorIndices(_ list: String, base: Int) -> [Int] {
        let n = Self.anchors[list]?.count ?? 0
        return (0..<n).map { (k: Int) -> Int in (k + 1) * base / (n + 1) }
    }

    func anchor(_ list: String, _ i: Int) -> Anchor? {
        let p = basePlan(list)
        guard let k = anchorIndices(list, base: p.base).firstIndex(of: i) else { return nil }
        return Self.anchors[list]?[k]
    }

    private func basePlan(_ list: String) -> (total: Int, base: Int) {
        let total = list == "1301" ? max(drugRows, 40)
            : max(40, Int(Double(Self.defaultSizes[list]!) * min(1.0, Double(drugRows) / 150_000)))
        return (total, total - min(200, max(2, total / 40)))
    }

    // MARK: Dates as the files write them

    struct Day: Sendable { var iso: String; var time: String; var java: String }

    /// A pool of days from `year`, each as yyyy-MM-dd, yyyy-MM-dd HH:mm:ss and Java Date.toString().
    static func days(from year: Int, count: Int, spanDays: Int) -> [Day] {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        let start = cal.date(from: DateComponents(year: year, month: 1, day: 1))!
        let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return (0..<count).map { k in
            let seconds = Double(k * spanDays * 86_400 / count) + Double((k * 7_919) % 86_400)
            let d = start.addingTimeInterval(seconds)
            let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: d)
            let iso = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            let hms = String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!)
            return Day(iso: iso, time: iso + " " + hms,
                       java: "\(weekdays[c.weekday! - 1]) \(months[c.month! - 1]) \(String(format: "%02d", c.day!)) \(hms) CST \(c.year!)")
        }
    }

    static let firstDays = days(from: 2019, count: 509, spanDays: 5 * 365)
    static let updateDays = days(from: 2025, count: 97, spanDays: 170)

    /// A date column: sometimes Java's Date.toString(), sometimes yyyy-MM-dd.
    static func dateText(_ d: Day, _ rng: inout SplitMix64) -> String { rng.chance(40) ? d.java : d.iso }

    // MARK: Rows

    /// Row `i` of `list` as version `k` writes it, and what the core indexes of it (nil for 1307).
    func row(_ list: String, _ i: Int, version k: Int, plan: Plan) -> (CatalogueRow, CatalogueItem?) {
        var rng = SplitMix64.seed(list, i)
        var upd = SplitMix64.seed(list, i, salt: 0xA5A5)
        let layout = layouts[list]!
        var row = CatalogueRow(layout)
        let anchor = self.anchor(list, i)
        let created = rng.pick(Self.firstDays)
        let updatedDay = k == 0 ? created : upd.pick(Self.updateDays)
        var item: CatalogueItem
        switch list {
        case "1301": item = drug(&row, i, anchor: anchor, rng: &rng, created: created)
        case "1302": item = herb(&row, i, rng: &rng, created: created)
        case "1305": item = service(&row, i, anchor: anchor, rng: &rng, created: created)
        case "1306": item = material(&row, i, rng: &rng, created: created)
        default: item = disease(&row, i, anchor: anchor, rng: &rng)
        }
        var valid = anchor.map { _ in true } ?? !rng.chance(3)
        if k > 0 {
            if anchor?.stopped == true {
                valid = false
                row["enddate"] = "2024-12-31"
                item.end = "2024-12-31 00:00:00"
            } else if anchor == nil, upd.chance(10) {
                valid = false
            } else if anchor == nil, list == "1301" {
                item.level = upd.pick(["01", "02", "02", "03"])
                row["nat_hi_druglist_chrgitm_lv"] = item.level
                row["lmt_used_flag"] = upd.chance(30) ? "1" : "0"
            }
        }
        item.valid = valid
        item.updated = updatedDay.time
        item.ver = plan.versions[k]
        row["vali_flag"] = valid ? "1" : "0"
        row["rid"] = item.rid
        row["crte_time"] = rng.chance(30) ? created.java : created.time
        row["updt_time"] = k == 0 ? row["crte_time"] : updatedDay.time
        row["ver"] = plan.versions[k]
        row["ver_name"] = plan.versionNames[k]
        return (row, list == "1307" ? nil : item)
    }

    private func base(_ list: String, _ i: Int, code: String, name: String, type: String, level: String,
                      created: Day, anchor: Anchor?) -> CatalogueItem {
        let pinyin = CatalogueVocabulary.pinyin(name)
        return CatalogueItem(list: list, code: code, name: name, chrgitmType: type, level: level, lmtUsed: "0",
                             wubi: CatalogueVocabulary.wubi(name), pinyin: pinyin, begin: created.iso + " 00:00:00",
                             end: nil, valid: true, rid: "3600002\(list)\(String(format: "%011ld", i))", updated: created.time,
                             ver: "", cap: anchor?.cap, selfpay: anchor?.selfpay)
    }

    private func drug(_ row: inout CatalogueRow, _ i: Int, anchor: Anchor?, rng: inout SplitMix64, created: Day) -> CatalogueItem {
        let V = CatalogueVocabulary.self
        let patent = anchor == nil && rng.chance(25)
        var generic: String, form: (name: String, code: String, unit: String), code: String, english = "null"
        let tail = String(format: "%02d%02d%05d", 20 + (i / 100_000) % 80, 1 + rng.int(9), i % 100_000)
        if let anchor {
            let parts = anchor.detail.split(separator: "|").map(String.init)
            generic = parts[0]
            form = V.westernForms.first { $0.name == parts[1] } ?? V.westernForms[0]
            code = anchor.code
            english = V.generics.first { $0.name == generic }?.english ?? "null"
        } else if patent {
            let gi = rng.int(V.patents.count)
            generic = V.patents[gi].name
            form = rng.pick(V.patentForms)
            code = "Z" + V.patents[gi].group + "L" + String(format: "%03d", 100 + gi) + form.code + tail
        } else {
            let gi = rng.int(V.generics.count)
            generic = V.generics[gi].name
            english = V.generics[gi].english
            form = rng.pick(V.westernForms)
            code = "X" + V.generics[gi].atc + "A" + String(format: "%03d", 100 + gi) + form.code + tail
        }
        let name = anchor?.name ?? generic + form.name
        let level = anchor?.level ?? rng.pick(["01", "01", "02", "02", "02", "03"])
        var item = base("1301", i, code: code, name: name, type: patent ? "11" : "09", level: level, created: created, anchor: anchor)
        let maker = rng.pick(V.manufacturers)
        let spec = patent ? rng.pick(["10g", "0.3g", "0.25g", "10ml", "6g", "0.5g"])
            : rng.pick(["0.25g", "0.5g", "0.1g", "10mg", "5mg", "0.3g", "50mg", "0.2g", "100ml:5g", "2ml:10mg"])
        let perPack = rng.pick([6, 10, 12, 20, 24, 36, 48, 100])
        row["med_list_codg"] = code
        row["drug_prodname"] = anchor == nil && rng.chance(20) ? "null" : name
        let genericNo = (V.generics.firstIndex { $0.name == generic } ?? (100 + (V.patents.firstIndex { $0.name == generic } ?? 0)))
        row["genname_codg"] = String(format: "%05d", 10_000 + genericNo)
        row["drug_genname"] = generic + form.name
        row["chemname"] = rng.chance(60) ? "" : generic
        row["alis"] = rng.chance(50) ? "" : "null"
        row["eng_name"] = rng.chance(30) ? "" : english + " " + (form.unit == "粒" ? "Capsules" : "Tablets")
        row["reg_name"] = name
        row["drugstdcode"] = String(format: "869%011ld", (i &* 7_919 &+ 12_345_678) % 100_000_000_000)
        row["drug_dosform"] = form.code
        row["drug_dosform_name"] = form.name
        row["drug_type"] = patent ? "102" : "101"
        row["drug_type_name"] = patent ? "中成药" : "西药"
        row["drug_spec"] = spec
        row["reg_dosform"] = form.name
        row["reg_spec"] = spec
        row["tcmpat_flag"] = patent ? "1" : "0"
        row["prodplac_type"] = "1"
        row["prodplac_type_name"] = "国产"
        row["otc_flag"] = rng.chance(30) ? "1" : "0"
        row["pacspec"] = "\(spec)*\(perPack)\(form.unit)/盒"
        row["pac_cnt"] = String(perPack)
        row["efcc_atd"] = patent ? "清热解毒。用于外感风热所致的感冒" : "null"
        row["rute"] = form.name.contains("注射") ? "注射" : "口服"
        row["begndate"] = Self.dateText(created, &rng)
        row["enddate"] = rng.chance(15) ? "2099-12-31" : "null"
        row["min_useunt"] = form.unit
        row["min_salunt"] = "盒"
        row["min_unt"] = spec.hasSuffix("g") ? "g" : "ml"
        row["min_pac_cnt"] = String(perPack)
        row["min_pacunt"] = "盒"
        row["min_prepunt"] = form.unit
        row["minpacunt_name"] = "盒"
        row["min_prepunt_name"] = form.unit
        row["convrat"] = String(perPack)
        row["drug_expy"] = rng.pick(["24月", "36月", "18月"])
        row["min_prcunt"] = form.unit
        let lower = rng.chance(10)
        row["wubi"] = lower ? item.wubi.lowercased() : item.wubi
        row["pinyin"] = lower ? item.pinyin.lowercased() : item.pinyin
        row["prodentp_code"] = String(format: "9136%010ld", (Int(maker.unicodeScalars.count) * 1_000_003 + i % 997) % 10_000_000_000)
        row["prodentp_name"] = maker
        row["sp_lmtpric_drug_flag"] = "0"
        row["lmt_used_flag"] = rng.chance(15) ? "1" : "0"
        item.lmtUsed = row["lmt_used_flag"]
        row["lmt_usescp"] = item.lmtUsed == "1" ? "限二级及以上医疗机构使用" : "null"
        row["aprvno"] = (patent ? "国药准字Z" : "国药准字H") + String(format: "%08d", 10_000_000 + (i &* 31) % 89_999_999)
        row["aprvno_begndate"] = Self.dateText(created, &rng)
        row["mkt_stas"] = "1"
        row["mkt_stas_name"] = "上市"
        row["bas_medn_flag"] = rng.chance(40) ? "1" : "0"
        row["bas_medn_flag_name"] = row["bas_medn_flag"] == "1" ? "基本药物" : "非基本药物"
        row["hi_nego_drug_flag"] = "0"
        row["memo"] = rng.chance(70) ? "" : "null"
        row["nat_hi_druglist_dosform"] = form.name
        row["nat_hi_druglist_chrgitm_lv"] = level
        row["drug_trac_flag"] = rng.chance(50) ? "1" : "0"
        if anchor == nil, level == "01", i % 53 == 0 { item.cap = String(format: "%.2f", Double(1 + rng.int(300)) / 10) }
        if anchor == nil, level == "02", i % 11 == 0 { item.selfpay = rng.pick(["0.05", "0.1", "0.15", "0.2"]) }
        return item
    }

    private func herb(_ row: inout CatalogueRow, _ i: Int, rng: inout SplitMix64, created: Day) -> CatalogueItem {
        let V = CatalogueVocabulary.self
        let name = rng.pick(V.herbPrefixes) + rng.pick(V.herbs)
        let code = "T" + String(format: "%09d", 1_000 + i)
        let item = base("1302", i, code: code, name: name, type: "10", level: rng.chance(80) ? "02" : "03", created: created, anchor: nil)
        row["med_list_codg"] = code
        row["tcmherb_name"] = name
        row["cpnd_flag"] = "0"
        row["qlt_reg"] = rng.chance(50) ? "" : "统货"
        row["med_part"] = rng.pick(["根", "根茎", "果实", "全草", "花"])
        row["cnvl_used"] = "煎服"
        row["natfla"] = rng.pick(["甘，平", "苦，寒", "辛，温"])
        row["begndate"] = Self.dateText(created, &rng)
        row["mlms_name"] = name
        row["psdg_mtd"] = name.count > 2 ? "炮制" : "净制"
        row["nat_hi_pay_pol"] = item.level == "03" ? "单独使用不予支付" : "null"
        return item
    }

    private func service(_ row: inout CatalogueRow, _ i: Int, anchor: Anchor?, rng: inout SplitMix64, created: Day) -> CatalogueItem {
        let V = CatalogueVocabulary.self
        let name = anchor?.name ?? rng.pick(V.services) + rng.pick(V.serviceQualifiers)
        let code = anchor?.code ?? (rng.chance(50) ? String(format: "%09d", 310_000_000 + i * 7)
            : String(format: "0011020000%05d-1102%05d", 20_000 + i % 79_999, i % 100_000))
        let type = anchor?.chrgitmType ?? (name.contains("检查") || name.contains("摄影") ? "03" : "05")
        let item = base("1305", i, code: code, name: name, type: type, level: anchor?.level ?? rng.pick(["01", "01", "02", "03"]),
                        created: created, anchor: anchor)
        row["med_list_codg"] = code
        row["prcunt"] = rng.pick(["次", "项", "组", "部位"])
        row["prcunt_name"] = row["prcunt"]
        row["trt_item_dscr"] = rng.chance(60) ? "" : "含材料"
        row["trt_exct_cont"] = rng.chance(70) ? "null" : "一次性耗材"
        row["memo"] = ""
        row["servitem_type"] = type
        row["servitem_name"] = name
        row["begndate"] = Self.dateText(created, &rng)
        return item
    }

    private func material(_ row: inout CatalogueRow, _ i: Int, rng: inout SplitMix64, created: Day) -> CatalogueItem {
        let V = CatalogueVocabulary.self
        let name = rng.pick(V.materials)
        let code = "C1401" + String(format: "%015ld", 20_000_000 + i)
        var item = base("1306", i, code: code, name: name, type: "08", level: rng.pick(["02", "03"]), created: created, anchor: nil)
        let spec = rng.pick(["1ml", "2ml", "5ml", "10ml", "20G", "22G", "M", "L", "10cm*10cm"])
        row["med_list_codg"] = code
        row["mcs_name"] = name
        row["udi"] = rng.chance(60) ? "" : String(format: "0692%010ld", i)
        row["hi_genname"] = name
        row["spec"] = spec
        row["spec_mol"] = spec
        row["pacunt"] = "个"
        row["min_useunt"] = "个"
        row["prodplac_type"] = "1"
        row["prodplac_type_name"] = "国产"
        row["lmt_used_flag"] = rng.chance(10) ? "1" : "0"
        item.lmtUsed = row["lmt_used_flag"]
        row["min_salunt"] = "个"
        row["highval_mcs_flag"] = "0"
        row["dspo_used_flag"] = "1"
        row["dspo_used_flag_name"] = "是"
        row["begndate"] = Self.dateText(created, &rng)
        row["prodentp_name"] = rng.pick(["江西洪达医疗器械集团有限公司", "山东威高集团医用高分子制品股份有限公司", "江西3L医用制品集团股份有限公司"])
        return item
    }

    private func disease(_ row: inout CatalogueRow, _ i: Int, anchor: Anchor?, rng: inout SplitMix64) -> CatalogueItem {
        let V = CatalogueVocabulary.self
        let d = anchor.map { a in (code: a.detail, name: a.name) } ?? rng.pick(V.diseases)
        let code = anchor?.code ?? "\(d.code).\(String(format: "%03d", i % 1000))x\(String(format: "%03d", (i / 1000) % 1000))"
        let name = anchor?.name ?? d.name + rng.pick(V.diseaseQualifiers)
        let chapter: (String, String, String) = d.code.hasPrefix("J") ? ("10", "J00-J99", "呼吸系统疾病")
            : d.code.hasPrefix("I") ? ("9", "I00-I99", "循环系统疾病")
            : d.code.hasPrefix("E") ? ("4", "E00-E90", "内分泌、营养和代谢疾病")
            : d.code.hasPrefix("K") ? ("11", "K00-K93", "消化系统疾病") : ("18", "R00-R99", "症状、体征和临床与实验室异常所见")
        row["diag_list_id"] = String(100_000 + i)
        row["cpr"] = chapter.0
        row["cpr_code_scp"] = chapter.1
        row["cpr_name"] = chapter.2
        row["sec_code_scp"] = rng.chance(20) ? "" : d.code.prefix(1) + "00-" + d.code.prefix(1) + "99"
        row["cgy_code"] = d.code
        row["cgy_name"] = d.name
        row["sor_code"] = String(code.prefix(5))
        row["sor_name"] = d.name
        row["diag_code"] = code
        row["diag_name"] = name
        row["used_std"] = "1"
        row["clnc_diag_code"] = code
        row["clnc_diag_name"] = name
        row["natstd_diag_code"] = String(code.prefix(5))
        row["natstd_diag_name"] = d.name
        row["memo"] = rng.chance(50) ? "" : "null"
        return base("1307", i, code: code, name: name, type: "", level: "", created: Self.firstDays[0], anchor: nil)
    }
}
