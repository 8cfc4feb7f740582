import TerminalCore

/// A complete read of the card in one reader.
package struct CardReadResult: Sendable, Hashable {
    package let reader: String
    package let atr: [UInt8]
    package let content: CardContent
    package let expired: Bool

    package init(reader: String, atr: [UInt8], content: CardContent, expired: Bool) {
        self.reader = reader
        self.atr = atr
        self.content = content
        self.expired = expired
    }

    /// The social-security card read (the only application so far).
    package var card: SocialSecurityCard {
        switch content {
        case .socialSecurity(let card): card
        }
    }
}

/// One card read from start to end on a PC/SC context of its own: connect, hold the card
/// in a transaction, read it with the registered card applications, and always disconnect
/// and release.
package enum CardSession {
    package static func read(
        reader: String, applications: CardApplications = .standard(),
        apduTimeout: Duration = .seconds(5), today: CalendarDate = .today()
    ) async throws(CardReadError) -> CardReadResult {
        let context = try await PCSCContext.establish()
        let connection: CardConnection
        do {
            connection = try await context.connect(reader: reader, apduTimeout: apduTimeout)
        } catch {
            await context.release()
            throw error
        }
        let outcome: Result<CardContent, CardReadError>
        do {
            try await connection.beginTransaction()
            outcome = .success(try await applications.read(from: connection, atr: connection.atr))
        } catch {
            outcome = .failure(error)
        }
        // Disconnect first, then release: the other order resets the card.
        await connection.close()
        await context.release()
        let content = try outcome.get()
        return CardReadResult(reader: reader, atr: connection.atr, content: content, expired: content.isExpired(on: today))
    }
}
