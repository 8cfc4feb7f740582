import Foundation
import CardReaders
import TerminalCore

/// A card read as the CLI and the local API show it: masked unless revealing is asked for.
/// The JSON keys are a public contract (clinic software reads them).
public struct CardReadView: Sendable, Codable, Hashable {
    public let reader: String
    public let virtualReader: Bool
    public let atr: String
    public let cardIdentifier: String
    public let issuingRegion: String
    public let cardType: String
    public let specVersion: String
    public let issueDate: String
    public let expiryDate: String
    public let cardNumber: String
    public let socialSecurityNumber: String
    public let name: String
    public let gender: String
    public let nation: String?
    public let birthDate: String
    public let expired: Bool
    public let masked: Bool

    public init(_ result: CardReadResult, reveal: Bool) {
        let card = result.card
        reader = result.reader
        virtualReader = ReaderNames.isVirtual(result.reader)
        atr = Hex.string(result.atr)
        cardIdentifier = reveal ? card.cardIdentifier : Masking.identifier(card.cardIdentifier)
        issuingRegion = card.issuingRegion
        cardType = card.cardType
        specVersion = card.specVersion
        issueDate = card.issueDate.iso
        expiryDate = card.expiryDate.iso
        cardNumber = reveal ? card.cardNumber : Masking.identifier(card.cardNumber)
        socialSecurityNumber = reveal ? card.socialSecurityNumber.value : card.socialSecurityNumber.masked
        name = reveal ? card.name : Masking.name(card.name)
        gender = card.gender
        nation = card.nation
        birthDate = reveal ? card.birthDate.iso : Masking.date(card.birthDate)
        expired = result.expired
        masked = !reveal
    }

    /// Terminal columns: CJK characters take two.
    static func columns(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) }
    }

    /// Aligned lines for a terminal.
    public var text: String {
        let genderText = switch gender {
        case "1": "男 male"
        case "2": "女 female"
        default: "unknown"
        }
        var rows: [(String, String)] = [
            ("Reader", reader + (virtualReader ? "  (virtual reader: simulator only)" : "")),
            ("Name 姓名", name),
            ("ID number 社会保障号码", socialSecurityNumber),
            ("Gender 性别", "\(genderText) (\(gender))"),
            ("Birth date 出生日期", birthDate),
            ("Nation 民族", nation ?? "-"),
            ("Card number 卡号", cardNumber),
            ("Card identifier 卡识别码", cardIdentifier),
            ("Issuing region", issuingRegion),
            ("Card type / spec", "\(cardType) / \(specVersion)"),
            ("Issued 发卡日期", issueDate),
            ("Expires 有效期", expiryDate + (expired ? "  EXPIRED 已过期" : "")),
            ("ATR", atr),
        ]
        if masked { rows.append(("", "(personal data masked; --reveal shows it)")) }
        let width = rows.map { Self.columns($0.0) }.max() ?? 0
        var out = rows.map { label, value in
            label + String(repeating: " ", count: width - Self.columns(label) + 2) + value
        }.joined(separator: "\n")
        if expired {
            out += "\n\nThis card expired on \(expiryDate). It was read, but the patient should renew it at the social-security office."
        }
        return out
    }
}
