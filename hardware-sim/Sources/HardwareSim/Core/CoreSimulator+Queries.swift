import Foundation
import GRDB
import TerminalCore

/// 5201 就诊信息查询, 5203 结算信息查询, 5204 费用明细查询: what the core's ledger holds for this
/// institution. Output fields from S-117-John/nhis-web `pro/zsba/compay/ins/qgyb/vo/BottomClass/`
/// `Output5201Mdtrtinfo.java`, `Output5203Setlinfo.java`, `Output5203Setldetail.java`,
/// `Output5204Fymx.java` (5204's output is that list directly: `TransferClass/OutputData5204.java`)
/// and binzhe12123/Medical `SZSI_Smart/Model/SYB/XXCX/JS5203.cs`. Numbers are JSON numbers;
/// what the core does not know is null.
extension CoreSimulator {
    /// 5201: the person's visits at this institution that began in [begntime, endtime],
    /// narrowed by med_type and mdtrt_id; cancelled registrations (2202) are left out.
    func visitQuery(input: JSONObject, code: String, in db: Database) throws -> [String: Any] {
        let psnNo = try input.string("psn_no")
        guard let p = person(psnNo: psnNo) else { throw CoreRefusal("人员编号不存在: \(psnNo)") }
        let from = try input.string("begntime")
        var sql = "SELECT * FROM visit WHERE psn_no = ? AND fixmedins_code = ? AND state = 'registered' AND COALESCE(begntime, '') >= ?"
        var args: [any DatabaseValueConvertible] = [psnNo, code, from]
        if let to = input.optionalString("endtime"), !to.isEmpty { sql += " AND COALESCE(begntime, '') <= ?"; args.append(to) }
        if let id = input.optionalString("mdtrt_id"), !id.isEmpty { sql += " AND mdtrt_id = ?"; args.append(id) }
        let wanted = input.optionalString("med_type").flatMap { $0.isEmpty ? nil : $0 }
        let rows = try Row.fetchAll(db, sql: sql + " ORDER BY mdtrt_id", arguments: StatementArguments(args))
        var out: [[String: Any]] = []
        for v in rows {
            let medType = v["med_type"] as String? ?? "11"
            if let wanted, wanted != medType { continue }
            var r = personFields(p)
            let null = NSNull()
            for key in ["coner_name", "tel", "ars_year_ipt_flag", "medrcdno", "adm_bed", "dscg_maindiag_code",
                        "dscg_maindiag_name", "dscg_dept_codg", "dscg_dept_name", "dscg_bed", "dscg_way", "oprn_oprt_code",
                        "oprn_oprt_name", "inhosp_stas", "die_date", "ipt_days", "fpsc_no", "matn_type", "birctrl_type",
                        "latechb_flag", "geso_val", "fetts", "fetus_cnt", "pret_flag", "birctrl_matn_date", "cop_flag", "memo"] {
                r[key] = null
            }
            r["mdtrt_id"] = v["mdtrt_id"] as String
            r["insutype"] = v["insutype"] as String
            r["maf_psn_flag"] = p.medicalAidCategory == nil ? "0" : "1"
            r["begntime"] = optional(v["begntime"] as String?)
            r["endtime"] = optional(v["endtime"] as String?)
            r["mdtrt_cert_type"] = optional(v["mdtrt_cert_type"] as String?)
            r["med_type"] = medType
            r["pre_pay_flag"] = "0"
            r["ipt_otp_no"] = v["ipt_otp_no"] as String
            r["atddr_no"] = optional(v["atddr_no"] as String?)
            r["chfpdr_name"] = optional(v["dr_name"] as String?)
            r["adm_dept_codg"] = optional(v["dept_code"] as String?)
            r["adm_dept_name"] = optional(v["dept_name"] as String?)
            r["main_cond_dscr"] = optional(v["main_cond_dscr"] as String?)
            r["dise_codg"] = optional(v["dise_codg"] as String?)
            r["dise_name"] = optional(v["dise_name"] as String?)
            r["otp_diag_info"] = optional(v["diag_info"] as String?)
            r["opter_id"] = optional(v["opter"] as String?)
            r["opter_name"] = optional(v["opter_name"] as String?)
            r["opt_time"] = optional(v["opt_time"] as String?)
            out.append(r)
        }
        return ["mdtrtinfo": out]
    }

    /// 5203: one settlement (or refund) of this institution: `setlinfo` and `setldetail`.
    func settlementQuery(input: JSONObject, code: String, in db: Database) throws -> [String: Any] {
        let row = try settlementRow(input: input, code: code, in: db)
        guard let row else { throw CoreRefusal("未查询到结算信息: 结算ID \(try input.string("setl_id"))") }
        return try settlementInfo(row, in: db)
    }

