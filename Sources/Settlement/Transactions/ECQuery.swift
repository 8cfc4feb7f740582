import Foundation

// The e-credential platform (电子凭证中台) on `[core] ec_url`: one envelope
// `{"orgId", "transType", "data"}` for the QR decode (`ec.query`) and the face
// confirmation (`cn.nhsa.ec.auth`, `cn.nhsa.auth.check`). Field names are the platform's
// (camelCase). Sources: newtouch-cloud/openhis Models/Input/NationECCodeDll (EcQueryInput,
// EcAuthInput, AuthCheckInput), fengzaiqishi11/hsa-his DzpzOutptBOImpl.java and
// Constant.java (businessType), docs/national-platform.md.

/// 用码业务类型 (businessType).
package enum ECBusiness: String, Sendable {
    /// 门诊挂号: at check-in.
    case registration = "01101"
    /// 门诊结算: at payment.
    case settlement = "01301"
}

package struct ECRequest<Body: Encodable & Sendable>: Encodable, Sendable {
    package var orgId: String
    package var transType: String
    package var data: Body
}

/// `ec.query`: the scanned code, decoded by the platform that issued it.
package struct ECQueryBody: Encodable, Sendable {
    package var orgId: String
    package var businessType: String
    package var operatorId: String
    package var operatorName: String
    package var officeId: String
    package var officeName: String
    /// "SelfService" on a self-service kiosk, empty otherwise.
    package var deviceType: String
    /// The code as scanned. The decode's public callers leave reading the code to the
    /// vendor library; `ecQrCode` is the name the platform's neighbouring interfaces use.
    package var ecQrCode: String
}

/// The face confirmation's two calls: `cn.nhsa.ec.auth` opens it (the face terminal's
/// result in `extData`) and is answered with `authNo`; `cn.nhsa.auth.check` sends that
/// `authNo` and is answered with the holder.
package struct ECFaceBody: Encodable, Sendable {
    package var orgId: String
    /// This institution's own serial for the request, unique, at most 64 characters.
    package var outBizNo: String
    package var businessType: String
    package var operatorId: String
    package var operatorName: String
    package var officeId: String
    package var officeName: String
    /// cn.nhsa.ec.auth: 扩展参数 (a JSON object as text) carrying the face terminal's result.
    package var extData: String?
    /// cn.nhsa.auth.check: the confirmation to look up.
    package var authNo: String?
}

/// The platform's answer: `code` 0 on success (a number, or its text), `message`, and
/// `data` as an object or as a JSON-encoded string.
package struct ECAnswer<Body: Decodable & Sendable>: Decodable, Sendable {
    package var code: Int
    package var message: String?
    package var data: Body?

    package init(from decoder: any Decoder) throws {
        let f = try WireFields(decoder)
        let text = try f.text("code")
        guard let n = Int(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [FieldKey("code")], debugDescription: "code is not a number"))
        }
        code = n
        message = f.optionalText("message")
        if let encoded = f.optionalText("data") {
            data = try? WireJSON.decode(Body.self, from: Data(encoded.utf8))
        } else {
            data = try? f.optionalObject("data", Body.self)
        }
    }
}

/// Who the platform says holds the code or the face: `ec.query`'s and
/// `cn.nhsa.auth.check`'s data. Only `idNo` (and, for a code, `ecToken`) is required;
/// `null`, `""` and the text "null" are all absent.
package struct ECHolder: Decodable, Sendable {
    package var ecToken: String?
    package var idNo: String
    /// 证件类型 (01 = resident identity card).
    package var idType: String?
    package var userName: String?
    /// 参保地区编码: the holder's insurance division.
    package var insuOrg: String?
    package var ecIndexNo: String?
    package var authNo: String?

    package init(from decoder: any Decoder) throws {
        let f = try WireFields(decoder)
        func text(_ name: String) -> String? { f.optionalText(name).flatMap { $0 == "null" ? nil : $0 } }
        guard let id = text("idNo") else { throw DecodingError.keyNotFound(FieldKey("idNo"), .init(codingPath: [], debugDescription: "idNo")) }
        idNo = id
        ecToken = text("ecToken")
        idType = text("idType")
        userName = text("userName")
        insuOrg = text("insuOrg")
        ecIndexNo = text("ecIndexNo")
        authNo = text("authNo")
    }
}

/// `cn.nhsa.ec.auth`'s data.
package struct ECAuthResult: Decodable, Sendable {
    package var authNo: String

    package init(from decoder: any Decoder) throws {
        authNo = try WireFields(decoder).text("authNo")
    }
}
