import TerminalCore

/// Everything read from the SSSE application of one card. The card part (EF05's public
/// records) is always complete; the person (EF06) is either complete or absent, never
/// partial: absent when the personal file stayed locked (a 3.0 card without RKSSSE
/// authentication), and then the core names the person from the card number.
package struct SocialSecurityCard: Sendable, Hashable {
    /// 卡识别码, 16 bytes as 32 uppercase hex digits. Goes to the core as `card_sn`.
    package let cardIdentifier: String
    /// The issuing region from the card identifier's first three BCD bytes, e.g. `360400`.
    package let issuingRegion: String
    package let cardType: String
    package let specVersion: String
    package let initializingInstitution: String?
    /// Nil only when the record stayed locked (3.0 cards may lock it until authentication).
    package let issueDate: CalendarDate?
    package let expiryDate: CalendarDate?
    /// 卡号: the first 9 characters of the record.
    package let cardNumber: String
    /// The cardholder from EF06; nil when the personal file stayed locked.
    package let holder: Cardholder?
    /// How the protected records were opened, or why they stayed locked.
    package let access: CardAccess

    package init(cardIdentifier: String, issuingRegion: String, cardType: String, specVersion: String,
                initializingInstitution: String?, issueDate: CalendarDate?, expiryDate: CalendarDate?,
                cardNumber: String, holder: Cardholder?, access: CardAccess) {
        self.cardIdentifier = cardIdentifier
        self.issuingRegion = issuingRegion
        self.cardType = cardType
        self.specVersion = specVersion
        self.initializingInstitution = initializingInstitution
        self.issueDate = issueDate
        self.expiryDate = expiryDate
        self.cardNumber = cardNumber
        self.holder = holder
        self.access = access
    }

    /// A card is valid through its expiry date and expired from the day after. A locked
    /// expiry date is not known here: the core decides.
    package func isExpired(on today: CalendarDate) -> Bool {
        guard let expiryDate else { return false }
        return expiryDate < today
    }

    /// What was presented, for the core to resolve (1101 with `mdtrt_cert_type` 03, the card
    /// number and `card_sn`). The ID number goes along only when the personal file was read.
    package func credential(source: String) -> Credential {
        var attributes = ["cardIdentifier": cardIdentifier]
        if let holder { attributes["socialSecurityNumber"] = holder.socialSecurityNumber.value }
        return Credential(kind: .socialSecurityCard, payload: cardNumber, attributes: attributes, source: source)
    }
}

/// The person on the card (EF06).
package struct Cardholder: Sendable, Hashable {
    package let socialSecurityNumber: NationalIDNumber
    /// Tag 09 continued by tag 4E (姓名扩展) for names longer than 30 GBK bytes.
    package let name: String
    /// GB/T 2261.1: `1` male, `2` female (`0` unknown, `9` not stated).
    package let gender: String
    /// GB 3304 ethnic-group code, e.g. `01` 汉族.
    package let nation: String?
    /// 出生地: a 6-digit administrative-division code, when the card has it.
    package let birthplace: String?
    package let birthDate: CalendarDate

    package init(socialSecurityNumber: NationalIDNumber, name: String, gender: String, nation: String?,
                birthplace: String?, birthDate: CalendarDate) {
        self.socialSecurityNumber = socialSecurityNumber
        self.name = name
        self.gender = gender
        self.nation = nation
        self.birthplace = birthplace
        self.birthDate = birthDate
    }
}

/// Whether the card's protected records were read, and how.
package enum CardAccess: Sendable, Hashable {
    /// Nothing was locked (a second-generation card, or a 3.0 card with open files).
    case open
    /// RKSSSE authentication opened the locked records, by this provider (`psam`, `key-service`).
    case authenticated(provider: String)
    /// Locked records stayed locked; the reason says why, for the person at the terminal.
    case locked(CardReadError)

    package var isLocked: Bool {
        if case .locked = self { return true }
        return false
    }

    /// `open`, the provider (`psam`, `key-service`), or `locked`: as output and logs name it.
    package var name: String {
        switch self {
        case .open: "open"
        case .authenticated(let provider): provider
        case .locked: "locked"
        }
    }
}
