import CardReaders
import TerminalCore

/// What the card side of the terminal reports: reader and card changes, and the result
/// of reading each card that is inserted.
package enum CardWatchEvent: Sendable, Hashable {
    case reader(ReaderEvent)
    case cardRead(CardReadResult)
    case readFailed(reader: String, error: CardReadError)
    /// A card was inserted into a virtual (vpcd) reader while simulator mode is off.
    case virtualReaderIgnored(reader: String)
}

/// Watches the readers and reads every social-security card that is inserted.
package struct CardWatcher: Sendable {
    /// Whether cards in "Virtual PCD" readers are read. vpcd accepts a card from anyone on
    /// the network, so only the simulator and the diagnostic CLI turn this on.
    package let allowVirtualReaders: Bool
    package let applications: CardApplications
    /// Readers whose cards are not patients' (the PSAM's SAM slot).
    package let reservedReaders: Set<String>
    package let apduTimeout: Duration
    /// Reads the card in a reader: a PC/SC session (`CardSession.read`) on a terminal.
    package typealias Read = @Sendable (_ reader: String, _ applications: CardApplications, _ apduTimeout: Duration)
        async throws(CardReadError) -> CardReadResult
    let read: Read

    package init(allowVirtualReaders: Bool, applications: CardApplications = .standard(),
                reservedReaders: Set<String> = [], apduTimeout: Duration = .seconds(5),
                read: @escaping Read = { reader, applications, timeout throws(CardReadError) in
                    try await CardSession.read(reader: reader, applications: applications, apduTimeout: timeout)
                }) {
        self.allowVirtualReaders = allowVirtualReaders
        self.applications = applications
        self.reservedReaders = reservedReaders
        self.apduTimeout = apduTimeout
        self.read = read
    }

    /// The events of `monitor` (pcscd's readers by default), with a read of every card
    /// inserted into a reader that is neither reserved nor, unless allowed, virtual.
    package func events<Source: ReaderEventSource>(monitor: Source = ReaderMonitor()) -> AsyncStream<CardWatchEvent> {
        let readerEvents = monitor.events()
        let (stream, continuation) = AsyncStream<CardWatchEvent>.makeStream(bufferingPolicy: .unbounded)
        let task = Task {
            for await event in readerEvents {
                continuation.yield(.reader(event))
                guard case .cardInserted(let reader, _) = event, !reservedReaders.contains(reader) else { continue }
                guard allowVirtualReaders || !ReaderNames.isVirtual(reader) else {
                    continuation.yield(.virtualReaderIgnored(reader: reader))
                    continue
                }
                do throws(CardReadError) {
                    let result = try await read(reader, applications, apduTimeout)
                    continuation.yield(.cardRead(result))
                } catch {
                    continuation.yield(.readFailed(reader: reader, error: error))
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}
