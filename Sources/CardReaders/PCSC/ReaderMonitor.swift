import BlockingIO
import CPCSCLite
import Dispatch
import Foundation
import Synchronization

/// A change seen on the PC/SC readers.
package enum ReaderEvent: Sendable, Hashable {
    case readerAdded(String)
    case readerRemoved(String)
    case cardInserted(reader: String, atr: [UInt8])
    case cardRemoved(reader: String)
    /// A card is in the reader but gives no answer to reset.
    case cardMute(reader: String)
    /// pcscd stopped or cannot be reached; the monitor keeps trying to come back.
    case serviceLost
    /// pcscd is reachable again; reader and card events follow for what is there now.
    case serviceRestored
}

extension ReaderEvent: CustomStringConvertible {
    /// One short line for logs, the ATR in hex.
    package var description: String {
        switch self {
        case .readerAdded(let reader): "reader added: \(reader)"
        case .readerRemoved(let reader): "reader removed: \(reader)"
        case .cardInserted(let reader, let atr): "card inserted: \(reader), ATR \(Hex.string(atr))"
        case .cardRemoved(let reader): "card removed: \(reader)"
        case .cardMute(let reader): "mute card: \(reader)"
        case .serviceLost: "pcscd lost"
        case .serviceRestored: "pcscd back"
        }
    }
}

/// Watches readers and cards with `SCardGetStatusChange` — including the
/// `\\?PnP?\Notification` pseudo-reader for readers plugged in later — on a thread and a
/// PC/SC context of its own, so it sleeps in pcscd until something changes. No polling.
///
/// The first events describe what is there when watching starts (readers, then cards
/// already inserted). When pcscd goes away the monitor reports `serviceLost` and
/// re-establishes its context with backoff until it is back.
package struct ReaderMonitor: Sendable {
    package init() {}

    /// Signalled when the monitor's thread has left pcsc-lite for good. A short-lived process
    /// waits for it after it stops listening: exiting while that thread is still inside
    /// pcsc-lite crashed `cuntong card read` now and then (SIGSEGV at exit).
    package final class Exit: Sendable {
        let done = DispatchSemaphore(value: 0)
        package init() {}

        /// Waits (off the cooperative pool) until the thread has left, at most `timeout`.
        package func wait(timeout: Duration) async {
            let done = self.done
            await DeviceThread.run("cuntong.pcsc.exit") {
                if done.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds) * 1000)) == .success {
                    done.signal()
                }
            }
        }
    }

    package func events(exit: Exit? = nil) -> AsyncStream<ReaderEvent> {
        let (stream, continuation) = AsyncStream<ReaderEvent>.makeStream(bufferingPolicy: .unbounded)
        let loop = MonitorLoop(emit: { continuation.yield($0) }, finish: {
            continuation.finish()
            exit?.done.signal()
        })
        continuation.onTermination = { _ in loop.stop() }
        DeviceThread.start("cuntong.pcsc.monitor") { loop.run() }
        return stream
    }
}

private final class MonitorLoop: Sendable {
    private struct Shared {
        var stopped = false
        var context: SCARDCONTEXT?
        var running = true
    }
    private let shared = Mutex(Shared())
    private let wakeup = DispatchSemaphore(value: 0)
    private let exited = DispatchSemaphore(value: 0)
    private let emit: @Sendable (ReaderEvent) -> Void
    private let finish: @Sendable () -> Void

    init(emit: @escaping @Sendable (ReaderEvent) -> Void, finish: @escaping @Sendable () -> Void) {
        self.emit = emit
        self.finish = finish
    }

    var isStopped: Bool { shared.withLock { $0.stopped } }

    /// Wakes the thread and waits for it off the caller's thread. pcsc-lite drops an
    /// SCardCancel that reaches pcscd before the wait is registered, so it is repeated
    /// until the thread has left (a shutdown-only loop).
    func stop() {
        let context: SCARDCONTEXT? = shared.withLock {
            $0.stopped = true
            return $0.context
        }
        wakeup.signal()
        if let context { _ = SCardCancel(context) }
        // A thread of its own: this waits.
        DeviceThread.start("cuntong.pcsc.cancel") { [self] in
            while exited.wait(timeout: .now() + .milliseconds(200)) == .timedOut {
                let context = shared.withLock { $0.context }
                if let context { _ = SCardCancel(context) }
            }
        }
    }

