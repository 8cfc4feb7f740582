/// What the terminal gathered from a 3.0 card for RKSSSE authentication: the fields of the
/// key-service procedure's first step (`iReadCardBas_HSM_Step1`, Sichuan's copy of the
/// national reader-interface specification §9.1.2), in its order. See
/// docs/social-security-card.md.
package struct RKSSSEChallenge: Sendable, Hashable {
    /// 发卡地区行政区划代码: the first six digits of the card identifier.
    package var regionCode: String
    /// The card's whole ATR; `historicalBytes` is what the procedure sends (卡复位信息).
    package var atr: [UInt8]
    /// 算法标识 from the SSSE FCI (9F0C, template 86): `01` DES, `02` SSF33, `03` SM4.
    package var algorithm: String
    /// 卡识别码, 16 bytes.
    package var cardIdentifier: [UInt8]
    /// Internal authentication: 过程因子 and 原始信息, two challenges the card gave.
    package var internalFactor: [UInt8]
    package var internalSource: [UInt8]
    /// External authentication (3.0 cards only): 过程因子 and 原始信息, two more challenges.
    package var externalFactor: [UInt8]?
    package var externalSource: [UInt8]?

    package init(regionCode: String, atr: [UInt8], algorithm: String, cardIdentifier: [UInt8],
                internalFactor: [UInt8], internalSource: [UInt8], externalFactor: [UInt8]?, externalSource: [UInt8]?) {
        self.regionCode = regionCode
        self.atr = atr
        self.algorithm = algorithm
        self.cardIdentifier = cardIdentifier
        self.internalFactor = internalFactor
        self.internalSource = internalSource
        self.externalFactor = externalFactor
        self.externalSource = externalSource
    }

    /// 卡复位信息 as the procedure sends it: the ATR's historical bytes (the whole ATR when
    /// it cannot be parsed).
    package var historicalBytes: [UInt8] {
        (try? ATR(atr))?.historicalBytes ?? atr
    }
}

/// What the key holder computed: the internal-authentication result the card must have
/// answered (鉴别数据), and the external-authentication cryptogram for the card.
package struct RKSSSEAnswer: Sendable, Hashable {
    package var internalResult: [UInt8]
    package var externalCryptogram: [UInt8]?

    package init(internalResult: [UInt8], externalCryptogram: [UInt8]?) {
        self.internalResult = internalResult
        self.externalCryptogram = externalCryptogram
    }
}

/// Who holds the RKSSSE keys: a PSAM in the reader's SAM slot, or the city's key service.
/// `[card] auth` chooses one; with `none` no holder exists and a locked personal file stays
/// locked (the card number still checks the patient in).
package protocol RKSSSEKeyHolder: Sendable {
    /// `psam` or `key-service`, as `[card] auth` names it.
    var provider: String { get }
    func answer(_ challenge: RKSSSEChallenge) async throws(CardReadError) -> RKSSSEAnswer
}
