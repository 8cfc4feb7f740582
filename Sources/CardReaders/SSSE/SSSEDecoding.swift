import TerminalCore

/// Turns the raw element values (by profile key) into a card: decodes by format, checks
/// lengths, dates, BCD and the ID number's check digit. The person comes out complete or
/// not at all.
struct SSSEDecoding {
    let profile: SSSEProfile
    let raw: [String: [UInt8]]

    func card(access: CardAccess) throws(CardReadError) -> SocialSecurityCard {
        let identifier = try bytes("cardIdentifier")
        guard identifier.count >= 3, let region = BCD.digits(identifier.prefix(3)) else {
            throw invalid("cardIdentifier", "the issuing region is not BCD")
        }
        let cardNumber = try text("cardNumber")
        guard !cardNumber.isEmpty else { throw invalid("cardNumber", "it is blank") }
        let locked = access.isLocked
        return SocialSecurityCard(
            cardIdentifier: Hex.string(identifier),
            issuingRegion: region,
            cardType: try text("cardType"),
            specVersion: try text("specVersion"),
            initializingInstitution: try optionalText("initializingInstitution"),
            issueDate: locked ? try optionalDate("issueDate") : try date("issueDate"),
            expiryDate: locked ? try optionalDate("expiryDate") : try date("expiryDate"),
            cardNumber: cardNumber,
            holder: locked && raw["socialSecurityNumber"] == nil ? nil : try holder(),
            access: access)
    }

    private func holder() throws(CardReadError) -> Cardholder {
        let ssnText = try text("socialSecurityNumber")
        let ssn: NationalIDNumber
        switch NationalIDNumber.validate(ssnText) {
        case .success(let id): ssn = id
        case .failure(.checkDigitMismatch): throw invalid("socialSecurityNumber", "the check digit does not match")
        case .failure(.badBirthDate): throw invalid("socialSecurityNumber", "the birth date in it is impossible")
        case .failure: throw invalid("socialSecurityNumber", "it is not an 18-character ID number")
        }
        let gender = try text("gender")
        guard ["0", "1", "2", "9"].contains(gender) else { throw invalid("gender", "unknown code") }
        let name = try fullName()
        guard !name.isEmpty else { throw invalid("name", "it is blank") }
        return Cardholder(socialSecurityNumber: ssn, name: name, gender: gender, nation: try optionalText("nation"),
                          birthplace: try optionalText("birthplace"), birthDate: try date("birthDate"))
    }

    /// Tag 09 and, for a name longer than its 30 bytes, tag 4E: joined as bytes before
    /// decoding, so a character split across the two records comes out whole.
    private func fullName() throws(CardReadError) -> String {
        let first = GBK.trimPadding(try bytes("name"))
        let rest = raw["nameExtension"].map(GBK.trimPadding) ?? []
        if let text = GBK.decode(first + rest) { return text }
        // Without its continuation, a name that fills tag 09 may end in half a character:
        // keep the whole characters rather than refuse the card.
        if rest.isEmpty, first.count > 1, let text = GBK.decode(Array(first.dropLast())) { return text }
        throw invalid("name", "it is not valid GBK text")
    }

    private func invalid(_ key: String, _ detail: String) -> CardReadError {
        .invalidData(element: profile.element(key)?.label ?? key, detail: detail)
    }

    private func element(_ key: String) throws(CardReadError) -> SSSEProfile.Element {
        guard let element = profile.element(key) else {
            throw .invalidData(element: key, detail: "the card profile has no such element")
        }
        return element
    }

    private func bytes(_ key: String) throws(CardReadError) -> [UInt8] {
        let element = try element(key)
        guard var value = raw[key], !value.isEmpty else { throw invalid(key, "it is empty") }
        if element.takeFirst == true {
            value = Array(value.prefix(element.length))
        }
        guard value.count <= element.length else {
            throw invalid(key, "\(value.count) bytes where at most \(element.length) belong")
        }
        return value
    }

    private func text(_ key: String) throws(CardReadError) -> String {
        guard let value = try optionalText(key) else { throw invalid(key, "it is missing") }
        return value
    }

    /// Decodes a text-like element by its profile format; nil only when absent.
    private func optionalText(_ key: String) throws(CardReadError) -> String? {
        guard raw[key] != nil else { return nil }
        let element = try element(key)
        let value = try bytes(key)
        switch element.format {
        case .binary:
            return Hex.string(value)
        case .bcd:
            guard let digits = BCD.digits(value) else { throw invalid(key, "it is not BCD") }
            return digits
        case .ascii:
            let trimmed = GBK.trimPadding(value)
            guard trimmed.allSatisfy({ (0x20...0x7E).contains($0) }) else {
                throw invalid(key, "it holds non-printable bytes")
            }
            return String(decoding: trimmed, as: UTF8.self)
        case .gbk:
            guard let text = GBK.decode(GBK.trimPadding(value)) else {
                throw invalid(key, "it is not valid GBK text")
            }
            return text
        case .bcdDate:
            return try date(key).iso
        }
    }

    private func optionalDate(_ key: String) throws(CardReadError) -> CalendarDate? {
        raw[key] == nil ? nil : try date(key)
    }

    private func date(_ key: String) throws(CardReadError) -> CalendarDate {
        let value = try bytes(key)
        guard let date = BCD.date(value) else { throw invalid(key, "it is not a valid YYYYMMDD date") }
        return date
    }
}