    func run() {
        defer {
            shared.withLock { $0.running = false }
            finish()
            exited.signal()
        }
        var state = MonitorState()
        var backoff = Duration.milliseconds(250)
        var serviceDown = false

        while !isStopped {
            var context: SCARDCONTEXT = 0
            let rv = SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &context)
            guard rv == 0 else {
                if !serviceDown {
                    // pcscd went away: everything it knew about is gone.
                    for event in state.removeAll() { emit(event) }
                    serviceDown = true
                    emit(.serviceLost)
                }
                _ = wakeup.wait(timeout: .now() + .milliseconds(backoff.wholeMilliseconds))
                backoff = min(backoff * 2, .seconds(2))
                continue
            }
            let published = shared.withLock { shared -> Bool in
                guard !shared.stopped else { return false }
                shared.context = context
                return true
            }
            guard published else {
                SCardReleaseContext(context)
                break
            }
            if serviceDown {
                serviceDown = false
                emit(.serviceRestored)
            }
            backoff = .milliseconds(250)

            // Returns when stopped, or when this context is no longer usable; the next
            // round finds out whether pcscd is still there.
            watch(context: context, state: &state)

            shared.withLock { $0.context = nil }
            SCardReleaseContext(context)
        }
    }

    /// Runs until stopped, or until the context fails (pcscd gone, or an error that a
    /// fresh context may cure).
    private func watch(context: SCARDCONTEXT, state: inout MonitorState) {
        var entries = [StatusEntry(reader: ReaderNames.pnpNotification, currentState: 0)]
        if refreshReaders(context: context, entries: &entries, state: &state) == .lost { return }
        while !isStopped {
            let status = getStatusChange(context: context, entries: &entries, timeout: UInt(INFINITE))
            if isStopped { return }
            switch status {
            case .success:
                var readersChanged = entries[0].eventState & UInt(SCARD_STATE_CHANGED) != 0
                for index in entries.indices.dropFirst() {
                    let entry = entries[index]
                    if entry.eventState & UInt(SCARD_STATE_UNKNOWN) != 0 { readersChanged = true; continue }
                    if entry.eventState & UInt(SCARD_STATE_CHANGED) != 0 {
                        for event in state.update(entry.snapshot) { emit(event) }
                    }
                }
                for index in entries.indices {
                    entries[index].currentState = entries[index].eventState & ~UInt(SCARD_STATE_CHANGED)
                }
                if readersChanged, refreshReaders(context: context, entries: &entries, state: &state) == .lost {
                    return
                }
            case .cancelled, .timeout:
                continue
            case .unknownReader:
                if refreshReaders(context: context, entries: &entries, state: &state) == .lost { return }
            case let s where s.isServiceLoss:
                return
            default:
                // Unexpected: start over with a fresh context, after a pause rather than spin.
                _ = wakeup.wait(timeout: .now() + .milliseconds(250))
                return
            }
        }
    }

    private enum Refresh { case ok, lost, failed }

    private func refreshReaders(context: SCARDCONTEXT, entries: inout [StatusEntry], state: inout MonitorState) -> Refresh {
        let readers: [String]
        do {
            readers = try listReaders(context: context)
        } catch {
            return error.isServiceLoss ? .lost : .failed
        }
        let current = Set(entries.dropFirst().map(\.reader))
        for gone in current.subtracting(readers).sorted() {
            entries.removeAll { $0.reader == gone }
            for event in state.remove(reader: gone) { emit(event) }
        }
        for added in readers where !current.contains(added) {
            entries.append(StatusEntry(reader: added, currentState: UInt(SCARD_STATE_UNAWARE)))
            emit(.readerAdded(added))
            state.add(reader: added)
        }
        return .ok
    }
}

/// What has been reported per reader, so that events are only emitted for changes.
struct MonitorState {
    enum Card: Equatable { case none, present(atr: [UInt8], count: UInt), mute }
    private(set) var readers: [String: Card] = [:]
    private var order: [String] = []

    mutating func add(reader: String) {
        if readers[reader] == nil { order.append(reader) }
        readers[reader] = Card.none
    }

    mutating func remove(reader: String) -> [ReaderEvent] {
        guard let card = readers.removeValue(forKey: reader) else { return [] }
        order.removeAll { $0 == reader }
        return (card == .none ? [] : [.cardRemoved(reader: reader)]) + [.readerRemoved(reader)]
    }

    mutating func removeAll() -> [ReaderEvent] {
        order.flatMap { remove(reader: $0) }
    }

    /// Events for a reader's new state. The upper 16 bits of the event state count card
    /// insertions and removals, so a card swapped between two wake-ups is still seen.
    mutating func update(_ snapshot: ReaderState) -> [ReaderEvent] {
        guard let previous = readers[snapshot.reader] else { return [] }
        let count = snapshot.flags >> 16
        let next: Card
        if snapshot.cardMute {
            next = .mute
        } else if snapshot.cardPresent, !snapshot.atr.isEmpty {
            next = .present(atr: snapshot.atr, count: count)
        } else if snapshot.cardAbsent {
            next = .none
        } else {
            // Neither present nor empty: pcscd is still finding out; wait for its verdict.
            return []
        }
        readers[snapshot.reader] = next
        switch (previous, next) {
        case (.none, .none), (.mute, .mute):
            return []
        case (.present(let a, let c1), .present(let b, let c2)) where a == b && c1 == c2:
            return []
        case (.present, .present), (.mute, .present), (.present, .mute):
            return [.cardRemoved(reader: snapshot.reader)] + events(for: next, reader: snapshot.reader)
        default:
            return events(for: next, reader: snapshot.reader)
        }
    }

    private func events(for card: Card, reader: String) -> [ReaderEvent] {
        switch card {
        case .none: [.cardRemoved(reader: reader)]
        case .mute: [.cardMute(reader: reader)]
        case .present(let atr, _): [.cardInserted(reader: reader, atr: atr)]
        }
    }
}

/// Where reader and card events come from: pcscd through `ReaderMonitor` on a terminal, a
/// script of events in a test.
package protocol ReaderEventSource: Sendable {
    func events() -> AsyncStream<ReaderEvent>
}

extension ReaderMonitor: ReaderEventSource {
    package func events() -> AsyncStream<ReaderEvent> { events(exit: nil) }
}
