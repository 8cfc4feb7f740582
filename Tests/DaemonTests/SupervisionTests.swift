import Logging
import ServiceLifecycle
import Synchronization
import TerminalService
import Testing

/// One failing part of the daemon is restarted with a growing pause, and never takes the
/// daemon down; a graceful shutdown ends it at once.
@Suite("Supervision", .timeLimit(.minutes(1)))
struct SupervisionTests {
    /// Fails `failures` times, then runs until the daemon stops.
    final class Flaky: Service, Sendable {
        let failures: Int
        let starts = Mutex<[ContinuousClock.Instant]>([])
        init(failures: Int) { self.failures = failures }
        struct Broken: Error {}
        func run() async throws {
            let n = starts.withLock { $0.append(.now); return $0.count }
            if n <= failures { throw Broken() }
            try? await gracefulShutdown()
        }
    }

    @Test("A service that fails twice is started three times, after 100 ms then 200 ms; the others keep running; SIGTERM-like shutdown ends it")
    func restartsWithBackoff() async throws {
        let flaky = Flaky(failures: 2)
        let steady = Flaky(failures: 0)
        let restarts = Mutex<[String]>([])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let group = ServiceGroup(configuration: .init(services: [
            .init(service: Supervised("steady", steady, logger: logger)),
            .init(service: Supervised("flaky", flaky, initial: .milliseconds(100), maximum: .seconds(5), logger: logger) { name, _ in
                restarts.withLock { $0.append(name) }
            }),
        ], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let deadline = ContinuousClock.now + .seconds(10)
            while flaky.starts.withLock({ $0.count }) < 3, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let starts = flaky.starts.withLock { $0 }
        #expect(starts.count == 3)
        #expect(restarts.withLock { $0 } == ["flaky", "flaky"])
        #expect(steady.starts.withLock { $0.count } == 1, "the other service was never restarted")
        if starts.count == 3 {
            #expect(starts[1] - starts[0] >= .milliseconds(100))
            #expect(starts[2] - starts[1] >= .milliseconds(200), "the pause doubles")
        }
    }
}
