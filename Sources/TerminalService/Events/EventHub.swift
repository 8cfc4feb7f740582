import Foundation
import LocalAPI
import Synchronization

/// What the terminal saw or did, as the API's `Event` (docs/api.yaml). Personal data in an
/// event is always masked.
public typealias TerminalEvent = Components.Schemas.Event

/// Broadcasts events to every subscriber (the SSE streams, tests). A slow subscriber loses
/// its oldest events rather than holding up the devices.
public final class EventHub: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<TerminalEvent>.Continuation]>([:])
    private let closed = Atomic<Bool>(false)

    public init() {}

    public func publish(_ event: TerminalEvent) {
        subscribers.withLock { all in for c in all.values { c.yield(event) } }
    }

    public func publish(_ type: TerminalEvent._TypePayload, _ fill: (inout TerminalEvent) -> Void = { _ in }) {
        var event = TerminalEvent(_type: type, time: Date())
        fill(&event)
        publish(event)
    }

    public func subscribe() -> AsyncStream<TerminalEvent> {
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
    public func close() {
        closed.store(true, ordering: .releasing)
        let all = subscribers.withLock { all in defer { all = [:] }; return all }
        for c in all.values { c.finish() }
    }
}
