import CardReaders

/// A 3.0 card's security as the card specification describes it: GET CHALLENGE, INTERNAL
/// AUTHENTICATE with the card's IRK (`00 88 00 00 10 <过程因子 ‖ 原始信息>`), EXTERNAL
/// AUTHENTICATE with RKSSSE (`00 82 00 0A 10 <鉴别数据 ‖ 原始信息>`, the session key from the
/// card's own last challenge), and the records RKSSSE locks (issue and expiry dates, EF06).
extension VirtualSocialSecurityCard {
    /// The algorithm the card announces and its keys use: `rkssse`, else DES.
    var algorithm: String { holder.rkssse ?? "01" }

    /// SELECT SSSE's answer: the FCI (6F: 84 DF name, A5: 9F0C with template 86 = algorithm)
    /// on a 3.0 card, nothing on older ones.
    var fci: [UInt8] {
        guard let algorithm = holder.rkssse, let code = UInt8(algorithm, radix: 16) else { return [] }
        let name = profile.application.aidBytes
        let proprietary: [UInt8] = [0x88, 0x01, 0x1E, 0x9F, 0x0C, 0x03, 0x86, 0x01, code]
        let body = [0x84, UInt8(name.count)] + name + [0xA5, UInt8(proprietary.count)] + proprietary
        return [0x6F, UInt8(body.count)] + body
    }

    func isLocked(file: String, record: UInt8?) -> Bool {
        guard holder.rkssse != nil, !externallyAuthenticated else { return false }
        if file == "EF06" { return true }
        guard let record, let key = profile.elements.first(where: { $0.file == file && $0.record == record })?.key else {
            return false
        }
        return key == "issueDate" || key == "expiryDate"
    }

    mutating func getChallenge(_ command: Command) -> [UInt8] {
        let length = command.le.map { $0 == 0 ? 256 : $0 } ?? 8
        guard [4, 8, 16].contains(length) else { return Self.sw(0x6700) }
        let random = (0..<length).map { _ in UInt8.random(in: 0...255) }
        challenges = Array((challenges + [random]).suffix(2))
        return random + Self.sw(0x9000)
    }

    mutating func internalAuthenticate(_ command: Command) -> [UInt8] {
        guard command.data.count == 16 || command.data.count == 17 else { return Self.sw(0x6700) }
        guard command.p2 == 0x00, let key = cardKey(.irk) else { return Self.sw(0x6A88) }
        let session = IssuerKeys.sessionKey(key, algorithm: algorithm, random: Array(command.data[0..<8]))
        return IssuerKeys.authentication(session, algorithm: algorithm, data: Array(command.data[8..<16])) + Self.sw(0x9000)
    }

    mutating func externalAuthenticate(_ command: Command) -> [UInt8] {
        guard command.data.count == 16 || command.data.count == 17 else { return Self.sw(0x6700) }
        guard command.p2 == 0x0A, holder.rkssse != nil, let key = cardKey(.rkssse) else { return Self.sw(0x6A88) }
        guard externalTriesLeft > 0 else { return Self.sw(0x6983) }
        // The session key comes from the card's own last challenge; the data's second half is
        // the challenge before it. Either way a challenge is used once.
        guard challenges.count == 2, challenges[1].count == 8, Array(command.data[8..<16]) == challenges[0] else {
            challenges = []
            return Self.sw(0x6984)
        }
        let session = IssuerKeys.sessionKey(key, algorithm: algorithm, random: challenges[1])
        challenges = []
        guard IssuerKeys.authentication(session, algorithm: algorithm, data: Array(command.data[8..<16]))
                == Array(command.data[0..<8]) else {
            externalTriesLeft -= 1
            return [0x63, 0xC0 | UInt8(externalTriesLeft)]
        }
        externalTriesLeft = 3
        externallyAuthenticated = true
        return Self.sw(0x9000)
    }

    /// The card's own key: the issuer's master diversified by the region and the ATR.
    func cardKey(_ key: IssuerKeys.Key) -> [UInt8]? {
        guard let master = IssuerKeys.master(key, algorithm: algorithm),
              let identifier = holder.elements["cardIdentifier"], identifier.count >= 6 else { return nil }
        let factors = IssuerKeys.factors(historicalBytes: Self.historicalBytes(atr), region: String(identifier.prefix(6)))
        return IssuerKeys.cardKey(master, algorithm: algorithm, factors: factors)
    }

    /// ISO 7816-3: T0's low nibble counts the historical bytes, which follow the interface
    /// bytes; a TCK ends the ATR when any protocol other than T=0 is offered.
    static func historicalBytes(_ atr: [UInt8]) -> [UInt8] {
        guard atr.count >= 2 else { return [] }
        let count = Int(atr[1] & 0x0F)
        var index = 1, y = atr[1] >> 4, tck = false
        while true {
            let present = [y & 1, y & 2, y & 4].filter { $0 != 0 }.count
            let td = y & 8 != 0
            index += present + (td ? 1 : 0)
            guard td, index < atr.count else { break }
            if atr[index] & 0x0F != 0 { tck = true }
            y = atr[index] >> 4
        }
        let start = index + 1
        let end = min(atr.count - (tck ? 1 : 0), start + count)
        return start < end ? Array(atr[start..<end]) : []
    }

    /// The name's GBK bytes in tag 09 (30 bytes) and, when longer, tag 4E (20 bytes); a card
    /// without 4E keeps only what fits in 09.
    static func nameRecords(_ holder: CardholderProfile, profile: SSSEProfile) throws -> [String: [UInt8]] {
        guard let name = holder.elements["name"], let first = profile.element("name"),
              let extensionElement = profile.element("nameExtension") else { return [:] }
        guard let bytes = GBK.encode(name) else {
            throw BuildError(description: "name \"\(name)\": has characters GB18030 cannot hold")
        }
        let pad: UInt8 = holder.namePadding == "space" ? 0x20 : 0x00
        func padded(_ b: [UInt8], _ length: Int) -> [UInt8] { b + [UInt8](repeating: pad, count: max(0, length - b.count)) }
        let head = Array(bytes.prefix(first.length))
        let rest = Array(bytes.dropFirst(first.length))
        guard rest.count <= extensionElement.length else {
            throw BuildError(description: "name \"\(name)\": longer than \(first.length + extensionElement.length) bytes")
        }
        var parts = ["name": padded(head, first.length)]
        if holder.noNameExtension != true {
            parts["nameExtension"] = padded(rest, extensionElement.length)
        }
        return parts
    }
}
