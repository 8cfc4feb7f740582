import TerminalCore

/// What one card application gave. One case per application folder: a second card type
/// adds its folder, a case here and a registry entry, and the compiler shows every place
/// that must learn it.
package enum CardContent: Sendable, Hashable {
    case socialSecurity(SocialSecurityCard)

    package var application: String {
        switch self {
        case .socialSecurity: "SSSE"
        }
    }

    package func credential(source: String) -> Credential {
        switch self {
        case .socialSecurity(let card): card.credential(source: source)
        }
    }

    package func isExpired(on today: CalendarDate) -> Bool {
        switch self {
        case .socialSecurity(let card): card.isExpired(on: today)
        }
    }

    package var access: CardAccess {
        switch self {
        case .socialSecurity(let card): card.access
        }
    }
}

/// A card application the terminal can read, selected by its AID.
package protocol CardApplication: Sendable {
    var name: String { get }
    var aid: [UInt8] { get }
    func readContent(from transport: some APDUTransport, atr: [UInt8]) async throws(CardReadError) -> CardContent
}

extension SocialSecurityCardReader: CardApplication {
    package var name: String { profile.application.name }
    package var aid: [UInt8] { profile.application.aidBytes }

    package func readContent(from transport: some APDUTransport, atr: [UInt8]) async throws(CardReadError) -> CardContent {
        .socialSecurity(try await read(from: transport, atr: atr))
    }
}

/// The card applications this terminal reads, keyed by ATR pattern and AID. A card whose ATR
/// the table ties to an application is read with that one first; otherwise each application
/// is tried in order until one's AID selects.
package struct CardApplications: Sendable {
    package let applications: [any CardApplication]
    package let atrTable: ATRTable

    package init(_ applications: [any CardApplication], atrTable: ATRTable = .builtIn) {
        self.applications = applications
        self.atrTable = atrTable
    }

    /// The standard set: the social-security application (with the RKSSSE key holder, if any).
    package static func standard(profile: SSSEProfile = .standard, keyHolder: (any RKSSSEKeyHolder)? = nil) -> CardApplications {
        CardApplications([SocialSecurityCardReader(profile: profile, keyHolder: keyHolder)])
    }

    /// Applications in the order to try for this ATR.
    package func candidates(for atr: [UInt8]) -> [any CardApplication] {
        guard let preferred = atrTable.match(atr)?.application else { return applications }
        return applications.filter { $0.name == preferred } + applications.filter { $0.name != preferred }
    }

    package func read(from transport: some APDUTransport, atr: [UInt8]) async throws(CardReadError) -> CardContent {
        var last = CardReadError.notSocialSecurityCard(.fileNotFound)
        for application in candidates(for: atr) {
            do {
                return try await application.readContent(from: transport, atr: atr)
            } catch .notSocialSecurityCard(let sw) {
                // Not this application: the next one may be on the card.
                last = .notSocialSecurityCard(sw)
            }
        }
        throw last
    }
}
