import TerminalCore

// 2201 门诊挂号, 2202 挂号撤销, 2203 就诊信息上传, 2204 费用明细上传, 2205 费用明细撤销.

public struct RegisterInput: Encodable, Sendable {
    public struct Body: Encodable, Sendable {
        public var psn_no: String
        public var insutype: String
        public var begntime: String
        public var mdtrt_cert_type: String
        public var mdtrt_cert_no: String
        /// The clinic's own visit number (住院/门诊号), at most 30 characters.
        public var ipt_otp_no: String
        public var atddr_no: String
        public var dr_name: String
        public var dept_code: String
        public var dept_name: String
        /// 科别: a code of the platform's 科别 dictionary (e.g. A03 全科医疗科).
        public var caty: String
    }
    public var data: Body
}

public struct RegisterOutput: Decodable, Sendable {
    public var mdtrt_id: String

    public init(from decoder: any Decoder) throws {
        mdtrt_id = try WireFields(decoder).object("data", Body.self).mdtrt_id
    }

    struct Body: Decodable {
        var mdtrt_id: String
        init(from decoder: any Decoder) throws { mdtrt_id = try WireFields(decoder).text("mdtrt_id") }
    }
}

public struct CancelRegistrationInput: Encodable, Sendable {
    public struct Body: Encodable, Sendable {
        public var psn_no: String
        public var mdtrt_id: String
        public var ipt_otp_no: String
    }
    public var data: Body
}

public struct VisitInfoInput: Encodable, Sendable {
    public struct MdtrtInfo: Encodable, Sendable {
        public var mdtrt_id: String
        public var psn_no: String
        /// 11 = 普通门诊.
        public var med_type: String
        public var begntime: String
        public var main_cond_dscr: String
        /// 病种编码: the disease category the visit is settled under (慢特病 and the like);
        /// empty for an ordinary outpatient visit. Not the ICD diagnosis, which is in diseinfo.
        public var dise_codg: String
        public var dise_name: String
    }
    public struct DiseInfo: Encodable, Sendable {
        /// 1 = 西医诊断.
        public var diag_type: String
        /// 数值型 2.
        public var diag_srt_no: Int
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

public struct FeeDetailInput: Encodable, Sendable {
    public struct Item: Encodable, Sendable {
        public var feedetl_sn: String
        public var mdtrt_id: String
        public var psn_no: String
        public var chrg_bchno: String
        /// 病种编码, as in 2203 (empty for an ordinary visit).
        public var dise_codg: String
        public var rxno: String
        public var rx_circ_flag: String
        public var fee_ocur_time: String
        public var med_list_codg: String
        public var medins_list_codg: String
        /// 16,2.
        public var det_item_fee_sumamt: WireNumber
        /// 16,4.
        public var cnt: WireNumber
        /// 16,6.
        public var pric: WireNumber
        public var bilg_dept_codg: String
        public var bilg_dept_name: String
        public var bilg_dr_codg: String
        public var bilg_dr_name: String
        public var hosp_appr_flag: String
    }
    public var feedetail: [Item]
}

/// The core's classification of each uploaded fee row. Only read, for what it says about
/// each item; every field but the row's number and amount may be null or absent.
public struct FeeDetailOutput: Decodable, Sendable {
    public struct Result: Decodable, Sendable {
        public var feedetl_sn: String
        public var det_item_fee_sumamt: Money
        public var cnt: Quantity?
        public var pric: UnitPrice?
        public var pric_uplmt_amt: UnitPrice?
        /// 自付比例 (5,4): 0.1000 = 10 %.
        public var selfpay_prop: Ratio?
        public var fulamt_ownpay_amt: Money?
        public var overlmt_amt: Money?
        public var preselfpay_amt: Money?
        public var inscp_scp_amt: Money?
        /// 01 甲类, 02 乙类, 03 丙类 (self-paid).
        public var chrgitm_lv: String?

        public init(from decoder: any Decoder) throws {
            let f = try WireFields(decoder)
            feedetl_sn = try f.text("feedetl_sn")
            det_item_fee_sumamt = try f.money("det_item_fee_sumamt")
            cnt = try f.optionalQuantity("cnt")
            pric = try f.optionalDecimal("pric")
            pric_uplmt_amt = try f.optionalDecimal("pric_uplmt_amt")
            selfpay_prop = try f.optionalDecimal("selfpay_prop")
            fulamt_ownpay_amt = try f.optionalMoney("fulamt_ownpay_amt")
            overlmt_amt = try f.optionalMoney("overlmt_amt")
            preselfpay_amt = try f.optionalMoney("preselfpay_amt")
            inscp_scp_amt = try f.optionalMoney("inscp_scp_amt")
            chrgitm_lv = f.optionalText("chrgitm_lv")
        }
    }
    public var result: [Result]

    public init(from decoder: any Decoder) throws {
        result = try WireFields(decoder).list("result")
    }
}

public struct CancelFeesInput: Encodable, Sendable {
    public struct Body: Encodable, Sendable {
        /// `"0000"` cancels every batch of the visit.
        public var chrg_bchno: String
        public var mdtrt_id: String
        public var psn_no: String
    }
    public var data: Body
}
