import TerminalCore

/// Everything read from the SSSE application of one card. Only ever built complete:
/// a read that fails part-way throws instead.
public struct SocialSecurityCard: Sendable, Hashable {
    /// 卡识别码, 16 bytes as 32 hex digits. Goes to the core as `card_sn`.
    public let cardIdentifier: String
    /// The issuing region from the card identifier's first three BCD bytes, e.g. `360400`.
    public let issuingRegion: String
    public let cardType: String
    public let specVersion: String
    public let initializingInstitution: String?
    public let issueDate: CalendarDate
    public let expiryDate: CalendarDate
    /// 卡号, 9 characters.
    public let cardNumber: String
    public let socialSecurityNumber: NationalIDNumber
    public let name: String
    /// GB/T 2261.1: `1` male, `2` female (`0` unknown, `9` not stated).
    public let gender: String
    /// GB 3304 ethnic-group code, e.g. `01` 汉族.
    public let nation: String?
    public let birthDate: CalendarDate

    public init(cardIdentifier: String, issuingRegion: String, cardType: String, specVersion: String,
                initializingInstitution: String?, issueDate: CalendarDate, expiryDate: CalendarDate,
                cardNumber: String, socialSecurityNumber: NationalIDNumber, name: String,
                gender: String, nation: String?, birthDate: CalendarDate) {
        self.cardIdentifier = cardIdentifier
        self.issuingRegion = issuingRegion
        self.cardType = cardType
        self.specVersion = specVersion
        self.initializingInstitution = initializingInstitution
        self.issueDate = issueDate
        self.expiryDate = expiryDate
        self.cardNumber = cardNumber
        self.socialSecurityNumber = socialSecurityNumber
        self.name = name
        self.gender = gender
        self.nation = nation
        self.birthDate = birthDate
    }

    /// A card is valid through its expiry date and expired from the day after.
    public func isExpired(on today: CalendarDate) -> Bool { expiryDate < today }

    /// What was presented, for the core to resolve (1101 with `mdtrt_cert_type` 03).
    public func credential(source: String) -> Credential {
        Credential(kind: .socialSecurityCard, payload: cardNumber,
                   attributes: ["cardIdentifier": cardIdentifier,
                                "socialSecurityNumber": socialSecurityNumber.value],
                   source: source)
    }
}
