import TerminalCore

/// A complete read of the card in one reader.
public struct CardReadResult: Sendable, Hashable {
    public let reader: String
    public let atr: [UInt8]
    public let card: SocialSecurityCard
    public let expired: Bool
}

/// One card read from start to end on a PC/SC context of its own: connect, hold the card
/// in a transaction, read the SSSE application, and always disconnect and release.
public enum CardSession {
    public static func read(
        reader: String, profile: SSSEProfile = .standard,
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
        let outcome: Result<SocialSecurityCard, CardReadError>
        do {
            try await connection.beginTransaction()
            outcome = .success(try await SocialSecurityCardReader(profile: profile).read(from: connection))
        } catch {
            outcome = .failure(error)
        }
        // Disconnect first, then release: the other order resets the card.
        await connection.close()
        await context.release()
        let card = try outcome.get()
        return CardReadResult(reader: reader, atr: connection.atr, card: card, expired: card.isExpired(on: today))
    }
}