    /// The settlement 5203/5204 name, or nil; refused when it is another person's or visit's.
    func settlementRow(input: JSONObject, code: String, in db: Database) throws -> Row? {
        guard let setlId = input.optionalString("setl_id"), !setlId.isEmpty else { return nil }
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM settlement WHERE setl_id = ? AND fixmedins_code = ?",
                                         arguments: [setlId, code]) else { return nil }
        guard row["psn_no"] as String == (try input.string("psn_no")) else { throw CoreRefusal("结算ID与人员编号不符") }
        if let mdtrtId = input.optionalString("mdtrt_id"), !mdtrtId.isEmpty, mdtrtId != row["mdtrt_id"] as String {
            throw CoreRefusal("结算ID与就诊ID不符")
        }
        return row
    }

    func settlementInfo(_ s: Row, in db: Database) throws -> [String: Any] {
        let psnNo: String = s["psn_no"]
        guard let p = person(psnNo: psnNo) else { throw CoreRefusal("人员编号不存在: \(psnNo)") }
        let v = try Row.fetchOne(db, sql: "SELECT * FROM visit WHERE mdtrt_id = ?", arguments: [s["mdtrt_id"] as String])
        func m(_ key: String) -> Double { number(Money(fen: s[key] as Int64)) }
        let total = s["total"] as Int64, fund = s["fund"] as Int64
        let inScope = s["in_scope"] as Int64, poolSelf = s["pool_self"] as Int64
        let setlTime = s["setl_time"] as String? ?? ((s["day"] as String) + " 00:00:00")
        var info = personFields(p)
        let values: [String: Any?] = [
            "setl_id": s["setl_id"] as String, "mdtrt_id": s["mdtrt_id"] as String, "insutype": s["insutype"] as String,
            "flxempe_flag": "0", "nwb_flag": "0", "pay_loc": NSNull(), "fixmedins_code": s["fixmedins_code"] as String,
            "fixmedins_name": s["fixmedins_name"] as String?, "hosp_lv": NSNull(), "fixmedins_poolarea": NSNull(),
            "lmtpric_hosp_lv": NSNull(), "dedc_hosp_lv": NSNull(),
            "begndate": (v?["begntime"] as String?).map { String($0.prefix(10)) } ?? String(setlTime.prefix(10)),
            "enddate": String(setlTime.prefix(10)), "setl_time": setlTime,
            "mdtrt_cert_type": s["mdtrt_cert_type"] as String?, "med_type": s["med_type"] as String? ?? "11",
            "clr_type": s["clr_type"] as String, "clr_way": "1", "clr_optins": s["clr_optins"] as String,
            "medfee_sumamt": m("total"), "fulamt_ownpay_amt": m("full_own"), "overlmt_selfpay": 0,
            "preselfpay_amt": m("pre_self"), "inscp_scp_amt": m("in_scope"), "act_pay_dedc": 0, "hifp_pay": m("basic"),
            "pool_prop_selfpay": inScope == 0 ? 0 : Double(poolSelf * 10_000 / inScope) / 10_000,
            "cvlserv_pay": 0, "hifes_pay": 0, "hifmi_pay": m("ci"), "hifob_pay": 0, "maf_pay": m("aid"), "oth_pay": 0,
            "fund_pay_sumamt": m("fund"), "psn_pay": number(Money(fen: total - fund)), "acct_pay": m("acct"),
            "cash_payamt": m("cash"), "balc": (s["balc"] as Int64?).map { number(Money(fen: $0)) },
            "acct_mulaid_pay": 0, "medins_setl_id": s["msgid"] as String, "refd_setl_flag": s["refd_setl_flag"] as String,
            "year": String(setlTime.prefix(4)), "dise_codg": s["dise_codg"] as String?, "dise_name": s["dise_name"] as String?,
            "invono": s["invono"] as String?, "opter_id": s["opter"] as String?, "opter_name": s["opter_name"] as String?,
            "opt_time": setlTime,
        ]
        for (key, value) in values { info[key] = value ?? NSNull() }
        let details = Self.fundDetails(insutype: s["insutype"], inScope: Money(fen: inScope), basic: Money(fen: s["basic"]),
                                       critical: Money(fen: s["ci"]), aid: Money(fen: s["aid"]))
        // fund_payamt as a number here (2207 writes it as text, as one recorded core does).
        let numbered = details.map { d in
            d.merging(["fund_payamt": Double(d["fund_payamt"] as? String ?? "") ?? 0]) { $1 }
        }
        return ["setlinfo": info, "setldetail": numbered]
    }

    /// 5204: the visit's fee rows as uploaded (2204) and classified, those of the settlement's
    /// charge batch when `setl_id` is given; an array directly under `output`.
    func feeQuery(input: JSONObject, code: String, in db: Database) throws -> [[String: Any]] {
        let psnNo = try input.string("psn_no"), mdtrtId = try input.string("mdtrt_id")
        let v = try visit(mdtrtId, psnNo: psnNo, in: db)
        guard v["fixmedins_code"] as String == code else { throw CoreRefusal("就诊ID不存在: \(mdtrtId)") }
        var batch: String?
        if let setlId = input.optionalString("setl_id"), !setlId.isEmpty {
            guard let s = try settlementRow(input: input, code: code, in: db) else {
                throw CoreRefusal("未查询到结算信息: 结算ID \(setlId)")
            }
            batch = s["chrg_bchno"]
        }
        var sql = "SELECT * FROM fee WHERE mdtrt_id = ? AND state = 'active'"
        var args: [any DatabaseValueConvertible] = [mdtrtId]
        if let batch { sql += " AND chrg_bchno = ?"; args.append(batch) }
        let fees = try Row.fetchAll(db, sql: sql + " ORDER BY rowid", arguments: StatementArguments(args))
        return try fees.map { f in
            let raw = JSONObject(data: Data((f["raw"] as String? ?? "{}").utf8)) ?? JSONObject([:])
            let medList: String = f["code"], level: String = f["level"]
            let own = raw.optionalString("medins_list_codg")
            let mapping = try own.flatMap {
                try Row.fetchOne(db, sql: """
                    SELECT list_type, fixmedins_hilist_name FROM catalog_map
                    WHERE fixmedins_code = ? AND fixmedins_hilist_id = ? AND med_list_codg = ? ORDER BY vali_flag DESC
                    """, arguments: [code, $0, medList])
            }
            let setlId = try String.fetchOne(db, sql: """
                SELECT setl_id FROM settlement WHERE mdtrt_id = ? AND chrg_bchno = ? AND refd_setl_flag = '0'
                ORDER BY setl_id DESC
                """, arguments: [mdtrtId, f["chrg_bchno"] as String])
            func num(_ key: String) -> Any { raw.optionalString(key).flatMap(Double.init).map { $0 as Any } ?? NSNull() }
            func text(_ key: String) -> Any { raw.optionalString(key).map { $0 as Any } ?? NSNull() }
            var r: [String: Any] = [
                "mdtrt_id": mdtrtId, "setl_id": optional(setlId), "feedetl_sn": f["feedetl_sn"] as String,
                "rx_drord_no": text("rxno"), "med_type": v["med_type"] as String? ?? "11", "fee_ocur_time": text("fee_ocur_time"),
                "cnt": num("cnt"), "pric": num("pric"), "sin_dos_dscr": text("sin_dos_dscr"),
                "used_frqu_dscr": text("used_frqu_dscr"), "prd_days": num("prd_days"), "medc_way_dscr": text("medc_way_dscr"),
                "det_item_fee_sumamt": number(Money(fen: f["amount"])), "pric_uplmt_amt": NSNull(),
                "selfpay_prop": level == "03" ? 1 : Double(policy.catalog[medList]?.selfpayRatio ?? 0) / 10_000,
                "fulamt_ownpay_amt": number(Money(fen: f["full_own"])), "overlmt_amt": 0,
                "preselfpay_amt": number(Money(fen: f["pre_self"])), "inscp_scp_amt": number(Money(fen: f["in_scope"])),
                "chrgitm_lv": level, "hilist_code": medList, "hilist_name": optional(policy.catalog[medList]?.name),
                "list_type": optional(mapping?["list_type"] as String?), "med_list_codg": medList,
                "medins_list_codg": optional(own), "medins_list_name": optional(mapping?["fixmedins_hilist_name"] as String?),
                "med_chrgitm_type": "09", "bilg_dept_codg": text("bilg_dept_codg"), "bilg_dept_name": text("bilg_dept_name"),
                "bilg_dr_codg": text("bilg_dr_codg"), "bilg_dr_name": text("bilg_dr_name"), "lmt_used_flag": "0",
                "hosp_appr_flag": text("hosp_appr_flag"), "opter_id": optional(v["opter"] as String?),
                "opter_name": optional(v["opter_name"] as String?), "opt_time": optional(f["opt_time"] as String?),
            ]
            for key in ["prodname", "spec", "dosform_name", "acord_dept_codg", "acord_dept_name", "orders_dr_code",
                        "orders_dr_name", "hosp_prep_flag", "tcmdrug_used_way", "prodplac_type", "bas_medn_flag",
                        "hi_nego_drug_flag", "chld_medc_flag", "etip_flag", "etip_hosp_code", "dscg_tkdrug_flag",
                        "list_sp_item_flag", "matn_fee_flag", "drt_reim_flag", "memo"] {
                r[key] = NSNull()
            }
            return r
        }
    }

    /// The person's fields that 5201's and 5203's rows share.
    func personFields(_ p: CorePerson) -> [String: Any] {
        ["psn_no": p.psn_no, "psn_cert_type": "01", "certno": p.certno, "psn_name": p.psn_name, "gend": p.gend,
         "naty": p.naty, "brdy": p.brdy, "age": Double(age(birth: p.brdy)), "psn_type": p.insurance.psn_type,
         "cvlserv_flag": p.insurance.cvlserv_flag, "flxempe_flag": "0", "nwb_flag": "0",
         "insu_optins": p.insurance.insuplc_admdvs, "emp_name": p.insurance.emp_name.isEmpty ? NSNull() : p.insurance.emp_name as Any]
    }
}

/// A value or JSON null.
func optional(_ value: String?) -> Any { value.map { $0 as Any } ?? NSNull() }
