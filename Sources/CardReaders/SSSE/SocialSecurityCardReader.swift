import TerminalCore

/// Reads the SSSE application over any APDU transport, as the ministry's card-reading
/// procedure does: SELECT the application, SELECT each EF, READ RECORD each element by its
/// identifier (by number as a fallback), check each TLV, decode and validate. When a record
/// answers 6982 (a 3.0 card's RKSSSE read key), it authenticates once with the key holder and
/// reads on; without a holder, or when authentication fails, the public EF05 records still
/// identify the card and the locked records are left out whole (never a partial person).
package struct SocialSecurityCardReader: Sendable {
    package let profile: SSSEProfile
    package let keyHolder: (any RKSSSEKeyHolder)?

    package init(profile: SSSEProfile = .standard, keyHolder: (any RKSSSEKeyHolder)? = nil) {
        self.profile = profile
        self.keyHolder = keyHolder
    }

    package func read(from transport: some APDUTransport, atr: [UInt8] = []) async throws(CardReadError)
        -> SocialSecurityCard
    {
        var records = SSSERecords(transport: transport, profile: profile)
        let fci = try await records.selectApplication()
        var raw: [String: [UInt8]] = [:]
        var access = CardAccess.open
        var locked: Set<String> = []
        let personFile = profile.element("socialSecurityNumber")?.file
        for file in profile.files {
            let elements = profile.elements(in: file.name).sorted { $0.record < $1.record }
            var index = 0
            while index < elements.count {
                let element = elements[index]
                let outcome = try await records.select(file) ? try await records.read(element, file: file) : .locked
                switch outcome {
                case .value(let value):
                    raw[element.key] = value
                    index += 1
                case .missing where element.required:
                    throw .invalidData(element: element.label, detail: "record \(Hex.string([element.tag])) is missing")
                case .missing:
                    index += 1
                case .locked where access == .open:
                    // The first locked record: authenticate once, then read it again.
                    access = try await unlock(transport, atr: atr, fci: fci, raw: raw)
                    records.forgetSelection()
                    if access.isLocked { fallthrough }
                case .locked:
                    if case .authenticated(let provider) = access {
                        access = .locked(.keyServiceRefused(detail: "\(file.name) stayed locked after \(provider) authentication"))
                    }
                    locked.insert(element.key)
                    // The person comes whole or not at all: no use reading the rest of the file.
                    index = file.name == personFile ? elements.count : index + 1
                }
            }
        }
        if let personFile, locked.contains(where: { profile.element($0)?.file == personFile }) {
            for element in profile.elements(in: personFile) { raw[element.key] = nil }
        }
        // The public records must identify the card even when everything else is locked.
        for key in ["cardIdentifier", "cardNumber"] where locked.contains(key) {
            throw .authenticationRequired(file: profile.element(key)?.file ?? "EF05")
        }
        return try SSSEDecoding(profile: profile, raw: raw).card(access: access)
    }

    /// Runs RKSSSE authentication. Failures of the authentication itself leave the card
    /// locked (with the reason); a pulled card, a mute card or a lost reader end the read.
    private func unlock(_ transport: some APDUTransport, atr: [UInt8], fci: [UInt8],
                        raw: [String: [UInt8]]) async throws(CardReadError) -> CardAccess {
        guard let keyHolder else { return .locked(.authenticationRequired(file: "SSSE")) }
        guard let identifier = raw["cardIdentifier"], identifier.count == 16 else {
            return .locked(.invalidData(element: profile.element("cardIdentifier")?.label ?? "cardIdentifier",
                                        detail: "needed for authentication but not read"))
        }
        let version = raw["specVersion"].map { String(decoding: GBK.trimPadding($0), as: UTF8.self) } ?? ""
        do {
            try await RKSSSEAuthentication(transport: transport, keys: profile.authentication, holder: keyHolder)
                .run(atr: atr, fci: fci, cardIdentifier: identifier, specVersion: version)
            return .authenticated(provider: keyHolder.provider)
        } catch {
            if error.endsTheRead { throw error }
            return .locked(error)
        }
    }
}

extension CardReadError {
    /// The card, the reader or pcscd went away: nothing more can be read from this insertion.
    var endsTheRead: Bool {
        switch self {
        case .serviceUnavailable, .noReader, .readerNotFound, .noCard, .cardRemoved, .cardMute, .readerRemoved, .cardBusy:
            true
        default:
            false
        }
    }
}
