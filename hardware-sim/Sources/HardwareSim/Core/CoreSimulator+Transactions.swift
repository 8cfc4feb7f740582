import Foundation
import GRDB
import TerminalCore

extension CoreSimulator {
    func signIn(code: String, in db: Database) throws -> [String: Any] {
        let now = time(clock())
        let signNo = "SN" + now.filter(\.isNumber) + String(try CoreLedger.next("sign", in: db))
        try db.execute(sql: "INSERT INTO sign_in (sign_no, fixmedins_code, day) VALUES (?, ?, ?)",
                       arguments: [signNo, code, String(now.prefix(10))])
        return ["signinoutb": ["sign_time": now, "sign_no": signNo]]
    }

    func signOut(input: JSONObject, in db: Database) throws -> [String: Any] {
        let body = try input.object("signOut")
        try db.execute(sql: "UPDATE sign_in SET signed_out = 1 WHERE sign_no = ?", arguments: [try body.string("sign_no")])
        return ["signoutoutb": ["sign_time": time(clock())]]
    }

    /// 1101, by credential type: 02 ID number, 03 card number + card_sn, 01 an e-credential
    /// token issued by `ec.query` or `cn.nhsa.auth.check`.
    func personInfo(input: JSONObject, in db: Database) throws -> [String: Any] {
        let p = try resolve(certType: try input.string("mdtrt_cert_type"), certNo: try input.string("mdtrt_cert_no"),
                            cardSN: input.optionalString("card_sn") ?? "", in: db)
        let state = try CoreLedger.state(of: p.psn_no, in: db)
        var base: [String: Any] = [
            "psn_no": p.psn_no, "psn_cert_type": "01", "certno": p.certno, "psn_name": p.psn_name, "gend": p.gend,
            "naty": p.naty, "brdy": p.brdy, "age": Double(age(birth: p.brdy))]
        // exp_content: a JSON object written inside a string, or null, as recorded answers have it.
        base["exp_content"] = p.familyAccountSharing ? "{\"fam_acct_shar_flag\":\"1\"}" : NSNull()
        let i = p.insurance
        return [
            "baseinfo": base,
            "insuinfo": [[
                "balc": number(state?.balance ?? i.balc), "insutype": i.insutype, "psn_type": i.psn_type,
                "psn_insu_stas": i.psn_insu_stas, "psn_insu_date": "2010-01-01", "paus_insu_date": NSNull(),
                "cvlserv_flag": i.cvlserv_flag, "insuplc_admdvs": i.insuplc_admdvs,
                "emp_name": i.emp_name.isEmpty ? NSNull() : i.emp_name as Any]],
            "idetinfo": p.identities.map {
                ["psn_idet_type": $0.psn_idet_type, "psn_type_lv": $0.psn_type_lv, "memo": $0.memo, "begntime": $0.begntime]
            },
        ]
    }

    func age(birth: String) -> Int {
        let now = time(clock())
        guard let by = Int(birth.prefix(4)), let ny = Int(now.prefix(4)) else { return 0 }
        return ny - by - (String(now.dropFirst(5).prefix(5)) < String(birth.dropFirst(5).prefix(5)) ? 1 : 0)
    }

    func resolve(certType: String, certNo: String, cardSN: String, in db: Database) throws -> CorePerson {
        let found: CorePerson?
        switch certType {
        case "02":
            found = persons.first { $0.certno == certNo.uppercased() }
        case "03":
            guard let p = persons.first(where: { $0.cards.contains { $0.cardNumber == certNo } }) else {
                throw CoreRefusal("未查询到该社会保障卡的参保信息")
            }
            guard p.cards.contains(where: { $0.cardNumber == certNo && $0.cardIdentifier == cardSN }) else {
                throw CoreRefusal("社会保障卡卡号与卡识别码不符")
            }
            found = p
        case "01":
            let psnNo = try String.fetchOne(db, sql: "SELECT psn_no FROM ec_token WHERE token = ?", arguments: [certNo])
            guard let psnNo else { throw CoreRefusal("电子凭证令牌无效或已过期") }
            found = person(psnNo: psnNo)
        default:
            throw CoreRefusal("就诊凭证类型不支持: \(certType)")
        }
        guard let found else { throw CoreRefusal("未查询到参保人员信息") }
        return found
    }

