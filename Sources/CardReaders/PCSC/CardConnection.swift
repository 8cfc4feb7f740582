import BlockingIO
import CPCSCLite

/// A connection to the card in one reader. Commands run on the owning context's thread.
package final class CardConnection: APDUTransport, Sendable {
    package let reader: String
    package let atr: [UInt8]
    /// `SCARD_PROTOCOL_T0` or `SCARD_PROTOCOL_T1`.
    package let activeProtocol: UInt
    let handle: SCARDHANDLE
    /// The owning context, for asking pcscd about the reader after a failure.
    private let context: SCARDCONTEXT?
    private let queue: BlockingQueue
    private let apduTimeout: Duration

    init(reader: String, handle: SCARDHANDLE, context: SCARDCONTEXT, activeProtocol: UInt, atr: [UInt8],
         queue: BlockingQueue, apduTimeout: Duration) {
        self.reader = reader
        self.context = context
        self.handle = handle
        self.activeProtocol = activeProtocol
        self.atr = atr
        self.queue = queue
        self.apduTimeout = apduTimeout
    }

    /// One APDU. A card that does not answer within the APDU timeout is reported mute.
    package func transmit(_ command: [UInt8]) async throws(CardReadError) -> [UInt8] {
        let handle = self.handle
        let t1 = activeProtocol == UInt(SCARD_PROTOCOL_T1)
        do {
            let answer = try await queue.run(deadline: apduTimeout, onDeadline: { CardReadError.cardMute }) {
                () throws -> [UInt8] in
                var response = [UInt8](repeating: 0, count: 258 + 2)
                var length = DWORD(response.count)
                let pci = t1 ? cuntong_pci_t1() : cuntong_pci_t0()
                try check(SCardTransmit(handle, pci, command, DWORD(command.count), nil, &response, &length))
                return Array(response.prefix(Int(length)))
            }
            // No status word at all: a reader whose card went away mid-command can answer
            // with nothing. Tell a pulled card from a faulty one as for a failed transmit.
            if answer.count < 2, case .cardRemoved = await classifyFailure(.commError) { throw CardReadError.cardRemoved }
            return answer
        } catch let e as CardReadError {
            throw e
        } catch let status as PCSCStatus where status == .notTransacted || status == .commError {
            throw await classifyFailure(status)
        } catch {
            throw PCSCContext.mapped(error)
        }
    }

    /// A reader driver that loses the card mid-command may say only "transaction failed";
    /// pcscd notices the card is gone on its next presence check. Wait briefly for that
    /// (woken by pcscd, not polled) to tell a pulled card from a faulty one.
    private func classifyFailure(_ status: PCSCStatus) async -> CardReadError {
        guard let context else { return status.cardReadError }
        let reader = self.reader
        let removed = try? await queue.run { () -> Bool in
            var entries = [StatusEntry(reader: reader, currentState: UInt(SCARD_STATE_UNAWARE))]
            guard getStatusChange(context: context, entries: &entries, timeout: 0) == .success else { return false }
            if entries[0].snapshot.cardAbsent { return true }
            entries[0].currentState = entries[0].eventState & ~UInt(SCARD_STATE_CHANGED)
            let rv = getStatusChange(context: context, entries: &entries, timeout: 1500)
            return rv == .success && entries[0].snapshot.cardAbsent
        }
        return removed == true ? .cardRemoved : status.cardReadError
    }

    /// Holds the card for this program until `endTransaction`, so that no other PC/SC
    /// client's commands interleave with a multi-APDU read.
    package func beginTransaction() async throws(CardReadError) {
        let handle = self.handle
        do {
            try await queue.run(deadline: apduTimeout, onDeadline: { CardReadError.cardBusy }) {
                try check(SCardBeginTransaction(handle))
            }
        } catch {
            throw PCSCContext.mapped(error)
        }
    }

    /// Ends the transaction and disconnects, leaving the card as it is for the next program.
    /// Must come before the context is released: releasing first makes pcscd disconnect the
    /// handle with a card reset. Waits for anything still queued, but at most `apduTimeout`
    /// (a mute card's command may hold the queue; the disconnect then runs after it).
    package func close() async {
        let handle = self.handle
        _ = try? await queue.run(deadline: apduTimeout) {
            _ = SCardEndTransaction(handle, DWORD(SCARD_LEAVE_CARD))
            _ = SCardDisconnect(handle, DWORD(SCARD_LEAVE_CARD))
        }
    }
}
