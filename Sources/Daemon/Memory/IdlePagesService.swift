import APIServer
import CheckinDesk
import Logging
import ServiceLifecycle
import Synchronization

/// Gives back the executable's clean pages (`ExecutablePages`) `quiet` after READY=1, and
/// again whenever the terminal has been quiet for `quiet` after a spell of activity
/// (check-ins, cards, scans, settlements: any terminal event). The next visit reads back
/// what it needs on its first touch.
///
/// It never wakes an idle daemon: once the pages are given back it waits for the next
/// event with no timer running. While the terminal is busy it wakes at most once per event.
package struct IdlePagesService<C: Clock>: Service where C.Duration == Duration {
    let ready: ReadySignal
    let hub: EventHub
    let quiet: Duration
    let clock: C
    let logger: Logger
    let release: @Sendable () -> ExecutablePages.Release?

    package init(ready: ReadySignal, hub: EventHub, quiet: Duration, clock: C, logger: Logger,
                 release: @escaping @Sendable () -> ExecutablePages.Release? = { ExecutablePages.releaseClean() }) {
        self.ready = ready
        self.hub = hub
        self.quiet = quiet
        self.clock = clock
        self.logger = logger
        self.release = release
    }

    package func run() async throws {
        let activity = Activity<C.Instant>()
        let clock = self.clock
        hub.observe { _ in activity.happened(at: clock.now) }
        await ready.waitUnlessStopping()
        // The first spell is the start itself: what it announces (readers, the core up) does
        // not postpone the first release, `quiet` after READY.
        var deadline = clock.now.advanced(by: quiet)
        var seen = activity.snapshot.count
        var starting = true
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let until = deadline
                try await cancelWhenGracefulShutdown { try await clock.sleep(until: until, tolerance: nil) }
            } catch {
                return
            }
            let now = activity.snapshot
            if !starting, now.count != seen, let last = now.last {
                // Something happened meanwhile: `quiet` after the latest event, not before.
                seen = now.count
                deadline = last.advanced(by: quiet)
                continue
            }
            starting = false
            if let result = release() {
                logger.debug("idle: executable pages given back", metadata: [
                    "fileResidentKiB": "\(result.residentBefore) → \(result.residentAfter)",
                    "mappings": "\(result.mappings)", "refused": "\(result.refused)"])
            }
            // Nothing more to give back until something happens: wait for it, no timer.
            seen = activity.snapshot.count
            guard await activity.wait(after: seen) else { return }
            let next = activity.snapshot
            seen = next.count
            deadline = (next.last ?? clock.now).advanced(by: quiet)
        }
    }
}

/// Counts terminal events and wakes whoever waits for the next one.
final class Activity<Instant: Sendable>: Sendable {
    private struct State {
        var count: UInt64 = 0
        var last: Instant?
        var ended = false
        var waiters: [CheckedContinuation<Bool, Never>] = []
    }
    private let state = Mutex(State())

    /// How many events so far, and when the latest happened.
    var snapshot: (count: UInt64, last: Instant?) { state.withLock { ($0.count, $0.last) } }

    func happened(at instant: Instant) {
        let waiters = state.withLock { s in
            s.count += 1
            s.last = instant
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// Waits until the count passes `seen`; false when the wait ended by a shutdown (after
    /// which every wait ends at once).
    func wait(after seen: UInt64) async -> Bool {
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                    let now: Bool? = state.withLock { s in
                        if s.count != seen { return true }
                        if s.ended { return false }
                        s.waiters.append(c)
                        return nil
                    }
                    if let now { c.resume(returning: now) }
                }
            } onCancel: { self.end() }
        } onGracefulShutdown: { self.end() }
    }

    private func end() {
        let waiters = state.withLock { s in
            s.ended = true
            defer { s.waiters = [] }
            return s.waiters
        }
        for waiter in waiters { waiter.resume(returning: false) }
    }
}
