import TerminalCore

// 2206 预结算, 2207 结算, 2208 结算撤销, 2601 冲正, 3201 对总账.

/// 2206 and 2207 take the same body; 2207 adds the amounts 2206 returned.
public struct SettleInput: Encodable, Sendable {
    public struct Body: Encodable, Sendable {
        public var psn_no: String
        public var mdtrt_cert_type: String
        public var mdtrt_cert_no: String
        /// 11 = 普通门诊.
        public var med_type: String
        public var medfee_sumamt: WireNumber
        /// 01 = 按项目结算.
        public var psn_setlway: String
        public var mdtrt_id: String
        public var chrg_bchno: String
        public var insutype: String
        /// 1 = the personal account may pay.
        public var acct_used_flag: String
        public var invono: String?
        public var fulamt_ownpay_amt: WireNumber?
        public var overlmt_selfpay: WireNumber?
        public var preselfpay_amt: WireNumber?
        public var inscp_scp_amt: WireNumber?
    }
    public var data: Body
}

/// 2206's and 2207's answer. Only what cuntong shows, quotes back or reconciles is read.
/// The split's parts that a core may leave null (no civil-servant subsidy, no medical aid,
/// no family account) count as zero; the totals it is judged by are required.
public struct SettleOutput: Decodable, Sendable {
    public struct SetlInfo: Decodable, Sendable {
        public var mdtrt_id: String
        /// Present in 2207's answer (and 2208's), not in 2206's.
        public var setl_id: String?
        public var setl_time: String?
        public var medfee_sumamt: Money
        public var fulamt_ownpay_amt: Money
        public var overlmt_selfpay: Money
        public var preselfpay_amt: Money
        public var inscp_scp_amt: Money
        public var hifp_pay: Money
        public var cvlserv_pay: Money
        public var hifes_pay: Money
        public var hifmi_pay: Money
        public var hifob_pay: Money
        public var maf_pay: Money
        public var oth_pay: Money
        public var fund_pay_sumamt: Money
        public var acct_pay: Money
        public var psn_cash_pay: Money
        public var acct_mulaid_pay: Money
        public var balc: Money?
        /// The clearing: agency (清算经办机构), way and type, which 3201 is grouped by.
        public var clr_optins: String?
        public var clr_way: String?
        public var clr_type: String?

        public init(from decoder: any Decoder) throws {
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
    public struct SetlDetail: Decodable, Sendable {
        public var fund_pay_type: String
        public var fund_pay_type_name: String?
        public var fund_payamt: Money

        public init(from decoder: any Decoder) throws {
            let f = try WireFields(decoder)
            fund_pay_type = f.optionalText("fund_pay_type") ?? ""
            fund_pay_type_name = f.optionalText("fund_pay_type_name")
            fund_payamt = try f.optionalMoney("fund_payamt") ?? .zero
        }
    }
    public var setlinfo: SetlInfo
    public var setldetail: [SetlDetail]

    public init(from decoder: any Decoder) throws {
        let f = try WireFields(decoder)
        setlinfo = try f.object("setlinfo")
        setldetail = try f.list("setldetail", SetlDetail.self).filter { !$0.fund_pay_type.isEmpty || $0.fund_payamt != .zero }
    }
}

extension SettleOutput.SetlInfo {
    /// The split as the core wrote it; nothing recomputed.
    public var split: SettlementSplit {
        SettlementSplit(
            total: medfee_sumamt, basicFund: hifp_pay, criticalIllness: hifmi_pay, medicalAid: maf_pay,
            otherFunds: cvlserv_pay + hifes_pay + hifob_pay + oth_pay, fundTotal: fund_pay_sumamt,
            personalAccount: acct_pay, familyAccount: acct_mulaid_pay, cash: psn_cash_pay, balanceAfter: balc ?? .zero)
    }
}

public struct SettlementReversalInput: Encodable, Sendable {
    public struct Body: Encodable, Sendable {
        public var setl_id: String
        public var mdtrt_id: String
        public var psn_no: String
    }
    public var data: Body
}

/// 2601 冲正: undo whatever the message `omsgid` did, if the core did it.
public struct ReverseMessageInput: Encodable, Sendable {
    public struct Body: Encodable, Sendable {
        public var psn_no: String
        public var omsgid: String
        public var oinfno: String
    }
    public var data: Body
}

public struct ReconcileInput: Encodable, Sendable {
    public struct Body: Encodable, Sendable {
        public var insutype: String
        /// 清算类别: 11 = 门诊, as the core wrote it in each 2207 answer.
        public var clr_type: String
        /// 结算经办机构: the clearing agency (`clr_optins` of each 2207 answer).
        public var setl_optins: String
        public var stmt_begndate: String
        public var stmt_enddate: String
        public var medfee_sumamt: WireNumber
        public var fund_pay_sumamt: WireNumber
        public var acct_pay: WireNumber
        public var fixmedins_setl_cnt: Int
        /// 退费结算标志: 0 = reversed settlements are left out of the totals on both sides.
        public var refd_setl_flag: String
    }
    public var data: Body
}

public struct ReconcileOutput: Decodable, Sendable {
    /// 0 = 平 (agrees), 1 = 不平 (does not).
    public var stmt_rslt: String
    public var stmt_rslt_dscr: String?

    public init(from decoder: any Decoder) throws {
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