    func register(input: JSONObject, envelope: JSONObject, code: String, msgid: String, in db: Database) throws -> [String: Any] {
        let psnNo = try input.string("psn_no")
        guard let p = person(psnNo: psnNo) else { throw CoreRefusal("人员编号不存在") }
        _ = try resolve(certType: try input.string("mdtrt_cert_type"), certNo: try input.string("mdtrt_cert_no"),
                        cardSN: p.cards.first { $0.cardNumber == input.optionalString("mdtrt_cert_no") }?.cardIdentifier ?? "",
                        in: db)
        guard p.insurance.psn_insu_stas == "1" else { throw CoreRefusal("人员参保状态为暂停参保，不能享受医保待遇") }
        if let pause = p.benefitPause { throw CoreRefusal(pause.reason) }
        let insutype = try input.string("insutype")
        guard insutype == p.insurance.insutype else { throw CoreRefusal("险种类型与参保信息不符") }
        let iptOtpNo = try input.string("ipt_otp_no")
        for key in ["begntime", "atddr_no", "dr_name", "dept_code", "dept_name", "caty"] { _ = try input.string(key) }
        let mdtrtId = "M" + String(format: "%012lld", try CoreLedger.next("mdtrt", in: db))
        // What 5201 answers later; med_type when the terminal sends one here (2203 sets it otherwise).
        try db.execute(sql: """
            INSERT INTO visit (mdtrt_id, psn_no, fixmedins_code, ipt_otp_no, insutype, state, msgid, begntime, med_type,
                               atddr_no, dr_name, dept_code, dept_name, mdtrt_cert_type, fixmedins_name, opter,
                               opter_name, opt_time)
            VALUES (?, ?, ?, ?, ?, 'registered', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [mdtrtId, psnNo, code, iptOtpNo, insutype, msgid, try input.string("begntime"),
                             input.optionalString("med_type"), input.optionalString("atddr_no"),
                             input.optionalString("dr_name"), input.optionalString("dept_code"),
                             input.optionalString("dept_name"), input.optionalString("mdtrt_cert_type"),
                             envelope.optionalString("fixmedins_name"), envelope.optionalString("opter"),
                             envelope.optionalString("opter_name"), time(clock())])
        return ["data": ["mdtrt_id": mdtrtId, "psn_no": psnNo, "ipt_otp_no": iptOtpNo]]
    }

    func visit(_ mdtrtId: String, psnNo: String, in db: Database) throws -> Row {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM visit WHERE mdtrt_id = ?", arguments: [mdtrtId]) else {
            throw CoreRefusal("就诊ID不存在: \(mdtrtId)")
        }
        guard row["psn_no"] as String == psnNo else { throw CoreRefusal("就诊ID与人员编号不符") }
        return row
    }

    func cancelRegistration(input: JSONObject, in db: Database) throws -> [String: Any] {
        let mdtrtId = try input.string("mdtrt_id")
        _ = try visit(mdtrtId, psnNo: try input.string("psn_no"), in: db)
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM settlement WHERE mdtrt_id = ? AND state = 'settled'", arguments: [mdtrtId]) == true {
            throw CoreRefusal("该就诊已结算，请先撤销结算")
        }
        try db.execute(sql: "UPDATE visit SET state = 'cancelled' WHERE mdtrt_id = ?", arguments: [mdtrtId])
        try db.execute(sql: "UPDATE fee SET state = 'cancelled' WHERE mdtrt_id = ?", arguments: [mdtrtId])
        return [:]
    }

    func visitInfo(input: JSONObject, in db: Database) throws -> [String: Any] {
        let info = try input.object("mdtrtinfo")
        let psnNo = try info.string("psn_no"), mdtrtId = try info.string("mdtrt_id")
        let row = try visit(mdtrtId, psnNo: psnNo, in: db)
        guard row["state"] as String == "registered" else { throw CoreRefusal("就诊已撤销") }
        for key in ["med_type", "begntime", "dise_codg", "dise_name"] { _ = try info.string(key) }
        let diseases = try input.array("diseinfo")
        guard !diseases.isEmpty else { throw CoreRefusal("诊断信息不能为空") }
        for d in diseases { for key in ["diag_type", "diag_srt_no", "diag_code", "diag_name", "vali_flag"] { _ = try d.string(key) } }
        let medType = try info.string("med_type"), code = try info.string("dise_codg")
        let begntime = try info.string("begntime")
        // 门诊慢特病: the 病种 must be one the person filed (5301), valid on the visit's day.
        if policy.isChronic(medType: medType), let p = person(psnNo: psnNo) {
            guard !code.isEmpty else { throw CoreRefusal("门诊慢特病(医疗类别\(medType))须在病种编码(dise_codg)填写备案的门慢门特病种") }
            guard p.chronicDiseases?.contains(where: { $0.opsp_dise_code == code && $0.covers(String(begntime.prefix(10))) }) == true else {
                throw CoreRefusal("参保人未备案门诊慢特病病种\(code)或备案不在有效期内，不能按门诊慢特病就医")
            }
        }
        let diagnoses = diseases.map { "\($0.optionalString("diag_code") ?? "") \($0.optionalString("diag_name") ?? "")" }
        try db.execute(sql: """
            UPDATE visit SET med_type = ?, dise_codg = ?, dise_name = ?, main_cond_dscr = ?, diag_info = ?,
                             begntime = COALESCE(begntime, ?) WHERE mdtrt_id = ?
            """, arguments: [medType, code.isEmpty ? nil : code, info.optionalString("dise_name").flatMap { $0.isEmpty ? nil : $0 },
                             info.optionalString("main_cond_dscr"), diagnoses.joined(separator: "；"), begntime, mdtrtId])
        return [:]
    }

    func uploadFees(input: JSONObject, code fixmedinsCode: String, msgid: String, in db: Database) throws -> [String: Any] {
        let items = try input.array("feedetail")
        guard !items.isEmpty else { throw CoreRefusal("费用明细不能为空") }
        var results: [[String: Any]] = []
        for item in items {
            let mdtrtId = try item.string("mdtrt_id")
            let row = try visit(mdtrtId, psnNo: try item.string("psn_no"), in: db)
            guard row["state"] as String == "registered" else { throw CoreRefusal("就诊已撤销，不能上传费用") }
            let sn = try item.string("feedetl_sn")
            try checkFeeCodes(item, code: fixmedinsCode, in: db)
            let amount = try item.money("det_item_fee_sumamt")
            // pric is 16,6 and cnt 16,4: their product, rounded to the fen, is the row's amount.
            let pric = try item.string("pric")
            guard let price = UnitPrice(text: pric), price.units > 0 else { throw CoreRefusal("单价格式错误: \(pric)") }
            let cnt = try item.string("cnt")
            guard let quantity = Quantity(text: cnt), quantity.tenThousandths > 0 else { throw CoreRefusal("数量格式错误: \(cnt)") }
            guard Money(fen: price.units).scaled(quantity.tenThousandths, over: 100_000_000) == amount else {
                throw CoreRefusal("明细项目费用总额与单价×数量不符: \(sn)")
            }
            let code = try item.string("med_list_codg")
            let line = policy.classify(code: code, amount: amount)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM fee WHERE mdtrt_id = ? AND feedetl_sn = ? AND state = 'active'",
                                 arguments: [mdtrtId, sn]) == true {
                throw CoreRefusal("费用明细流水号重复: \(sn)")
            }
            // The row as sent (5204 answers from it).
            let raw = String(decoding: (try? JSONSerialization.data(withJSONObject: item.raw, options: [.sortedKeys])) ?? Data(),
                             as: UTF8.self)
            try db.execute(sql: """
                INSERT OR REPLACE INTO fee (mdtrt_id, feedetl_sn, chrg_bchno, code, amount, level, full_own, pre_self, in_scope,
                                            state, msgid, raw, opt_time)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)
                """, arguments: [mdtrtId, sn, try item.string("chrg_bchno"), code, amount.fen, line.level,
                                 line.fullOwnPay.fen, line.preSelfPay.fen, line.inScope.fen, msgid, raw, time(clock())])
            // Numbers as recorded answers write them; memo and the other flags left out or null.
            results.append([
                "feedetl_sn": sn, "det_item_fee_sumamt": number(amount), "cnt": Double(quantity.tenThousandths) / 10_000,
                "pric": Double(price.units) / 1_000_000, "pric_uplmt_amt": 999999,
                "selfpay_prop": line.level == "03" ? 1 : Double(policy.catalog[code]?.selfpayRatio ?? 0) / 10_000,
                "fulamt_ownpay_amt": number(line.fullOwnPay), "overlmt_amt": 0, "preselfpay_amt": number(line.preSelfPay),
                "inscp_scp_amt": number(line.inScope), "chrgitm_lv": line.level, "med_chrgitm_type": "09",
                "lmt_used_flag": "0", "chld_medc_flag": NSNull()])
        }
        return ["result": results]
    }

    func cancelFees(input: JSONObject, in db: Database) throws -> [String: Any] {
        let mdtrtId = try input.string("mdtrt_id")
        _ = try visit(mdtrtId, psnNo: try input.string("psn_no"), in: db)
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM settlement WHERE mdtrt_id = ? AND state = 'settled'", arguments: [mdtrtId]) == true {
            throw CoreRefusal("该就诊已结算，不能撤销费用明细")
        }
        let batch = try input.string("chrg_bchno")
        if batch == "0000" {
            try db.execute(sql: "UPDATE fee SET state = 'cancelled' WHERE mdtrt_id = ?", arguments: [mdtrtId])
        } else {
            try db.execute(sql: "UPDATE fee SET state = 'cancelled' WHERE mdtrt_id = ? AND chrg_bchno = ?", arguments: [mdtrtId, batch])
        }
        return [:]
    }
}
