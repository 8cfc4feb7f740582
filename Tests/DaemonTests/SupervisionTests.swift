import Daemon
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport

/// One failing part of the daemon is restarted with a growing pause, and never takes the
/// daemon down; a graceful shutdown ends it at once.
@Suite("Supervision", .timeLimit(.minutes(1)))
struct SupervisionTests {
    /// Fails `failures` times, then runs until the daemon stops.
    final class Flaky: Service, Sendable {
        let failures: Int
        let starts = Mutex(0)
        init(failures: Int) { self.failures = failures }
        struct Broken: Error {}
        var started: Int { starts.withLock { $0 } }
        func run() async throws {
            let n = starts.withLock { $0 += 1; return $0 }
            if n <= failures { throw Broken() }
            try? await gracefulShutdown()
        }
    }

    @Test("A service that fails twice is started three times, after 100 ms then 200 ms; the others keep running; SIGTERM-like shutdown ends it")
    func restartsWithBackoff() async throws {
        let clock = ManualClock()
        let flaky = Flaky(failures: 2)
        let steady = Flaky(failures: 0)
        let restarts = Mutex<[String]>([])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let group = ServiceGroup(configuration: .init(services: [
            .init(service: Supervised("steady", steady, clock: clock, logger: logger)),
            .init(service: Supervised("flaky", flaky, initial: .milliseconds(100), maximum: .seconds(5), clock: clock, logger: logger) { name, _ in
                restarts.withLock { $0.append(name) }
            }),
        ], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // The first failure: pausing 100 ms on the clock, not restarted before.
            #expect(await settled { flaky.started == 1 && clock.sleeping == 1 })
            clock.advance(by: .milliseconds(99))
            #expect(await settled { clock.sleeping == 1 } && flaky.started == 1, "not restarted before its pause")
            clock.advance(by: .milliseconds(1))
            // The second failure: the pause doubles to 200 ms.
            #expect(await settled { flaky.started == 2 && clock.sleeping == 1 })
            clock.advance(by: .milliseconds(199))
            #expect(await settled { clock.sleeping == 1 } && flaky.started == 2, "the pause doubled")
            clock.advance(by: .milliseconds(1))
            #expect(await settled { flaky.started == 3 })
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(flaky.started == 3)
        #expect(restarts.withLock { $0 } == ["flaky", "flaky"])
        #expect(steady.started == 1, "the other service was never restarted")
    }

    @Test("A graceful shutdown during a pause ends the supervisor at once, without another start")
    func shutdownDuringPause() async throws {
        let clock = ManualClock()
        let flaky = Flaky(failures: 5)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let group = ServiceGroup(configuration: .init(services: [
            .init(service: Supervised("flaky", flaky, initial: .seconds(30), clock: clock, logger: logger)),
        ], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            #expect(await settled { flaky.started == 1 && clock.sleeping == 1 })
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(flaky.started == 1)
        #expect(clock.sleeping == 0)
    }
}
