// Resolving an e-credential QR code or a face-auth token into the e-credential token
// (ecToken) and the holder, through the e-credential service (`transType` "ec.query").
// Field names are the e-credential interface's (camelCase, unlike the 1101-style messages).

public struct ECQueryRequest: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var orgId: String
        /// 用码业务类型: 01101 挂号 (registration), 01301 结算.
        public var businessType: String
        public var operatorId: String
        public var operatorName: String
        public var officeId: String
        public var officeName: String
        /// The scanned code, or nil for a face token.
        public var qrCode: String?
        /// The face terminal's one-time token, or nil for a code.
        public var authCode: String?
        /// 设备准入: the scanning device's serial number.
        public var deviceSn: String
    }
    public var orgId: String
    public var transType: String
    public var data: Body
}

public struct ECQueryAnswer: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var ecToken: String
        public var idNo: String
        public var idType: String
        public var userName: String
        public var ecIndexNo: String
        public var insuOrg: String?
    }
    /// 0 = success.
    public var code: Int
    public var message: String?
    public var data: Body?
}
