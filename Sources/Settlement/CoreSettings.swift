/// What the settlement client needs from the configuration (`[institution]`, `[terminal]`,
/// `[core]`, `[storage]` in cuntong.toml).
public struct CoreSettings: Sendable, Equatable {
    /// fixmedins_code: 12 characters.
    public var institutionCode: String
    public var institutionName: String
    /// mdtrtarea_admvs: the clinic's 6-digit admin division.
    public var adminDivision: String
    /// dev_no.
    public var deviceNumber: String
    /// opter / opter_name.
    public var operatorCode: String
    public var operatorName: String
    /// The core's base URL; messages go to `{url}/fsi/api/rsfComIfsService/callService`.
    public var url: String
    public var timeoutMilliseconds: Int
    public var connectTimeoutMilliseconds: Int
    /// PEM file of the CA that signed the core's certificate; nil = the system's trust store.
    public var caFile: String?
    /// recer_sys_code and infver, as the core expects them.
    public var receiverSystemCode: String
    public var interfaceVersion: String
    /// Where the journal lives.
    public var stateDirectory: String

    public init(institutionCode: String, institutionName: String, adminDivision: String,
                deviceNumber: String, operatorCode: String, operatorName: String, url: String,
                timeoutMilliseconds: Int = 5000, connectTimeoutMilliseconds: Int? = nil,
                caFile: String? = nil, receiverSystemCode: String = "FSI", interfaceVersion: String = "V1.0",
                stateDirectory: String) {
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
        self.receiverSystemCode = receiverSystemCode
        self.interfaceVersion = interfaceVersion
        self.stateDirectory = stateDirectory
    }

    /// Checks what would otherwise fail at the core with a less helpful message.
    public func validated() throws(SettlementError) -> CoreSettings {
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
        return self
    }
}
