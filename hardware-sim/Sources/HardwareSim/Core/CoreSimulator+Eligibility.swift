import Foundation
import TerminalCore

/// 2001 人员待遇享受检查 and 5301 人员慢特病备案查询, from the person files
/// (`benefitPause`, `chronicDiseases`). Output tables: S-117-John/nhis-web
/// `pro/zsba/.../BottomClass/Output2001Trtinfo.java`, binzhe12123/Medical
/// `SZSI_Smart/Model/SYB/YBJS/RY2001.cs` (Out2001), newtouch-cloud/openhis
/// `YiBaoInterface/Models/Output/Output_5301.cs`, Medical `SZSI_Smart/Model/SYB/XXCX/MB5301.cs`.
extension CoreSimulator {
    /// 2001: one `trtinfo` row per fund the person's insurance pays from (基金支付类型), with
    /// `trt_chk_type` 01 (基金) and `trt_enjymnt_flag` 1, or 0 with the reason in
    /// `trt_chk_rslt`: insurance suspended (psn_insu_stas ≠ 1), benefit paused
    /// (`benefitPause`), or, for a 门诊慢特病 check (med_type 14…) with a `dise_codg`, a
    /// 病种 the person has not filed.
    func benefitCheck(input: JSONObject) throws -> [String: Any] {
        let psnNo = try input.string("psn_no")
        guard let p = person(psnNo: psnNo) else { throw CoreRefusal("人员编号不存在: \(psnNo)") }
        let insutype = try input.string("insutype")
        guard insutype == p.insurance.insutype else {
            throw CoreRefusal("参保人无险种类型\(insutype)的有效参保信息")
        }
        let medType = try input.string("med_type")
        let begntime = try input.string("begntime")
        let day = String(begntime.prefix(10))
        guard day.count == 10, let year = Int(day.prefix(4)) else { throw CoreRefusal("开始时间(begntime)格式错误: \(begntime)") }

        var refusal: String?
        var since = "\(year)-01-01"
        if p.insurance.psn_insu_stas != "1" {
            refusal = "人员参保状态为暂停参保，待遇暂停享受"
        } else if let pause = p.benefitPause, pause.begndate <= day {
            refusal = pause.reason
            since = pause.begndate
        } else if policy.isChronic(medType: medType), let code = input.optionalString("dise_codg"), !code.isEmpty,
                  p.chronicDiseases?.contains(where: { $0.opsp_dise_code == code && $0.covers(day) }) != true {
            refusal = "参保人未备案门诊慢特病病种\(code)或备案不在有效期内，不能享受门诊慢特病待遇"
        }
        var funds: [String] = insutype == "310" ? ["310100", "310200", "330100"]
            : insutype == "340" ? ["340100"] : ["390100", "390200"]
        if p.medicalAidCategory != nil { funds.append("610100") }
        let rows: [[String: Any]] = funds.map { fund in
            [
                "psn_no": psnNo, "trt_chk_type": "01", "fund_pay_type": fund,
                "trt_enjymnt_flag": refusal == nil ? "1" : "0",
                "begndate": since, "enddate": refusal == nil ? "\(year)-12-31" as Any : NSNull(),
                "trt_chk_rslt": refusal.map { $0 as Any } ?? NSNull(),
            ]
        }
        return ["trtinfo": rows]
    }

    /// 5301: the person's 门慢门特 filings, `feedetail` as a list (one integration types it
    /// as one object); empty when none.
    func chronicFilings(input: JSONObject) throws -> [String: Any] {
        let psnNo = try input.string("psn_no")
        guard let p = person(psnNo: psnNo) else { throw CoreRefusal("人员编号不存在: \(psnNo)") }
        let rows: [[String: Any]] = (p.chronicDiseases ?? []).map {
            ["opsp_dise_code": $0.opsp_dise_code, "opsp_dise_name": $0.opsp_dise_name, "begndate": $0.begndate,
             "enddate": $0.enddate.map { $0 as Any } ?? NSNull()]
        }
        return ["feedetail": rows]
    }
}
