import Foundation
import GRDB

/// The e-credential platform (电子凭证中台) on its own path: `ec.query` decodes a QR code it
/// issued, whatever its shape; `cn.nhsa.ec.auth` and `cn.nhsa.auth.check` confirm a face.
/// Request and answer as public integrations write them (newtouch-cloud/openhis
/// NationECCodeDll models, fengzaiqishi11/hsa-his DzpzOutptBOImpl.java). The refusals'
/// wording is the simulator's own: no public source records the platform's.
extension CoreSimulator {
    static let ecBusinessTypes: Set<String> = [
        "01101", "01102", "01103", "01104", "01201", "01202", "01203", "01204", "01301", "01302", "01303", "01304",
        "01305", "02121", "02122", "03131"]

    package func ecCall(_ body: Data) -> Data {
        guard let request = JSONObject(data: body), let data = try? request.object("data") else {
            return ecReply(-1, "请求报文格式错误", nil)
        }
        guard request.optionalString("orgId") == data.optionalString("orgId"), let org = data.optionalString("orgId"), !org.isEmpty else {
            return ecReply(-1, "机构ID(orgId)不能为空或不一致", nil)
        }
        guard let business = data.optionalString("businessType"), Self.ecBusinessTypes.contains(business) else {
            return ecReply(-1, "用码业务类型(businessType)错误", nil)
        }
        do {
            switch request.optionalString("transType") {
            case "ec.query": return try decode(data)
            case "cn.nhsa.ec.auth": return try openFaceAuth(data)
            case "cn.nhsa.auth.check": return try checkFaceAuth(data)
            default: return ecReply(-1, "交易类型(transType)不支持", nil)
            }
        } catch {
            return ecReply(-1, "电子凭证中台内部错误", nil)
        }
    }

    func ecReply(_ code: Int, _ message: String, _ data: Any?) -> Data {
        var a: [String: Any] = ["code": code, "message": message, "orgId": ""]
        a["data"] = data ?? NSNull()
        return (try? JSONSerialization.data(withJSONObject: a, options: [.sortedKeys])) ?? Data()
    }

    /// A new e-credential token for `person`, 38 characters as the platform writes them:
    /// a 6-digit province code, "ec", 30 lowercase letters and digits.
    func issueToken(for person: CorePerson, in db: Database) throws -> String {
        let n = try CoreLedger.next("ectoken", in: db)
        let tail = String(format: "%08llx", n) + UUID().uuidString.lowercased().filter { $0 != "-" }
        let token = String(person.insurance.insuplc_admdvs.prefix(2)) + "0000ec" + String(tail.prefix(30))
        try db.execute(sql: "INSERT INTO ec_token (token, psn_no, kind) VALUES (?, ?, '01')", arguments: [token, person.psn_no])
        return token
    }

    /// The holder as the platform describes them; what it does not know is null.
    func holder(_ p: CorePerson, token: String, authNo: String? = nil) -> [String: Any] {
        ["ecToken": token, "idNo": p.certno, "idType": "01", "userName": p.psn_name,
         "insuOrg": p.insurance.insuplc_admdvs, "ecIndexNo": String(format: "%032llX", UInt64(p.psn_no.suffix(12)) ?? 0),
         "gender": NSNull(), "birthday": NSNull(), "nationality": NSNull(), "email": NSNull(), "chnlId": NSNull(),
         "ecQrCode": NSNull(), "authNo": authNo.map { $0 as Any } ?? NSNull()]
    }

    func decode(_ data: JSONObject) throws -> Data {
        guard let code = data.optionalString("ecQrCode"), !code.isEmpty else { return ecReply(-1, "电子凭证二维码(ecQrCode)不能为空", nil) }
        if persons.contains(where: { $0.expiredQrCodes?.contains(code) == true }) {
            return ecReply(-1, "电子凭证二维码已过期，请刷新二维码后重试", nil)
        }
        guard let person = persons.first(where: { $0.qrCodes.contains(code) }) else {
            return ecReply(-1, "电子凭证二维码无效", nil)
        }
        return try ledger.db.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM used_code WHERE code = ?", arguments: [code]) == true {
                return ecReply(-1, "电子凭证二维码已使用，请刷新二维码后重试", nil)
            }
            try db.execute(sql: "INSERT INTO used_code (code, used_at) VALUES (?, ?)", arguments: [code, time(clock())])
            return ecReply(0, "交易成功", holder(person, token: try issueToken(for: person, in: db)))
        }
    }

    /// cn.nhsa.ec.auth: the face terminal's result (in extData) opens a confirmation.
    func openFaceAuth(_ data: JSONObject) throws -> Data {
        guard let outBizNo = data.optionalString("outBizNo"), !outBizNo.isEmpty, outBizNo.count <= 64 else {
            return ecReply(-1, "业务流水号(outBizNo)不能为空且不超过64位", nil)
        }
        let ext = data.optionalString("extData").flatMap { JSONObject(data: Data($0.utf8)) }
        let result = ext?.raw.values.compactMap { $0 as? String }.first { r in persons.contains { $0.faceTokens.contains(r) } }
        guard let result, let person = persons.first(where: { $0.faceTokens.contains(result) }) else {
            return ecReply(-1, "刷脸认证未通过", nil)
        }
        return try ledger.db.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM used_code WHERE code = ?", arguments: [result]) == true {
                return ecReply(-1, "刷脸结果已使用，请重新刷脸", nil)
            }
            try db.execute(sql: "INSERT INTO used_code (code, used_at) VALUES (?, ?)", arguments: [result, time(clock())])
            let authNo = "ano" + String(format: "%019lld", try CoreLedger.next("authno", in: db) + 3_728_680_187_894_374_400)
                + String(person.insurance.insuplc_admdvs.prefix(2)) + "0000"
            try db.execute(sql: "INSERT INTO face_auth (auth_no, psn_no, out_biz_no) VALUES (?, ?, ?)",
                           arguments: [authNo, person.psn_no, outBizNo])
            // As the recorded fixtures have it: data as a JSON-encoded string.
            let encoded = String(decoding: try JSONSerialization.data(withJSONObject: ["authNo": authNo]), as: UTF8.self)
            return ecReply(0, "", encoded)
        }
    }

    /// cn.nhsa.auth.check: the confirmed face's holder, once per authNo.
    func checkFaceAuth(_ data: JSONObject) throws -> Data {
        guard let authNo = data.optionalString("authNo"), !authNo.isEmpty else { return ecReply(-1, "实人认证业务流水号(authNo)不能为空", nil) }
        return try ledger.db.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT psn_no, checked FROM face_auth WHERE auth_no = ?", arguments: [authNo]),
                  let person = persons.first(where: { $0.psn_no == row["psn_no"] as String }) else {
                return ecReply(-1, "实人认证业务流水号(authNo)无效", nil)
            }
            guard row["checked"] as Int == 0 else { return ecReply(-1, "实人认证业务流水号(authNo)已使用", nil) }
            try db.execute(sql: "UPDATE face_auth SET checked = 1 WHERE auth_no = ?", arguments: [authNo])
            return ecReply(0, "成功", holder(person, token: try issueToken(for: person, in: db), authNo: authNo))
        }
    }
}
