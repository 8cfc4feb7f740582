import TerminalCore

// 2201 门诊挂号, 2202 挂号撤销, 2203 就诊信息上传, 2204 费用明细上传, 2205 费用明细撤销.

package struct RegisterInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        package var psn_no: String
        package var insutype: String
        package var begntime: String
        package var mdtrt_cert_type: String
        package var mdtrt_cert_no: String
        /// The clinic's own visit number (住院/门诊号), at most 30 characters.
        package var ipt_otp_no: String
        package var atddr_no: String
        package var dr_name: String
        package var dept_code: String
        package var dept_name: String
        /// 科别: a code of the platform's 科别 dictionary (e.g. A03 全科医疗科).
        package var caty: String
    }
    package var data: Body
}

package struct RegisterOutput: Decodable, Sendable {
    package var mdtrt_id: String

    package init(from decoder: any Decoder) throws {
        mdtrt_id = try WireFields(decoder).object("data", Body.self).mdtrt_id
    }

    struct Body: Decodable {
        var mdtrt_id: String
        init(from decoder: any Decoder) throws { mdtrt_id = try WireFields(decoder).text("mdtrt_id") }
    }
}

package struct CancelRegistrationInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        package var psn_no: String
        package var mdtrt_id: String
        package var ipt_otp_no: String
    }
    package var data: Body
}

package struct VisitInfoInput: Encodable, Sendable {
    package struct MdtrtInfo: Encodable, Sendable {
        package var mdtrt_id: String
        package var psn_no: String
        /// 11 = 普通门诊.
        package var med_type: String
        package var begntime: String
        package var main_cond_dscr: String
        /// 病种编码: the disease category the visit is settled under (慢特病 and the like);
        /// empty for an ordinary outpatient visit. Not the ICD diagnosis, which is in diseinfo.
        package var dise_codg: String
        package var dise_name: String
    }
    package struct DiseInfo: Encodable, Sendable {
        /// 1 = 西医诊断.
        package var diag_type: String
        /// 数值型 2.
        package var diag_srt_no: Int
        package var diag_code: String
        package var diag_name: String
        package var diag_dept: String
        package var dise_dor_no: String
        package var dise_dor_name: String
        package var diag_time: String
        package var vali_flag: String
    }
    package var mdtrtinfo: MdtrtInfo
    package var diseinfo: [DiseInfo]
}

package struct FeeDetailInput: Encodable, Sendable {
    package struct Item: Encodable, Sendable {
        package var feedetl_sn: String
        package var mdtrt_id: String
        package var psn_no: String
        package var chrg_bchno: String
        /// 病种编码, as in 2203 (empty for an ordinary visit).
        package var dise_codg: String
        package var rxno: String
        package var rx_circ_flag: String
        package var fee_ocur_time: String
        package var med_list_codg: String
        package var medins_list_codg: String
        /// 16,2.
        package var det_item_fee_sumamt: WireNumber
        /// 16,4.
        package var cnt: WireNumber
        /// 16,6.
        package var pric: WireNumber
        package var bilg_dept_codg: String
        package var bilg_dept_name: String
        package var bilg_dr_codg: String
        package var bilg_dr_name: String
        package var hosp_appr_flag: String
    }
    package var feedetail: [Item]
}

/// The core's classification of each uploaded fee row. Only read, for what it says about
/// each item; every field but the row's number and amount may be null or absent.
package struct FeeDetailOutput: Decodable, Sendable {
    package struct Result: Decodable, Sendable {
        package var feedetl_sn: String
        package var det_item_fee_sumamt: Money
        package var cnt: Quantity?
        package var pric: UnitPrice?
        package var pric_uplmt_amt: UnitPrice?
        /// 自付比例 (5,4): 0.1000 = 10 %.
        package var selfpay_prop: Ratio?
        package var fulamt_ownpay_amt: Money?
        package var overlmt_amt: Money?
        package var preselfpay_amt: Money?
        package var inscp_scp_amt: Money?
        /// 01 甲类, 02 乙类, 03 丙类 (self-paid).
        package var chrgitm_lv: String?

        package init(from decoder: any Decoder) throws {
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
    package var result: [Result]

    package init(from decoder: any Decoder) throws {
        result = try WireFields(decoder).list("result")
    }
}

package struct CancelFeesInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        /// `"0000"` cancels every batch of the visit.
        package var chrg_bchno: String
        package var mdtrt_id: String
        package var psn_no: String
    }
    package var data: Body
}
