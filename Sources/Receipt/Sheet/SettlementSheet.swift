import Foundation
import TerminalCore

/// The settlement sheet (结算单) of one settled visit, as the journal recorded it: every
/// amount is the core's (2207 `setlinfo`, `setldetail`), every fee row the visit's 2204
/// upload; nothing is recomputed. Rebuilt from the journal each time it is printed, so a
/// failed print loses nothing. Money is integer fen.
package struct SettlementSheet: Sendable, Equatable {
    package struct Header: Sendable, Equatable {
        /// `fixmedins_name` / `fixmedins_code` of the 2207 envelope.
        package var institutionName: String?
        package var institutionCode: String?
        /// `opter_name` of the 2207 envelope (nil once redacted).
        package var operatorName: String?
        /// `setl_time` of the 2207 answer.
        package var settledAt: String?
        /// When this copy was made (China time).
        package var printedAt: String
        package var setlId: String
        package var mdtrtId: String?
        /// The clinic's visit number (ipt_otp_no).
        package var visitNumber: String?
        /// 2201 `dept_name`, `dr_name`.
        package var department: String?
        package var doctor: String?
        /// 11 普通门诊, …
        package var medicalType: String?
    }

    package struct Person: Sendable, Equatable {
        /// As it is printed: masked (张*) unless the configuration asks for the full name;
        /// nil when unknown or redacted.
        package var name: String?
        /// Masked (`360102********1010`); nil when unknown or redacted.
        package var idNumber: String?
        /// 1 男, 2 女.
        package var gender: String?
        /// Whole years, from the answer's `age`.
        package var age: String?
        /// `insutype` and its name (310 职工基本医疗保险 …).
        package var insuranceType: String?
        package var insuranceName: String?
        /// `psn_type` as the core wrote it.
        package var personType: String?
        /// 参保地 (`insuplc_admdvs`).
        package var insuredPlace: String?
        /// The first diagnosis of the visit (2203 `diag_code` + `diag_name`).
        package var diagnosis: String?
        /// The journal's personal data of this visit was erased after its retention period
        /// (`[storage] redact_after_days`): the sheet prints without the person.
        package var redacted: Bool
    }

    /// One fee row of the visit (a 2204 `feedetail` line).
    package struct FeeRow: Sendable, Equatable {
        package var serial: String
        /// The catalogue code (`med_list_codg`) and the clinic's (`medins_list_codg`).
        package var code: String
        package var clinicCode: String?
        /// The item's name from the catalogue or the price list; nil when neither knows the
        /// code (the code is printed instead: 2204 carries no names).
        package var name: String?
        /// 甲, 乙 or 丙: the core's `chrgitm_lv` for this row, else the catalogue's.
        package var level: String?
        package var category: FeeCategory
        /// Quantity as uploaded (`cnt`, up to four decimals).
        package var quantity: String
        /// Unit price as uploaded (`pric`), yuan text.
        package var unitPrice: String?
        package var amount: Money

        /// What is printed as the row's name.
        package var displayName: String { name ?? code }
    }

    package struct FeeGroup: Sendable, Equatable {
        package var category: FeeCategory
        package var rows: [FeeRow]
        package var total: Money
        /// Totals of the group's rows by level: 甲, 乙, 丙 and "" (level unknown).
        package var byLevel: [String: Money]
    }

    /// One amount of the 2207 answer, named by its spec field.
    package struct Amount: Sendable, Equatable {
        package var field: String
        package var label: String
        package var value: Money
        /// Printed larger on paper (the total and what the patient pays).
        package var emphasized: Bool
    }

    package struct AmountSection: Sendable, Equatable {
        package var title: String
        package var amounts: [Amount]
    }

    /// One `setldetail` line: a fund and what it paid.
    package struct FundPayment: Sendable, Equatable {
        package var type: String
        package var name: String
        package var amount: Money
    }

    package var header: Header
    package var person: Person
    package var feeGroups: [FeeGroup]
    /// The sum of the fee rows; equals `medfee_sumamt` unless the journal lacks rows.
    package var feeTotal: Money
    /// Totals of all rows by level (甲, 乙, 丙, "" unknown).
    package var feeByLevel: [String: Money]
    /// Payments in the order of the one-stop (一站式) sheet: 费用, 基金支付, 个人支付.
    package var sections: [AmountSection]
    package var funds: [FundPayment]
    /// 统筹自付比例 (`pool_prop_selfpay`, a 5,4 ratio) as a percentage, when the core sent one.
    package var poolSelfPayRatio: String?
    /// The settlement was undone afterwards (2208): the sheet says so.
    package var reversed: Bool
    /// Plain-words notes printed at the end (names not recoverable, totals that differ …).
    package var notes: [String]

    /// `medfee_sumamt`, the visit's total.
    package var total: Money? { amount("medfee_sumamt") }

    /// An amount of the answer by its field name.
    package func amount(_ field: String) -> Money? {
        for section in sections { if let a = section.amounts.first(where: { $0.field == field }) { return a.value } }
        return nil
    }
}

/// How the patient's name is printed (`[printer] patient_name`).
package enum PatientNameDisplay: String, Sendable {
    /// 张* (the default).
    case masked
    case full
}

/// The fee categories of the sheet, in its order. Labels follow the platform's 收费项目类别
/// (`med_chrgitm_type`) without the trailing 费.
package enum FeeCategory: String, Sendable, CaseIterable, Comparable {
    case westernDrug = "西药"
    case patentDrug = "中成药"
    case herbs = "中药饮片"
    case consultation = "诊察"
    case examination = "检查"
    case laboratory = "化验"
    case treatment = "治疗"
    case surgery = "手术"
    case nursing = "护理"
    case bed = "床位"
    case material = "材料"
    case registration = "挂号"
    case other = "其他"

    package var label: String { rawValue }

    package static func < (a: FeeCategory, b: FeeCategory) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
