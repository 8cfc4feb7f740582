import TerminalCore

// 2206 预结算, 2207 结算, 2208 结算撤销, 2601 冲正, 3201 对总账.

/// 2206 and 2207 take the same body; 2207 adds the amounts 2206 returned.
package struct SettleInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        package var psn_no: String
        package var mdtrt_cert_type: String
        package var mdtrt_cert_no: String
        /// 11 = 普通门诊.
        package var med_type: String
        package var medfee_sumamt: WireNumber
        /// 01 = 按项目结算.
        package var psn_setlway: String
        package var mdtrt_id: String
        package var chrg_bchno: String
        package var insutype: String
        /// 1 = the personal account may pay.
        package var acct_used_flag: String
        package var invono: String?
        package var fulamt_ownpay_amt: WireNumber?
        package var overlmt_selfpay: WireNumber?
        package var preselfpay_amt: WireNumber?
        package var inscp_scp_amt: WireNumber?
    }
    package var data: Body
}

/// 2206's and 2207's answer. Only what cuntong shows, quotes back or reconciles is read.
/// The split's parts that a core may leave null (no civil-servant subsidy, no medical aid,
/// no family account) count as zero; the totals it is judged by are required.
package struct SettleOutput: Decodable, Sendable {
    package struct SetlInfo: Decodable, Sendable {
        package var mdtrt_id: String
        /// Present in 2207's answer (and 2208's), not in 2206's.
        package var setl_id: String?
        package var setl_time: String?
        package var medfee_sumamt: Money
        package var fulamt_ownpay_amt: Money
        package var overlmt_selfpay: Money
        package var preselfpay_amt: Money
        package var inscp_scp_amt: Money
        package var hifp_pay: Money
        package var cvlserv_pay: Money
        package var hifes_pay: Money
        package var hifmi_pay: Money
        package var hifob_pay: Money
        package var maf_pay: Money
        package var oth_pay: Money
        package var fund_pay_sumamt: Money
        package var acct_pay: Money
        package var psn_cash_pay: Money
        package var acct_mulaid_pay: Money
        package var balc: Money?
        /// The clearing: agency (清算经办机构), way and type, which 3201 is grouped by.
        package var clr_optins: String?
        package var clr_way: String?
        package var clr_type: String?

        package init(from decoder: any Decoder) throws {
            let f = try WireFields(decoder)
            mdtrt_id = try f.text("mdtrt_id")
            setl_id = f.optionalText("setl_id")
            setl_time = f.optionalText("setl_time")
            medfee_sumamt = try f.money("medfee_sumamt")
            fulamt_ownpay_amt = try f.optionalMoney("fulamt_ownpay_amt") ?? .zero
            overlmt_selfpay = try f.optionalMoney("overlmt_selfpay") ?? .zero
            preselfpay_amt = try f.optionalMoney("preselfpay_amt") ?? .zero
            inscp_scp_amt = try f.optionalMoney("inscp_scp_amt") ?? .zero
            hifp_pay = try f.optionalMoney("hifp_pay") ?? .zero
            cvlserv_pay = try f.optionalMoney("cvlserv_pay") ?? .zero
            hifes_pay = try f.optionalMoney("hifes_pay") ?? .zero
            hifmi_pay = try f.optionalMoney("hifmi_pay") ?? .zero
            hifob_pay = try f.optionalMoney("hifob_pay") ?? .zero
            maf_pay = try f.optionalMoney("maf_pay") ?? .zero
            oth_pay = try f.optionalMoney("oth_pay") ?? .zero
            fund_pay_sumamt = try f.money("fund_pay_sumamt")
            acct_pay = try f.optionalMoney("acct_pay") ?? .zero
            psn_cash_pay = try f.money("psn_cash_pay")
            acct_mulaid_pay = try f.optionalMoney("acct_mulaid_pay") ?? .zero
            balc = try f.optionalMoney("balc")
            clr_optins = f.optionalText("clr_optins")
            clr_way = f.optionalText("clr_way")
            clr_type = f.optionalText("clr_type")
        }
    }
    /// One fund's part. Shown, never summed: some cores send rows of empty strings.
    package struct SetlDetail: Decodable, Sendable {
        package var fund_pay_type: String
        package var fund_pay_type_name: String?
        package var fund_payamt: Money

        package init(from decoder: any Decoder) throws {
            let f = try WireFields(decoder)
            fund_pay_type = f.optionalText("fund_pay_type") ?? ""
            fund_pay_type_name = f.optionalText("fund_pay_type_name")
            fund_payamt = try f.optionalMoney("fund_payamt") ?? .zero
        }
    }
    package var setlinfo: SetlInfo
    package var setldetail: [SetlDetail]

    package init(from decoder: any Decoder) throws {
        let f = try WireFields(decoder)
        setlinfo = try f.object("setlinfo")
        setldetail = try f.list("setldetail", SetlDetail.self).filter { !$0.fund_pay_type.isEmpty || $0.fund_payamt != .zero }
    }
}

extension SettleOutput.SetlInfo {
    /// The split as the core wrote it; nothing recomputed.
    package var split: SettlementSplit {
        SettlementSplit(
            total: medfee_sumamt, basicFund: hifp_pay, criticalIllness: hifmi_pay, medicalAid: maf_pay,
            otherFunds: cvlserv_pay + hifes_pay + hifob_pay + oth_pay, fundTotal: fund_pay_sumamt,
            personalAccount: acct_pay, familyAccount: acct_mulaid_pay, cash: psn_cash_pay, balanceAfter: balc ?? .zero)
    }
}

package struct SettlementReversalInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        package var setl_id: String
        package var mdtrt_id: String
        package var psn_no: String
    }
    package var data: Body
}

/// 2601 冲正: undo whatever the message `omsgid` did, if the core did it.
package struct ReverseMessageInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        package var psn_no: String
        package var omsgid: String
        package var oinfno: String
    }
    package var data: Body
}

package struct ReconcileInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        package var insutype: String
        /// 清算类别: 11 = 门诊, as the core wrote it in each 2207 answer.
        package var clr_type: String
        /// 结算经办机构: the clearing agency (`clr_optins` of each 2207 answer).
        package var setl_optins: String
        package var stmt_begndate: String
        package var stmt_enddate: String
        package var medfee_sumamt: WireNumber
        package var fund_pay_sumamt: WireNumber
        package var acct_pay: WireNumber
        package var fixmedins_setl_cnt: Int
        /// 退费结算标志: 0 = reversed settlements are left out of the totals on both sides.
        package var refd_setl_flag: String
    }
    package var data: Body
}

package struct ReconcileOutput: Decodable, Sendable {
    /// 0 = 平 (agrees), 1 = 不平 (does not).
    package var stmt_rslt: String
    package var stmt_rslt_dscr: String?

    package init(from decoder: any Decoder) throws {
        let info = try WireFields(decoder).object("stmtinfo", Body.self)
        stmt_rslt = info.stmt_rslt
        stmt_rslt_dscr = info.stmt_rslt_dscr
    }

    struct Body: Decodable {
        var stmt_rslt: String
        var stmt_rslt_dscr: String?
        init(from decoder: any Decoder) throws {
            let f = try WireFields(decoder)
            stmt_rslt = try f.text("stmt_rslt")
            stmt_rslt_dscr = f.optionalText("stmt_rslt_dscr")
        }
    }
}
