import BlockingIO
import CPCSCLite

/// One PC/SC context (a session with pcscd). All its blocking calls run on a private
/// thread; the actor keeps the handle's lifecycle in one place.
///
/// pcsc-lite serialises every call on a context, so a card that stops answering blocks
/// its context: give each card read a context of its own (`CardSession` does).
package actor PCSCContext {
    nonisolated let handle: SCARDCONTEXT
    let queue: BlockingQueue
    private var released = false

    private init(handle: SCARDCONTEXT, queue: BlockingQueue) {
        self.handle = handle
        self.queue = queue
    }

    /// Connects to pcscd. Throws `CardReadError.serviceUnavailable` when it is not running.
    package static func establish() async throws(CardReadError) -> PCSCContext {
        let queue = BlockingQueue(label: "cuntong.pcsc.context")
        do {
            let handle = try await queue.run { () throws -> SCARDCONTEXT in
                var context: SCARDCONTEXT = 0
                try check(SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &context))
                return context
            }
            return PCSCContext(handle: handle, queue: queue)
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Names of the connected readers (empty when none).
    package func listReaders() async throws(CardReadError) -> [String] {
        let handle = self.handle
        do {
            return try await queue.run { try CardReaders.listReaders(context: handle) }
        } catch {
            throw Self.mapped(error)
        }
    }

    /// The current state of every reader: card present, ATR, in use. Does not wait.
    package func readerStates() async throws(CardReadError) -> [ReaderState] {
        let readers = try await listReaders()
        guard !readers.isEmpty else { return [] }
        let handle = self.handle
        do {
            return try await queue.run { () throws -> [ReaderState] in
                var entries = readers.map { StatusEntry(reader: $0, currentState: UInt(SCARD_STATE_UNAWARE)) }
                let status = getStatusChange(context: handle, entries: &entries, timeout: 0)
                guard status == .success || status == .timeout else { throw status }
                return entries.map(\.snapshot)
            }
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Waits (asleep in pcscd, not polling) until `reader` has a card (`present`) or has
    /// none, and returns its state; nil when `timeout` passes first.
    package func waitForCard(in reader: String, present: Bool, timeout: Duration) async throws(CardReadError) -> ReaderState? {
        let handle = self.handle
        let milliseconds = UInt(max(0, timeout.wholeMilliseconds))
        do {
            return try await queue.run { () throws -> ReaderState? in
                var entries = [StatusEntry(reader: reader, currentState: UInt(SCARD_STATE_UNAWARE))]
                var remaining = milliseconds
                let clock = ContinuousClock()
                let start = clock.now
                while true {
                    let status = getStatusChange(context: handle, entries: &entries, timeout: remaining)
                    if status == .timeout { return nil }
                    guard status == .success else { throw status }
                    let state = entries[0].snapshot
                    if state.unavailable { throw PCSCStatus.unknownReader }
                    if present ? (state.cardPresent && !state.cardMute) : state.cardAbsent { return state }
                    entries[0].currentState = entries[0].eventState & ~UInt(SCARD_STATE_CHANGED)
                    let spent = UInt(max(0, start.duration(to: clock.now).wholeMilliseconds))
                    guard spent < milliseconds else { return nil }
                    remaining = milliseconds - spent
                }
            }
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Connects to the card in `reader` (shared mode, T=0 or T=1 as the card offers).
    package func connect(reader: String, apduTimeout: Duration = .seconds(5)) async throws(CardReadError) -> CardConnection {
        let handle = self.handle
        do {
            // No deadline here: pcscd itself reports a card that gives no ATR as unresponsive.
            let (card, proto, atr) = try await queue.run { () throws -> (SCARDHANDLE, DWORD, [UInt8]) in
                var card: SCARDHANDLE = 0
                var proto: DWORD = 0
                try check(SCardConnect(
                    handle, reader, DWORD(SCARD_SHARE_SHARED),
                    DWORD(SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1), &card, &proto))
                var atr = [UInt8](repeating: 0, count: Int(MAX_ATR_SIZE))
                var atrLength = DWORD(MAX_ATR_SIZE)
                var state: DWORD = 0
                var activeProtocol: DWORD = 0
                var nameLength: DWORD = 0
                let rv = SCardStatus(card, nil, &nameLength, &state, &activeProtocol, &atr, &atrLength)
                guard rv == 0 else {
                    _ = SCardDisconnect(card, DWORD(SCARD_LEAVE_CARD))
                    throw PCSCStatus(Int(rv))
                }
                return (card, proto, Array(atr.prefix(Int(atrLength))))
            }
            return CardConnection(reader: reader, handle: card, context: handle, activeProtocol: UInt(proto), atr: atr,
                                  queue: queue, apduTimeout: apduTimeout)
        } catch {
            throw Self.mapped(error)
        }
    }

    /// Releases the context after everything queued on it has finished, and waits for that
    /// (at most 2 s: a mute card's command may still hold the thread). Not waiting let a
    /// short-lived process exit while pcsc-lite was still releasing on another thread.
    package func release() async {
        guard !released else { return }
        released = true
        let handle = self.handle
        _ = try? await queue.run(deadline: .seconds(2)) { _ = SCardReleaseContext(handle) }
    }

    deinit {
        if !released {
            let handle = self.handle
            queue.async { _ = SCardReleaseContext(handle) }
        }
    }

    static func mapped(_ error: any Error) -> CardReadError {
        switch error {
        case let e as CardReadError: e
        case let s as PCSCStatus: s.cardReadError
        case is CancellationError: .noCard
        default: .pcsc(PCSCStatus(-1))
        }
    }
}
