import Foundation
import GRDB
import TerminalCore

extension CoreSimulator {
    /// 2206 (commit false) and 2207 (commit true).
    func settle(input: JSONObject, envelope: JSONObject, code: String, msgid: String, commit: Bool,
                in db: Database) throws -> [String: Any] {
        let psnNo = try input.string("psn_no"), mdtrtId = try input.string("mdtrt_id")
        guard let p = person(psnNo: psnNo) else { throw CoreRefusal("人员编号不存在") }
        let row = try visit(mdtrtId, psnNo: psnNo, in: db)
        guard row["state"] as String == "registered" else { throw CoreRefusal("就诊已撤销，不能结算") }
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM settlement WHERE mdtrt_id = ? AND state = 'settled'", arguments: [mdtrtId]) == true {
            throw CoreRefusal("该就诊已结算，不能重复结算")
        }
        let insutype = try input.string("insutype")
        guard insutype == row["insutype"] as String else { throw CoreRefusal("险种类型与挂号不符") }
        for key in ["mdtrt_cert_type", "mdtrt_cert_no", "med_type", "psn_setlway", "acct_used_flag"] { _ = try input.string(key) }
        let medType = try input.string("med_type")
        let chronic = try chronicDisease(medType: medType, visit: row, person: p)
        let batch = try input.string("chrg_bchno")
        let fees = try Row.fetchAll(db, sql: "SELECT * FROM fee WHERE mdtrt_id = ? AND chrg_bchno = ? AND state = 'active'",
                                    arguments: [mdtrtId, batch])
        guard !fees.isEmpty else { throw CoreRefusal("该收费批次没有费用明细") }
        let lines = fees.map {
            CorePolicy.Line(code: $0["code"], amount: Money(fen: $0["amount"]), level: $0["level"],
                            fullOwnPay: Money(fen: $0["full_own"]), preSelfPay: Money(fen: $0["pre_self"]),
                            inScope: Money(fen: $0["in_scope"]))
        }
        let quoted = try input.money("medfee_sumamt")
        let total = lines.reduce(Money.zero) { $0 + $1.amount }
        guard quoted == total else { throw CoreRefusal("医疗费总额(\(quoted.yuan))与费用明细合计(\(total.yuan))不符") }
        guard var state = try CoreLedger.state(of: psnNo, in: db) else { throw CoreRefusal("人员账户不存在") }
        let rule = chronic == nil ? nil : policy.chronicRule(insutype: insutype, paidThisYear: state.chronicPaid)
        let split = policy.split(lines: lines, insutype: insutype, aidCategory: p.medicalAidCategory,
                                 accountBalance: state.balance, useAccount: try input.string("acct_used_flag") == "1",
                                 yearToDate: state.ytd, basicRule: rule)
        if commit {
            // 2207 must quote what 2206 returned; a terminal that computed its own is refused.
            let quotes: [(String, Money)] = [("fulamt_ownpay_amt", split.fullOwnPay), ("overlmt_selfpay", .zero),
                                              ("preselfpay_amt", split.preSelfPay), ("inscp_scp_amt", split.inScope)]
            for (key, expected) in quotes {
                guard let value = input.optionalString(key) else { throw CoreRefusal("缺少必填字段: \(key)") }
                guard Money(yuan: value) == expected else { throw CoreRefusal("\(key)与预结算结果不符") }
            }
        }
        let now = time(clock())
        var setlId: String?
        if commit {
            let id = "S" + String(format: "%012lld", try CoreLedger.next("setl", in: db))
            setlId = id
            try db.execute(sql: """
                INSERT INTO settlement (setl_id, mdtrt_id, psn_no, fixmedins_code, insutype, day, total, fund, acct, cash,
                                        basic, ci, aid, ci_base_delta, aid_base_delta, state, msgid, clr_optins, clr_type,
                                        setl_time, med_type, mdtrt_cert_type, chrg_bchno, dise_codg, dise_name, invono,
                                        full_own, pre_self, in_scope, pool_self, balc, opter, opter_name, fixmedins_name)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'settled', ?, ?, '11',
                        ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [id, mdtrtId, psnNo, code, insutype, String(now.prefix(10)), split.total.fen,
                                 split.fundTotal.fen, split.personalAccount.fen, split.cash.fen, split.basicFund.fen,
                                 split.criticalIllness.fen, split.medicalAid.fen,
                                 (split.after.criticalIllnessBase - state.ytd.criticalIllnessBase).fen,
                                 (split.after.medicalAidBase - state.ytd.medicalAidBase).fen, msgid,
                                 p.insurance.insuplc_admdvs,
                                 now, medType, try input.string("mdtrt_cert_type"), batch, chronic?.opsp_dise_code,
                                 chronic?.opsp_dise_name, input.optionalString("invono"), split.fullOwnPay.fen,
                                 split.preSelfPay.fen, split.inScope.fen, split.poolSelfPay.fen,
                                 (state.balance - split.personalAccount).fen, envelope.optionalString("opter"),
                                 envelope.optionalString("opter_name"), envelope.optionalString("fixmedins_name")])
            try db.execute(sql: "UPDATE visit SET endtime = ? WHERE mdtrt_id = ?", arguments: [now, mdtrtId])
            state.balance -= split.personalAccount
            state.ytd = split.after
            if chronic != nil { state.chronicPaid += split.basicFund }
            try CoreLedger.save(state, of: psnNo, in: db)
        }
        var info: [String: Any] = [
            "mdtrt_id": mdtrtId, "psn_no": psnNo, "psn_name": p.psn_name, "psn_cert_type": "01", "certno": p.certno,
            "gend": p.gend, "naty": p.naty, "brdy": p.brdy, "age": Double(age(birth: p.brdy)),
            "insutype": insutype, "psn_type": p.insurance.psn_type, "cvlserv_flag": p.insurance.cvlserv_flag,
            "setl_time": now, "mdtrt_cert_type": try input.string("mdtrt_cert_type"), "med_type": try input.string("med_type"),
            "medfee_sumamt": number(split.total), "fulamt_ownpay_amt": number(split.fullOwnPay), "overlmt_selfpay": 0,
            "preselfpay_amt": number(split.preSelfPay), "inscp_scp_amt": number(split.inScope), "act_pay_dedc": 0,
            "hifp_pay": number(split.basicFund), "pool_prop_selfpay": number(split.poolSelfPay), "cvlserv_pay": 0,
            "hifes_pay": 0, "hifmi_pay": number(split.criticalIllness), "hifob_pay": 0, "maf_pay": number(split.medicalAid),
            "oth_pay": 0, "fund_pay_sumamt": number(split.fundTotal), "psn_part_amt": number(split.personalPart),
            "acct_pay": number(split.personalAccount), "psn_cash_pay": number(split.cash),
            "balc": number(state.balance - (commit ? .zero : split.personalAccount)),
            "medins_setl_id": msgid, "clr_type": "11", "hosp_part_amt": NSNull(), "acct_mulaid_pay": NSNull()]
        // As recorded pre-settlements answer: no settlement id, time or clearing yet.
        info["setl_id"] = setlId ?? NSNull()
        info["setl_time"] = commit ? now : NSNull()
        info["clr_way"] = commit ? "1" : NSNull()
        info["clr_optins"] = commit ? p.insurance.insuplc_admdvs : NSNull()
        let details = Self.fundDetails(insutype: insutype, inScope: split.inScope, basic: split.basicFund,
                                       critical: split.criticalIllness, aid: split.medicalAid)
        return ["setlinfo": info, "setldetail": details]
    }

    /// setldetail: one row per fund that paid (2206/2207, and 5203 from the ledger).
    static func fundDetails(insutype: String, inScope: Money, basic: Money, critical: Money, aid: Money) -> [[String: Any]] {
        var details: [[String: Any]] = []
        func detail(_ type: String, _ name: String, _ amount: Money) {
            guard amount.fen != 0 else { return }
            details.append(["fund_pay_type": type, "fund_pay_type_name": name, "inscp_scp_amt": number(inScope),
                            "crt_payb_lmt_amt": 0, "fund_payamt": amount.yuan, "setl_proc_info": ""])
        }
        detail(insutype == "310" ? "310100" : "390100", "基本医疗保险统筹基金", basic)
        detail(insutype == "310" ? "330100" : "390200", insutype == "310" ? "大额医疗费用补助" : "城乡居民大病保险", critical)
        detail("610100", "医疗救助基金", aid)
        return details
    }

    /// The filed 门诊慢特病 a med_type 14 settlement is for (nil for any other med_type):
    /// the visit's dise_codg (2203) must be one the person filed (5301) and valid that day.
    func chronicDisease(medType: String, visit row: Row, person p: CorePerson) throws -> CorePerson.ChronicFiling? {
        let recorded: String? = row["med_type"]
        let chronic = policy.isChronic(medType: medType)
        if let recorded, policy.isChronic(medType: recorded) != chronic {
            throw CoreRefusal("医疗类别(\(medType))与就诊信息(2203)的医疗类别(\(recorded))不符")
        }
        guard chronic else { return nil }
        guard policy.chronic != nil else { throw CoreRefusal("本统筹区未开通门诊慢特病待遇(医疗类别\(medType))") }
        guard let code = row["dise_codg"] as String?, !code.isEmpty else {
            throw CoreRefusal("门诊慢特病结算须先上传就诊信息(2203)，并在病种编码(dise_codg)填写备案的门慢门特病种")
        }
        let day = String((row["begntime"] as String? ?? time(clock())).prefix(10))
        guard let filing = p.chronicDiseases?.first(where: { $0.opsp_dise_code == code && $0.covers(day) }) else {
            throw CoreRefusal("参保人未备案门诊慢特病病种\(code)或备案不在有效期内，不能按门诊慢特病结算")
        }
        return filing
    }

    /// Undoes a settled settlement: the account refunded, the year's figures restored, and
    /// the refund recorded as a row of its own on today's day (negative amounts,
    /// refd_setl_flag 1). Returns the refund's setl_id.
    @discardableResult
    func undo(settlement row: Row, msgid: String, in db: Database) throws -> String {
        let psnNo: String = row["psn_no"]
        let setlId: String = row["setl_id"]
        if var state = try CoreLedger.state(of: psnNo, in: db) {
            state.balance += Money(fen: row["acct"])
            if policy.isChronic(medType: row["med_type"] as String? ?? "11") {
                state.chronicPaid -= Money(fen: row["basic"])
            } else {
                state.ytd.basicFundPaid -= Money(fen: row["basic"])
            }
            state.ytd.criticalIllnessBase -= Money(fen: row["ci_base_delta"])
            state.ytd.medicalAidBase -= Money(fen: row["aid_base_delta"])
            state.ytd.medicalAidPaid -= Money(fen: row["aid"])
            try CoreLedger.save(state, of: psnNo, in: db)
        }
        try db.execute(sql: "UPDATE settlement SET state = 'reversed' WHERE setl_id = ?", arguments: [setlId])
        let refund = "S" + String(format: "%012lld", try CoreLedger.next("setl", in: db))
        let now = time(clock())
        try db.execute(sql: """
            INSERT INTO settlement (setl_id, mdtrt_id, psn_no, fixmedins_code, insutype, day, total, fund, acct, cash,
                                    basic, ci, aid, ci_base_delta, aid_base_delta, state, msgid, clr_optins, clr_type,
                                    refd_setl_flag, orig_setl_id, setl_time, med_type, mdtrt_cert_type, chrg_bchno,
                                    dise_codg, dise_name, full_own, pre_self, in_scope, pool_self, balc, fixmedins_name)
            SELECT ?, mdtrt_id, psn_no, fixmedins_code, insutype, ?, -total, -fund, -acct, -cash, -basic, -ci, -aid, 0, 0,
                   'refund', ?, clr_optins, clr_type, '1', setl_id, ?, med_type, mdtrt_cert_type, chrg_bchno, dise_codg,
                   dise_name, -full_own, -pre_self, -in_scope, -pool_self, ?, fixmedins_name
            FROM settlement WHERE setl_id = ?
            """, arguments: [refund, String(now.prefix(10)), msgid, now,
                             try CoreLedger.state(of: psnNo, in: db)?.balance.fen, setlId])
        return refund
    }

    /// 2208: the clinic cancels a settlement it has the answer of, today or on an earlier
    /// day (the refund counts on today's day).
    func reverseSettlement(input: JSONObject, msgid: String, in db: Database) throws -> [String: Any] {
        let setlId = try input.string("setl_id")
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM settlement WHERE setl_id = ?", arguments: [setlId]) else {
            throw CoreRefusal("结算ID不存在: \(setlId)")
        }
        guard row["mdtrt_id"] as String == (try input.string("mdtrt_id")), row["psn_no"] as String == (try input.string("psn_no"))
        else { throw CoreRefusal("结算ID与就诊ID或人员编号不符") }
        if row["refd_setl_flag"] as String == "1" {
            throw CoreRefusal("结算ID\(setlId)是退费结算(原结算\(row["orig_setl_id"] as String? ?? "")的退费)，不能撤销")
        }
        guard row["state"] as String == "settled" else {
            let refund = try Row.fetchOne(db, sql: "SELECT setl_id, day FROM settlement WHERE orig_setl_id = ?", arguments: [setlId])
            let when = refund.map { "已于\($0["day"] as String)退费，退费结算ID \($0["setl_id"] as String)" } ?? "已退费"
            throw CoreRefusal("该结算已撤销: 结算ID \(setlId) \(when)，不能重复撤销")
        }
        let reversal = try undo(settlement: row, msgid: msgid, in: db)
        func neg(_ key: String) -> String { Money(fen: -(row[key] as Int64)).yuan }
        return ["setlinfo": [
            "setl_id": reversal, "mdtrt_id": row["mdtrt_id"] as String, "psn_no": row["psn_no"] as String,
            "medfee_sumamt": neg("total"), "fund_pay_sumamt": neg("fund"), "acct_pay": neg("acct"),
            "psn_cash_pay": neg("cash"), "setl_time": time(clock())]]
    }

    /// 2601 冲正: undo whatever `omsgid` did. A message never seen is acknowledged with
    /// nothing to undo, and its msgid is remembered as reversed so that a late copy of it
    /// is refused rather than acted on.
    func reverseMessage(input: JSONObject, msgid: String, in db: Database) throws -> [String: Any] {
        let omsgid = try input.string("omsgid")
        let oinfno = profile.transaction(ofWire: try input.string("oinfno")) ?? ""
        _ = try input.string("psn_no")
        let seen = try Bool.fetchOne(db, sql: "SELECT 1 FROM message WHERE msgid = ?", arguments: [omsgid]) == true
        guard seen else {
            let tombstone = answer(infcode: -1, msgid: omsgid, received: clock(), error: "该报文已被冲正，不再处理", output: nil)
            try db.execute(sql: "INSERT INTO message (msgid, infno, answer) VALUES (?, ?, ?)", arguments: [omsgid, oinfno, tombstone])
            return [:]
        }
        switch oinfno {
        case "2207":
            if let row = try Row.fetchOne(db, sql: "SELECT * FROM settlement WHERE msgid = ? AND state = 'settled'", arguments: [omsgid]) {
                try undo(settlement: row, msgid: msgid, in: db)
            }
        case "2201":
            try db.execute(sql: "UPDATE visit SET state = 'cancelled' WHERE msgid = ?", arguments: [omsgid])
        case "2204":
            try db.execute(sql: "UPDATE fee SET state = 'cancelled' WHERE msgid = ?", arguments: [omsgid])
        default:
            break
        }
        return [:]
    }

    func reconcile(input: JSONObject, code: String, in db: Database) throws -> [String: Any] {
        let insutype = try input.string("insutype")
        let from = try input.string("stmt_begndate"), to = try input.string("stmt_enddate")
        let clrType = try input.string("clr_type"), optins = try input.string("setl_optins")
        let theirs = CoreLedger.Totals(count: Int(try input.string("fixmedins_setl_cnt")) ?? -1,
                                       total: try input.money("medfee_sumamt").fen,
                                       fund: try input.money("fund_pay_sumamt").fen, acct: try input.money("acct_pay").fen)
        let ours = try CoreLedger.totals(fixmedinsCode: code, insutype: insutype, clrType: clrType, clrOptins: optins,
                                         includeRefunds: input.optionalString("refd_setl_flag") != "0", from: from, to: to, in: db)
        let agrees = ours == theirs
        return ["stmtinfo": [
            "setl_optins": input.optionalString("setl_optins") ?? "", "stmt_rslt": agrees ? "0" : "1",
            "stmt_rslt_dscr": agrees ? "对账一致" : "对账不平: 中心 \(ours.count) 笔, 医疗费总额 \(Money(fen: ours.total).yuan), 基金支付 \(Money(fen: ours.fund).yuan), 个人账户 \(Money(fen: ours.acct).yuan)"]]
    }
}
