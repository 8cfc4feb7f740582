/// What the settlement client needs from the configuration (`[institution]`, `[terminal]`,
/// `[core]`, `[storage]` in cuntong.toml).
package struct CoreSettings: Sendable, Equatable {
    /// fixmedins_code: 12 characters.
    package var institutionCode: String
    package var institutionName: String
    /// mdtrtarea_admvs: the clinic's 6-digit admin division.
    package var adminDivision: String
    /// dev_no.
    package var deviceNumber: String
    /// opter / opter_name.
    package var operatorCode: String
    package var operatorName: String
    /// The core's base URL; messages go to `{url}/fsi/api/rsfComIfsService/callService`.
    package var url: String
    package var timeoutMilliseconds: Int
    package var connectTimeoutMilliseconds: Int
    /// PEM file of the CA that signed the core's certificate; nil = the system's trust store.
    package var caFile: String?
    /// How this province's core carries the messages (`[core] profile`), with
    /// `[core] recer_sys_code` and `[core] infver` already applied over it.
    package var profile: CoreProfile
    /// Gateway secrets from `[core] credentials_file`, for profiles whose gateway signs.
    package var credentials: GatewayCredentials?
    /// `[core] ec_url`: the e-credential decode's full URL; nil = the profile's path under `url`.
    package var ecURL: String?
    /// `[terminal] msgid_slot` (0–9): the first digit of each msgid's 4-digit sequence, so
    /// that the terminals of one institution never write the same msgid in the same second.
    package var msgidSlot: Int
    /// `[credentials]`: how codes and faces are resolved by the e-credential platform.
    package var codes: CodeSettings

    package struct CodeSettings: Sendable, Equatable {
        /// 医保科室编号 / 科室名称 sent with ec.query (`[credentials] office_id`, `office_name`).
        package var officeId: String
        package var officeName: String
        /// `[credentials] device_type`: "SelfService" on a self-service kiosk, else empty.
        package var deviceType: String
        /// How 电子社保卡 codes are resolved (`[credentials] essc_decoder`).
        package var esscDecoder: ESSCDecoder
        /// The key under which the face terminal's result goes in cn.nhsa.ec.auth's extData
        /// (`[credentials] face_result_key`): no public source names the field.
        package var faceResultKey: String

        package enum ESSCDecoder: String, Sendable, Equatable {
            /// The e-credential platform's decode, as for a 医保码 (no public 电子社保卡 decode
            /// on the national platform is known).
            case ecQuery = "ec.query"
            /// Refused at the terminal: the patient shows the 医保码 or the card instead.
            case refuse
        }

        package init(officeId: String = "", officeName: String = "", deviceType: String = "",
                    esscDecoder: ESSCDecoder = .ecQuery, faceResultKey: String = "faceAuthCode") {
            self.officeId = officeId
            self.officeName = officeName
            self.deviceType = deviceType
            self.esscDecoder = esscDecoder
            self.faceResultKey = faceResultKey
        }
    }
    /// Where the journal lives.
    package var stateDirectory: String

    package init(institutionCode: String, institutionName: String, adminDivision: String,
                deviceNumber: String, operatorCode: String, operatorName: String, url: String,
                timeoutMilliseconds: Int = 5000, connectTimeoutMilliseconds: Int? = nil,
                caFile: String? = nil, profile: CoreProfile = .national, credentials: GatewayCredentials? = nil,
                ecURL: String? = nil, msgidSlot: Int = 0, codes: CodeSettings = .init(), stateDirectory: String) {
        self.institutionCode = institutionCode
        self.institutionName = institutionName
        self.adminDivision = adminDivision
        self.deviceNumber = deviceNumber
        self.operatorCode = operatorCode
        self.operatorName = operatorName
        self.url = url
        self.timeoutMilliseconds = timeoutMilliseconds
        self.connectTimeoutMilliseconds = connectTimeoutMilliseconds ?? min(timeoutMilliseconds, 3000)
        self.caFile = caFile
        self.profile = profile
        self.credentials = credentials
        self.ecURL = ecURL
        self.msgidSlot = msgidSlot
        self.codes = codes
        self.stateDirectory = stateDirectory
    }

    /// Checks what would otherwise fail at the core with a less helpful message.
    package func validated() throws(SettlementError) -> CoreSettings {
        guard institutionCode.count == 12, institutionCode.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .configuration("[institution] code must be the 12-character fixmedins_code, e.g. H36040200017")
        }
        guard adminDivision.count == 6, adminDivision.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .configuration("[institution] admdvs must be a 6-digit admin division, e.g. 360402")
        }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw .configuration("[core] url must start with http:// or https://")
        }
        guard timeoutMilliseconds > 0 else { throw .configuration("[core] timeout_ms must be more than 0") }
        guard (0...9).contains(msgidSlot) else {
            throw .configuration("[terminal] msgid_slot must be a digit 0–9, different on each terminal of the institution")
        }
        if profile.gateway != .none {
            guard let credentials, credentials.covers(profile.gateway) else {
                throw .configuration("the core profile \(profile.name) signs each message at the gateway (\(profile.gateway.rawValue)): set [core] credentials_file to the 0600 file holding its secrets")
            }
        }
        if profile.settlePasswordInCainfo {
            // One public source (a Hebei integration) RSA-encrypts the password with a key the
            // province issues; the plaintext and encoding are not in the public record.
            throw .configuration("the core profile \(profile.name) asks for the patient's password in cainfo for 2207, which this version cannot send: the public record does not say how the province seals it")
        }
        if let ecURL, !(ecURL.hasPrefix("http://") || ecURL.hasPrefix("https://")) {
            throw .configuration("[core] ec_url must start with http:// or https://")
        }
        return self
    }
}
