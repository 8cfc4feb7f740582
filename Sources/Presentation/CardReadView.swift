import CardReaders
import Foundation
import TerminalCore

/// A card read as the CLI and the local API show it: masked unless revealing is asked for.
/// The JSON keys are a public contract (clinic software reads them). When the personal file
/// stayed locked, the person's keys are null and `personalFileLocked` says why.
package struct CardReadView: Sendable, Codable, Hashable {
    package struct Reason: Sendable, Codable, Hashable {
        package let code: String
        package let message: String
    }

    package let reader: String
    package let virtualReader: Bool
    package let atr: String
    package let cardIdentifier: String
    package let issuingRegion: String
    package let cardType: String
    package let specVersion: String
    package let issueDate: String?
    package let expiryDate: String?
    package let cardNumber: String
    package let socialSecurityNumber: String?
    package let name: String?
    package let gender: String?
    package let nation: String?
    package let birthplace: String?
    package let birthDate: String?
    package let expired: Bool
    package let masked: Bool
    /// "open", "psam", "key-service" (how the protected records were opened) or "locked".
    package let access: String
    package let personalFileLocked: Bool
    package let lockedReason: Reason?

    package init(_ result: CardReadResult, reveal: Bool) {
        let card = result.card
        let holder = card.holder
        reader = result.reader
        virtualReader = ReaderNames.isVirtual(result.reader)
        atr = Hex.string(result.atr)
        cardIdentifier = reveal ? card.cardIdentifier : Masking.identifier(card.cardIdentifier)
        issuingRegion = card.issuingRegion
        cardType = card.cardType
        specVersion = card.specVersion
        issueDate = card.issueDate?.iso
        expiryDate = card.expiryDate?.iso
        cardNumber = reveal ? card.cardNumber : Masking.identifier(card.cardNumber)
        socialSecurityNumber = holder.map { reveal ? $0.socialSecurityNumber.value : $0.socialSecurityNumber.masked }
        name = holder.map { reveal ? $0.name : Masking.name($0.name) }
        gender = holder?.gender
        nation = holder?.nation
        birthplace = holder?.birthplace
        birthDate = holder.map { reveal ? $0.birthDate.iso : Masking.date($0.birthDate) }
        expired = result.expired
        masked = !reveal
        access = card.access.name
        if case .locked(let error) = card.access {
            lockedReason = Reason(code: error.code, message: error.message)
        } else {
            lockedReason = nil
        }
        personalFileLocked = holder == nil
    }

    private enum CodingKeys: String, CodingKey {
        case reader, virtualReader, atr, cardIdentifier, issuingRegion, cardType, specVersion, issueDate, expiryDate
        case cardNumber, socialSecurityNumber, name, gender, nation, birthplace, birthDate, expired, masked, access
        case personalFileLocked, lockedReason
    }

    /// Every key is written, null where a value is unknown (a locked file), so that clinic
    /// software finds the same keys on every card.
    package func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(reader, forKey: .reader)
        try c.encode(virtualReader, forKey: .virtualReader)
        try c.encode(atr, forKey: .atr)
        try c.encode(cardIdentifier, forKey: .cardIdentifier)
        try c.encode(issuingRegion, forKey: .issuingRegion)
        try c.encode(cardType, forKey: .cardType)
        try c.encode(specVersion, forKey: .specVersion)
        try c.encode(issueDate, forKey: .issueDate)
        try c.encode(expiryDate, forKey: .expiryDate)
        try c.encode(cardNumber, forKey: .cardNumber)
        try c.encode(socialSecurityNumber, forKey: .socialSecurityNumber)
        try c.encode(name, forKey: .name)
        try c.encode(gender, forKey: .gender)
        try c.encode(nation, forKey: .nation)
        try c.encode(birthplace, forKey: .birthplace)
        try c.encode(birthDate, forKey: .birthDate)
        try c.encode(expired, forKey: .expired)
        try c.encode(masked, forKey: .masked)
        try c.encode(access, forKey: .access)
        try c.encode(personalFileLocked, forKey: .personalFileLocked)
        try c.encode(lockedReason, forKey: .lockedReason)
    }

    /// Terminal columns: CJK characters take two.
    static func columns(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) }
    }

    /// Aligned lines for a terminal.
    package var text: String {
        let genderText = switch gender {
        case "1": "男 male"
        case "2": "女 female"
        case nil: "-"
        default: "unknown"
        }
        let lockedText = "(locked)"
        var rows: [(String, String)] = [
            ("Reader", reader + (virtualReader ? "  (virtual reader: simulator only)" : "")),
            ("Name 姓名", name ?? lockedText),
            ("ID number 社会保障号码", socialSecurityNumber ?? lockedText),
            ("Gender 性别", gender.map { "\(genderText) (\($0))" } ?? lockedText),
            ("Birth date 出生日期", birthDate ?? lockedText),
            ("Nation 民族", personalFileLocked ? lockedText : nation ?? "-"),
            ("Birthplace 出生地", personalFileLocked ? lockedText : birthplace ?? "-"),
            ("Card number 卡号", cardNumber),
            ("Card identifier 卡识别码", cardIdentifier),
            ("Issuing region", issuingRegion),
            ("Card type / spec", "\(cardType) / \(specVersion)"),
            ("Issued 发卡日期", issueDate ?? lockedText),
            ("Expires 有效期", (expiryDate ?? lockedText) + (expired ? "  EXPIRED 已过期" : "")),
            ("Authentication", access == "locked" ? "none: personal file locked" : access == "open" ? "not needed" : "RKSSSE by \(access)"),
            ("ATR", atr),
        ]
        if masked { rows.append(("", "(personal data masked; --reveal shows it)")) }
        let width = rows.map { Self.columns($0.0) }.max() ?? 0
        var out = rows.map { label, value in
            label + String(repeating: " ", count: width - Self.columns(label) + 2) + value
        }.joined(separator: "\n")
        if expired, let expiryDate {
            out += "\n\nThis card expired on \(expiryDate). It was read, but the patient should renew it at the social-security office."
        }
        if personalFileLocked {
            out += "\n\nThe personal file (EF06) of this card needs PSAM or key-service authentication (RKSSSE)"
            if let lockedReason { out += ": \(lockedReason.message) [\(lockedReason.code)]" }
            out += "\nThe card number and card identifier still check the patient in: the core names the person."
        }
        return out
    }
}
