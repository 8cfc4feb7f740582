/// A social-security PSAM as part 9 of the card specification (PSAM卡应用技术要求)
/// describes it, for the second vpcd slot: key environments selected by DF name or file id,
/// DELIVERY SESSION KEY (`BF DE <usage> <key id> Lc <factors ‖ session factor>`), CIPHER
/// DATA (`80 FA 00 00 Lc <data>`, answered `61xx` for GET RESPONSE as a T=0 PSAM does).
///
/// Environments: DES in DDF `sx1.sh.社会保障` (3F00) → ADF D15600000590 (DF01), as part 9 §5
/// names them. No public source names the SM4 environment: this PSAM puts it in DDF
/// `sx3.sh.社会保障` (DDF3) → ADF D15600000590, the simulator's own choice, which a terminal
/// reaches only through `[card] psam_environments`.
package struct VirtualPSAM: VirtualCard {
    package static let defaultATR: [UInt8] = [0x3B, 0x8C, 0x80, 0x01] + Array("CUNTONG-PSAM".utf8) + [0x65]
    static let sx1: [UInt8] = [0x73, 0x78, 0x31, 0x2E, 0x73, 0x68, 0x2E, 0xC9, 0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF]
    static let sx3: [UInt8] = [0x73, 0x78, 0x33, 0x2E, 0x73, 0x68, 0x2E, 0xC9, 0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF]
    static let adf: [UInt8] = [0xD1, 0x56, 0x00, 0x00, 0x05, 0x90]
    /// Key ids in the PSAM: the user card's IRK (08) and RKSSSE (0A), both national roots of
    /// three diversification levels (usage 67).
    static let keyIDs: [UInt8: IssuerKeys.Key] = [0x08: .irk, 0x0A: .rkssse]
    static let levels = 3

    package let atr: [UInt8]
    private var environment: String?
    private var inApplication = false
    private var sessionKey: [UInt8]?
    private var pending: [UInt8]?

    package init(atr: [UInt8] = VirtualPSAM.defaultATR) {
        self.atr = atr
    }

    package mutating func reset() {
        environment = nil
        inApplication = false
        sessionKey = nil
        pending = nil
    }

    package mutating func handle(_ apdu: [UInt8]) -> VirtualCardReply {
        .respond(answer(apdu))
    }

    private mutating func answer(_ apdu: [UInt8]) -> [UInt8] {
        guard let c = VirtualSocialSecurityCard.parse(apdu) else { return sw(0x6700) }
        if c.ins != 0xC0 { pending = nil }
        switch (c.cla, c.ins) {
        case (0x00, 0xA4): return select(c)
        case (0xBF, 0xDE): return deliverSessionKey(c)
        case (0x80, 0xFA): return cipher(c)
        case (0x00, 0xC0):
            guard let data = pending else { return sw(0x6985) }
            pending = nil
            return data + sw(0x9000)
        case (0x00, _), (0x80, _), (0xBF, _): return sw(0x6D00)
        default: return sw(0x6E00)
        }
    }

    private mutating func select(_ c: VirtualSocialSecurityCard.Command) -> [UInt8] {
        switch (c.p1, c.data) {
        case (0x04, Self.sx1), (0x00, [0x3F, 0x00]): environment = "01"; inApplication = false
        case (0x04, Self.sx3), (0x00, [0xDD, 0xF3]): environment = "03"; inApplication = false
        case (0x04, Self.adf), (0x00, [0xDF, 0x01]), (0x02, [0xDF, 0x01]):
            guard environment != nil else { return sw(0x6A82) }
            inApplication = true
        default: return sw(0x6A82)
        }
        sessionKey = nil
        return sw(0x9000)
    }

    private mutating func deliverSessionKey(_ c: VirtualSocialSecurityCard.Command) -> [UInt8] {
        sessionKey = nil
        guard let algorithm = environment, inApplication else { return sw(0x6985) }
        guard c.p1 & 0x1F == 0x07, let key = Self.keyIDs[c.p2],
              let master = IssuerKeys.master(key, algorithm: algorithm) else { return sw(0x6A88) }
        guard Int(c.p1 >> 5) == Self.levels else { return sw(0x6A80) }
        let sessionLength = algorithm == "03" ? 16 : 8
        guard c.data.count == 8 * Self.levels + sessionLength else { return sw(0x6700) }
        let factors = stride(from: 0, to: 8 * Self.levels, by: 8).map { Array(c.data[$0..<($0 + 8)]) }
        let cardKey = IssuerKeys.cardKey(master, algorithm: algorithm, factors: factors)
        let random = Array(c.data[(8 * Self.levels)...])
        sessionKey = algorithm == "03"
            ? IssuerKeys.encrypt(cardKey, algorithm: "03", random)
            : IssuerKeys.sessionKey(cardKey, algorithm: "01", random: random)
        return sw(0x9000)
    }

    private mutating func cipher(_ c: VirtualSocialSecurityCard.Command) -> [UInt8] {
        guard let algorithm = environment, let key = sessionKey else { return sw(0x6901) }
        guard c.p1 == 0x00, c.p2 == 0x00 else { return sw(0x6A86) }
        let block = algorithm == "03" ? 16 : 8
        guard !c.data.isEmpty, c.data.count % block == 0 else { return sw(0x6700) }
        let out = IssuerKeys.encrypt(algorithm == "03" ? key : key + key, algorithm: algorithm, c.data)
        pending = out
        return [0x61, UInt8(out.count)]
    }

    private func sw(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }
}
