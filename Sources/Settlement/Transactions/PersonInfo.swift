import Foundation
import TerminalCore

// 1101 人员信息获取.

package struct PersonInfoInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        /// 01 e-credential token, 02 ID number, 03 social-security card.
        package var mdtrt_cert_type: String
        package var mdtrt_cert_no: String
        /// The card identifier (卡识别码), for a social-security card.
        package var card_sn: String
        package var begntime: String
        /// 01 = resident identity card.
        package var psn_cert_type: String
        package var certno: String
        package var psn_name: String
    }
    package var data: Body
}

/// 1101's answer: only what cuntong uses is read; everything else a core sends is ignored.
package struct PersonInfoOutput: Decodable, Sendable {
    package struct BaseInfo: Decodable, Sendable {
        package var psn_no: String
        package var psn_cert_type: String?
        package var certno: String
        package var psn_name: String
        package var gend: String?
        package var brdy: String?
        /// 家庭共济: relatives' personal accounts may pay, as the extension field says
        /// (`exp_content` in the spec's tables, `expContent` in some cores' answers).
        package var familyAccountSharing: Bool

        package init(from decoder: any Decoder) throws {
            let f = try WireFields(decoder)
            psn_no = try f.text("psn_no")
            psn_cert_type = f.optionalText("psn_cert_type")
            certno = try f.text("certno")
            psn_name = try f.text("psn_name")
            gend = f.optionalText("gend")
            brdy = f.optionalText("brdy")
            familyAccountSharing = (ExpContent.read(f, "exp_content") ?? ExpContent.read(f, "expContent"))?
                .fam_acct_shar_flag == "1"
        }
    }
    package struct InsuInfo: Decodable, Sendable {
        /// Personal-account balance; some cores leave it out for residents (no account).
        package var balc: Money
        package var insutype: String
        package var psn_type: String?
        /// 1 正常参保, 2 暂停参保, 4 终止参保.
        package var psn_insu_stas: String?
        /// Nil when the core leaves it out; the e-credential platform's `insuOrg` stands in.
        package var insuplc_admdvs: String?

        package init(from decoder: any Decoder) throws {
            let f = try WireFields(decoder)
            balc = try f.optionalMoney("balc") ?? .zero
            insutype = try f.text("insutype")
            psn_type = f.optionalText("psn_type")
            psn_insu_stas = f.optionalText("psn_insu_stas")
            insuplc_admdvs = f.optionalText("insuplc_admdvs")
        }
    }
    package struct IdetInfo: Decodable, Sendable {
        package var psn_idet_type: String
        package var psn_type_lv: String?
        package var memo: String?

        package init(from decoder: any Decoder) throws {
            let f = try WireFields(decoder)
            psn_idet_type = try f.text("psn_idet_type")
            psn_type_lv = f.optionalText("psn_type_lv")
            memo = f.optionalText("memo")
        }
    }
    package var baseinfo: BaseInfo
    package var insuinfo: [InsuInfo]
    package var idetinfo: [IdetInfo]

    package init(from decoder: any Decoder) throws {
        let f = try WireFields(decoder)
        baseinfo = try f.object("baseinfo")
        insuinfo = try f.list("insuinfo")
        idetinfo = try f.list("idetinfo")
    }
}

/// The extension field of 1101's baseinfo: a JSON object in some answers, a JSON-encoded
/// string in others. Unreadable content means no flags (it only ever grants more).
struct ExpContent: Decodable {
    var fam_acct_shar_flag: String?

    init(from decoder: any Decoder) throws {
        fam_acct_shar_flag = try WireFields(decoder).optionalText("fam_acct_shar_flag")
    }

    static func read(_ f: WireFields, _ name: String) -> ExpContent? {
        if let text = f.optionalText(name) {
            return try? WireJSON.decode(ExpContent.self, from: Data(text.utf8))
        }
        return try? f.optionalObject(name, ExpContent.self)
    }
}

/// How a credential is named to the core in 1101 and settlement (`mdtrt_cert_type`).
package enum CertificateType: String, Sendable, Codable {
    case ecToken = "01"
    case idNumber = "02"
    case socialSecurityCard = "03"
}

/// What 1101 and 2201/2206/2207 quote as the patient's credential.
package struct Certificate: Sendable, Hashable, Codable {
    package var type: CertificateType
    package var number: String
    package var cardSN: String

    package init(type: CertificateType, number: String, cardSN: String = "") {
        self.type = type
        self.number = number
        self.cardSN = cardSN
    }
}

package enum InsuranceTypes {
    /// The public code list for `insutype`, for people.
    package static func name(_ code: String) -> String {
        switch code {
        case "310": "职工基本医疗保险"
        case "320": "公务员医疗补助"
        case "330": "大额医疗费用补助"
        case "340": "离休人员医疗保障"
        case "390": "城乡居民基本医疗保险"
        case "392": "城乡居民大病医疗保险"
        case "510": "生育保险"
        default: code
        }
    }
}

extension PersonInfoOutput {
    /// The identity as the terminal shows it. `clinicRegion` marks cross-region patients;
    /// `fallbackRegion` (the platform's `insuOrg`) is the insurance division where 1101 gives none.
    package func identity(clinicRegion: String, fallbackRegion: String? = nil) -> Identity {
        let sharing = baseinfo.familyAccountSharing
        return Identity(
            psnNo: baseinfo.psn_no, name: baseinfo.psn_name, idNumber: baseinfo.certno,
            idType: baseinfo.psn_cert_type ?? "01", gender: baseinfo.gend ?? "", birthDate: baseinfo.brdy ?? "",
            insurances: insuinfo.map {
                let region = $0.insuplc_admdvs ?? fallbackRegion ?? ""
                return Identity.Insurance(
                    type: $0.insutype, typeName: InsuranceTypes.name($0.insutype), region: region,
                    balance: $0.balc, personType: $0.psn_type ?? "", status: $0.psn_insu_stas ?? "1",
                    // Divisions agree on the prefecture (first four digits) within a city.
                    crossRegion: !region.isEmpty && region.prefix(4) != clinicRegion.prefix(4))
            },
            identities: idetinfo.map {
                Identity.SpecialIdentity(type: $0.psn_idet_type, level: $0.psn_type_lv ?? "", memo: $0.memo ?? "")
            },
            familyAccountSharing: sharing)
    }
}
