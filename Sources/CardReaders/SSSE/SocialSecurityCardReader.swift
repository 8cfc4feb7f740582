import TerminalCore

/// Reads the SSSE application over any APDU transport, exactly as the profile lays it out:
/// SELECT the application by name, SELECT each EF, READ RECORD each element, check each TLV,
/// decode, validate, and only then build the card.
public struct SocialSecurityCardReader: Sendable {
    public let profile: SSSEProfile

    public init(profile: SSSEProfile = .standard) {
        self.profile = profile
    }

    public func read(from transport: some APDUTransport) async throws(CardReadError)
        -> SocialSecurityCard
    {
        try await selectApplication(transport)
        var raw: [String: [UInt8]] = [:]
        for file in profile.files {
            let elements = profile.elements(in: file.name)
            guard !elements.isEmpty else { continue }
            try await select(file, on: transport)
            for element in elements.sorted(by: { $0.record < $1.record }) {
                if let value = try await readElement(element, file: file, on: transport) {
                    raw[element.key] = value
                }
            }
        }
        return try decode(raw)
    }

    private func selectApplication(_ transport: some APDUTransport) async throws(CardReadError) {
        let command = CommandAPDU.selectByName(profile.application.aidBytes)
        let response = try await transport.send(command)
        switch response.sw.value {
        case 0x9000: return
        // Not found / not supported: the card has no SSSE application (bank card, ID card, …).
        case 0x6A82, 0x6A81, 0x6A86, 0x6D00, 0x6E00, 0x6B00:
            throw .notSocialSecurityCard(response.sw)
        default:
            throw .unexpectedStatus(command: "SELECT \(profile.application.name)", sw: response.sw)
        }
    }

    private func select(_ file: SSSEProfile.File, on transport: some APDUTransport) async throws(CardReadError) {
        var last = StatusWord.fileNotFound
        for p1 in file.selectP1Bytes {
            let response = try await transport.send(.selectFile(file.fidBytes, p1: p1))
            switch response.sw.value {
            case 0x9000: return
            // This card wants the other addressing mode: try the next P1.
            case 0x6A86, 0x6B00, 0x6A81, 0x6A82: last = response.sw
            case 0x6982: throw .authenticationRequired(file: file.name)
            default: throw .unexpectedStatus(command: "SELECT \(file.name)", sw: response.sw)
            }
        }
        throw .unexpectedStatus(command: "SELECT \(file.name)", sw: last)
    }

    private func readElement(_ element: SSSEProfile.Element, file: SSSEProfile.File,
                             on transport: some APDUTransport) async throws(CardReadError) -> [UInt8]? {
        let response = try await transport.send(.readRecord(element.record))
        switch response.sw.value {
        case 0x9000:
            do {
                return try TLV.value(in: response.data, tag: element.tag)
            } catch {
                throw .malformedRecord(element: element.label, detail: error.detail)
            }
        case 0x6982:
            throw .authenticationRequired(file: file.name)
        case 0x6A83 where !element.required:
            return nil
        case 0x6A83:
            throw .invalidData(element: element.label, detail: "record \(element.record) is missing")
        default:
            throw .unexpectedStatus(command: "READ RECORD \(file.name)/\(element.record)", sw: response.sw)
        }
    }

    // MARK: Decoding

    private func decode(_ raw: [String: [UInt8]]) throws(CardReadError) -> SocialSecurityCard {
        let identifier = try bytes("cardIdentifier", raw)
        guard identifier.count >= 3, let region = BCD.digits(identifier.prefix(3)) else {
            throw invalid("cardIdentifier", "the issuing region is not BCD")
        }
        let ssnText = try text("socialSecurityNumber", raw)
        let ssn: NationalIDNumber
        switch NationalIDNumber.validate(ssnText) {
        case .success(let id): ssn = id
        case .failure(.checkDigitMismatch): throw invalid("socialSecurityNumber", "the check digit does not match")
        case .failure(.badBirthDate): throw invalid("socialSecurityNumber", "the birth date in it is impossible")
        case .failure: throw invalid("socialSecurityNumber", "it is not an 18-character ID number")
        }
        let gender = try text("gender", raw)
        guard ["0", "1", "2", "9"].contains(gender) else { throw invalid("gender", "unknown code") }
        let cardNumber = try text("cardNumber", raw)
        guard !cardNumber.isEmpty else { throw invalid("cardNumber", "it is blank") }
        let name = try text("name", raw)
        guard !name.isEmpty else { throw invalid("name", "it is blank") }
        return SocialSecurityCard(
            cardIdentifier: Hex.string(identifier),
            issuingRegion: region,
            cardType: try text("cardType", raw),
            specVersion: try text("specVersion", raw),
            initializingInstitution: try optionalText("initializingInstitution", raw),
            issueDate: try date("issueDate", raw),
            expiryDate: try date("expiryDate", raw),
            cardNumber: cardNumber,
            socialSecurityNumber: ssn,
            name: name,
            gender: gender,
            nation: try optionalText("nation", raw),
            birthDate: try date("birthDate", raw))
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

    private func bytes(_ key: String, _ raw: [String: [UInt8]]) throws(CardReadError) -> [UInt8] {
        let element = try element(key)
        guard let value = raw[key], !value.isEmpty else { throw invalid(key, "it is empty") }
        guard value.count <= element.length else {
            throw invalid(key, "\(value.count) bytes where at most \(element.length) belong")
        }
        return value
    }

    private func text(_ key: String, _ raw: [String: [UInt8]]) throws(CardReadError) -> String {
        guard let value = try optionalText(key, raw) else { throw invalid(key, "it is missing") }
        return value
    }

    /// Decodes a text-like element by its profile format; nil only when absent.
    private func optionalText(_ key: String, _ raw: [String: [UInt8]]) throws(CardReadError) -> String? {
        guard raw[key] != nil else { return nil }
        let element = try element(key)
        let value = try bytes(key, raw)
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
            return try date(key, raw).iso
        }
    }

    private func date(_ key: String, _ raw: [String: [UInt8]]) throws(CardReadError) -> CalendarDate {
        let value = try bytes(key, raw)
        guard let date = BCD.date(value) else { throw invalid(key, "it is not a valid YYYYMMDD date") }
        return date
    }
}
