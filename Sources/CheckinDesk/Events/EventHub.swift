import Foundation
import Synchronization

/// Broadcasts the terminal's events: to observers at once, in the publisher's call (metrics
/// count before the request that caused the event answers), and to every subscriber (SSE
/// streams, tests) through a stream. A slow subscriber loses its oldest events rather than
/// holding up the devices.
package final class EventHub: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<TerminalEvent>.Continuation]>([:])
    private let observers = Mutex<[@Sendable (TerminalEvent) -> Void]>([])
    private let closed = Atomic<Bool>(false)

    package init() {}

    package func publish(_ event: TerminalEvent) {
        for observe in observers.withLock({ $0 }) { observe(event) }
        subscribers.withLock { all in for c in all.values { c.yield(event) } }
    }

    package func publish(_ kind: TerminalEvent.Kind, _ fill: (inout TerminalEvent) -> Void = { _ in }) {
        var event = TerminalEvent(kind)
        fill(&event)
        publish(event)
    }

    /// Calls `observe` with every event, synchronously: it must be quick and never block.
    package func observe(_ observe: @escaping @Sendable (TerminalEvent) -> Void) {
        observers.withLock { $0.append(observe) }
    }

    package func subscribe() -> AsyncStream<TerminalEvent> {
        let (stream, continuation) = AsyncStream<TerminalEvent>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let id = UUID()
        guard !closed.load(ordering: .acquiring) else {
            continuation.finish()
            return stream
        }
        subscribers.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in self?.subscribers.withLock { _ = $0.removeValue(forKey: id) } }
        return stream
    }

    /// Ends every stream (the daemon is stopping) and every later subscription at once.
    package func close() {
        closed.store(true, ordering: .releasing)
        let all = subscribers.withLock { all in defer { all = [:] }; return all }
        for c in all.values { c.finish() }
    }
}
