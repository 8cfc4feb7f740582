import TerminalCore

// 1101 人员信息获取.

public struct PersonInfoInput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        /// 01 e-credential token, 02 ID number, 03 social-security card, 05 face token.
        public var mdtrt_cert_type: String
        public var mdtrt_cert_no: String
        /// The card identifier (卡识别码), for a social-security card.
        public var card_sn: String
        public var begntime: String
        /// 01 = resident identity card.
        public var psn_cert_type: String
        public var certno: String
        public var psn_name: String
    }
    public var data: Body
}

public struct PersonInfoOutput: Codable, Sendable {
    public struct BaseInfo: Codable, Sendable {
        public var psn_no: String
        public var psn_cert_type: String
        public var certno: String
        public var psn_name: String
        public var gend: String
        public var naty: String?
        public var brdy: String
        public var age: Money?
        /// Extension field; this core writes `{"fam_acct_shar_flag":"1"}` when relatives'
        /// accounts may pay (家庭共济). Absent means no.
        public var expContent: String?
    }
    public struct InsuInfo: Codable, Sendable {
        public var balc: Money
        public var insutype: String
        public var psn_type: String
        public var psn_insu_stas: String
        public var psn_insu_date: String?
        public var paus_insu_date: String?
        public var cvlserv_flag: String
        public var insuplc_admdvs: String
        public var emp_name: String?
    }
    public struct IdetInfo: Codable, Sendable {
        public var psn_idet_type: String
        public var psn_type_lv: String?
        public var memo: String?
        public var begntime: String
        public var endtime: String?
    }
    public var baseinfo: BaseInfo
    public var insuinfo: [InsuInfo]
    public var idetinfo: [IdetInfo]
}

/// How a credential is named to the core in 1101 and settlement (`mdtrt_cert_type`).
public enum CertificateType: String, Sendable, Codable {
    case ecToken = "01"
    case idNumber = "02"
    case socialSecurityCard = "03"
    /// 终端扫脸: the face-auth token, resolved like an e-credential token.
    case faceToken = "05"
}

/// What 1101 and 2201/2206/2207 quote as the patient's credential.
public struct Certificate: Sendable, Hashable, Codable {
    public var type: CertificateType
    public var number: String
    public var cardSN: String

    public init(type: CertificateType, number: String, cardSN: String = "") {
        self.type = type
        self.number = number
        self.cardSN = cardSN
    }
}

public enum InsuranceTypes {
    /// The public code list for `insutype`, for people.
    public static func name(_ code: String) -> String {
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
    /// The identity as the terminal shows it. `clinicRegion` marks cross-region patients.
    public func identity(clinicRegion: String) -> Identity {
        let sharing = baseinfo.expContent.map { $0.contains("\"fam_acct_shar_flag\":\"1\"") } ?? false
        return Identity(
            psnNo: baseinfo.psn_no, name: baseinfo.psn_name, idNumber: baseinfo.certno,
            idType: baseinfo.psn_cert_type, gender: baseinfo.gend, birthDate: baseinfo.brdy,
            insurances: insuinfo.map {
                Identity.Insurance(
                    type: $0.insutype, typeName: InsuranceTypes.name($0.insutype), region: $0.insuplc_admdvs,
                    balance: $0.balc, personType: $0.psn_type, status: $0.psn_insu_stas,
                    // Divisions agree on the prefecture (first four digits) within a city.
                    crossRegion: $0.insuplc_admdvs.prefix(4) != clinicRegion.prefix(4))
            },
            identities: idetinfo.map {
                Identity.SpecialIdentity(type: $0.psn_idet_type, level: $0.psn_type_lv ?? "", memo: $0.memo ?? "")
            },
            familyAccountSharing: sharing)
    }
}
