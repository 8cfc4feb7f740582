import TerminalCore

// 2201 门诊挂号, 2202 挂号撤销, 2203 就诊信息上传, 2204 费用明细上传, 2205 费用明细撤销.

public struct RegisterInput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var psn_no: String
        public var insutype: String
        public var begntime: String
        public var mdtrt_cert_type: String
        public var mdtrt_cert_no: String
        /// The clinic's own visit number (门诊号).
        public var ipt_otp_no: String
        public var atddr_no: String
        public var dr_name: String
        public var dept_code: String
        public var dept_name: String
        public var caty: String
    }
    public var data: Body
}

public struct RegisterOutput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var mdtrt_id: String
        public var psn_no: String
        public var ipt_otp_no: String
    }
    public var data: Body
}

public struct CancelRegistrationInput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var psn_no: String
        public var mdtrt_id: String
        public var ipt_otp_no: String
    }
    public var data: Body
}

public struct VisitInfoInput: Codable, Sendable {
    public struct MdtrtInfo: Codable, Sendable {
        public var mdtrt_id: String
        public var psn_no: String
        /// 11 = 普通门诊.
        public var med_type: String
        public var begntime: String
        public var main_cond_dscr: String
        public var dise_codg: String
        public var dise_name: String
    }
    public struct DiseInfo: Codable, Sendable {
        /// 1 = 西医诊断.
        public var diag_type: String
        public var diag_srt_no: String
        public var diag_code: String
        public var diag_name: String
        public var diag_dept: String
        public var dise_dor_no: String
        public var dise_dor_name: String
        public var diag_time: String
        public var vali_flag: String
    }
    public var mdtrtinfo: MdtrtInfo
    public var diseinfo: [DiseInfo]
}

public struct FeeDetailInput: Codable, Sendable {
    public struct Item: Codable, Sendable {
        public var feedetl_sn: String
        public var mdtrt_id: String
        public var psn_no: String
        public var chrg_bchno: String
        public var dise_codg: String
        public var rxno: String
        public var rx_circ_flag: String
        public var fee_ocur_time: String
        public var med_list_codg: String
        public var medins_list_codg: String
        public var det_item_fee_sumamt: Money
        public var cnt: String
        public var pric: Money
        public var bilg_dept_codg: String
        public var bilg_dept_name: String
        public var bilg_dr_codg: String
        public var bilg_dr_name: String
        public var hosp_appr_flag: String
    }
    public var feedetail: [Item]
}

public struct FeeDetailOutput: Codable, Sendable {
    public struct Result: Codable, Sendable {
        public var feedetl_sn: String
        public var det_item_fee_sumamt: Money
        public var cnt: String
        public var pric: Money
        public var pric_uplmt_amt: Money?
        public var selfpay_prop: String?
        public var fulamt_ownpay_amt: Money
        public var overlmt_amt: Money
        public var preselfpay_amt: Money
        public var inscp_scp_amt: Money
        /// 01 甲类, 02 乙类, 03 丙类 (self-paid).
        public var chrgitm_lv: String
        public var med_chrgitm_type: String?
    }
    public var result: [Result]
}

public struct CancelFeesInput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        /// `"0000"` cancels every batch of the visit.
        public var chrg_bchno: String
        public var mdtrt_id: String
        public var psn_no: String
    }
    public var data: Body
}
