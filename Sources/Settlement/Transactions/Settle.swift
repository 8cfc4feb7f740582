import TerminalCore

// 2206 预结算, 2207 结算, 2208 结算撤销, 2601 冲正, 3201 对总账.

/// 2206 and 2207 take the same body; 2207 adds the amounts 2206 returned.
public struct SettleInput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var psn_no: String
        public var mdtrt_cert_type: String
        public var mdtrt_cert_no: String
        /// 11 = 普通门诊.
        public var med_type: String
        public var medfee_sumamt: Money
        /// 01 = 按项目结算.
        public var psn_setlway: String
        public var mdtrt_id: String
        public var chrg_bchno: String
        public var insutype: String
        /// 1 = the personal account may pay.
        public var acct_used_flag: String
        public var invono: String?
        public var fulamt_ownpay_amt: Money?
        public var overlmt_selfpay: Money?
        public var preselfpay_amt: Money?
        public var inscp_scp_amt: Money?
    }
    public var data: Body
}

public struct SettleOutput: Codable, Sendable {
    public struct SetlInfo: Codable, Sendable {
        public var mdtrt_id: String
        /// Present in 2207's answer (and 2208's), not in 2206's.
        public var setl_id: String?
        public var psn_no: String
        public var psn_name: String
        public var insutype: String
        public var setl_time: String?
        public var medfee_sumamt: Money
        public var fulamt_ownpay_amt: Money
        public var overlmt_selfpay: Money
        public var preselfpay_amt: Money
        public var inscp_scp_amt: Money
        public var act_pay_dedc: Money
        public var hifp_pay: Money
        public var pool_prop_selfpay: Money
        public var cvlserv_pay: Money
        public var hifes_pay: Money
        public var hifmi_pay: Money
        public var hifob_pay: Money
        public var maf_pay: Money
        public var oth_pay: Money
        public var fund_pay_sumamt: Money
        public var psn_part_amt: Money
        public var acct_pay: Money
        public var psn_cash_pay: Money
        public var hosp_part_amt: Money
        public var balc: Money
        public var acct_mulaid_pay: Money
        public var medins_setl_id: String?
        public var clr_optins: String
        public var clr_way: String
        public var clr_type: String
    }
    public struct SetlDetail: Codable, Sendable {
        public var fund_pay_type: String
        public var inscp_scp_amt: Money
        public var crt_payb_lmt_amt: Money?
        public var fund_payamt: Money
        public var fund_pay_type_name: String
        public var setl_proc_info: String?
    }
    public var setlinfo: SetlInfo
    public var setldetail: [SetlDetail]
}

extension SettleOutput.SetlInfo {
    /// The split as the core wrote it; nothing recomputed.
    public var split: SettlementSplit {
        SettlementSplit(
            total: medfee_sumamt, basicFund: hifp_pay, criticalIllness: hifmi_pay, medicalAid: maf_pay,
            otherFunds: cvlserv_pay + hifes_pay + hifob_pay + oth_pay, fundTotal: fund_pay_sumamt,
            personalAccount: acct_pay, familyAccount: acct_mulaid_pay, cash: psn_cash_pay, balanceAfter: balc)
    }
}

public struct SettlementReversalInput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var setl_id: String
        public var mdtrt_id: String
        public var psn_no: String
    }
    public var data: Body
}

/// 2601 冲正: undo whatever the message `omsgid` did, if the core did it.
public struct ReverseMessageInput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var psn_no: String
        public var omsgid: String
        public var oinfno: String
    }
    public var data: Body
}

public struct ReconcileInput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var insutype: String
        /// 11 = 门诊.
        public var clr_type: String
        public var setl_optins: String
        public var stmt_begndate: String
        public var stmt_enddate: String
        public var medfee_sumamt: Money
        public var fund_pay_sumamt: Money
        public var acct_pay: Money
        public var fixmedins_setl_cnt: Int
    }
    public var data: Body
}

public struct ReconcileOutput: Codable, Sendable {
    public struct StmtInfo: Codable, Sendable {
        public var setl_optins: String
        /// 0 = 平 (agrees), 1 = 不平 (does not).
        public var stmt_rslt: String
        public var stmt_rslt_dscr: String?
    }
    public var stmtinfo: StmtInfo
}
