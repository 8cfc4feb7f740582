/// What a patient presented at the terminal. A credential is never an identity: the
/// city core resolves it (1101) so that a forged card or code cannot invent a person.
package struct Credential: Sendable, Hashable, CustomStringConvertible {
    package enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        /// 社会保障卡 read in a PC/SC reader.
        case socialSecurityCard
        /// QR code of the 医保电子凭证, resolved by the core into an e-credential token.
        case medicalInsuranceQRCode
        /// QR code of the 电子社保卡.
        case electronicSocialSecurityQRCode
        /// A QR code no classification rule names. No public source shows what a real code
        /// looks like, so it is not refused: the platform decodes it like a 医保电子凭证.
        case unclassifiedQRCode
        /// One-time token from the face-scan terminal.
        case faceAuthToken
        /// ID number typed in by the doctor.
        case manualIDNumber
    }

    package let kind: Kind
    /// What identifies the credential to the core: the card number, the scanned code,
    /// the face token, or the ID number. Personal data.
    package let payload: String
    /// Extra fields the core needs, e.g. `cardIdentifier` (card_sn) and
    /// `socialSecurityNumber` for a card.
    package let attributes: [String: String]
    /// Where it came from, e.g. the reader name.
    package let source: String

    package init(kind: Kind, payload: String, attributes: [String: String] = [:], source: String) {
        self.kind = kind
        self.payload = payload
        self.attributes = attributes
        self.source = source
    }

    /// Masked: safe for logs.
    package var description: String {
        "\(kind.rawValue)(\(Masking.identifier(payload))) from \(source)"
    }
}
