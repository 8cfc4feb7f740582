import Logging
import ServiceLifecycle

/// Keeps a device or client service running: if it ends or fails while the daemon is not
/// stopping, the failure is logged and the service started again after a pause that
/// doubles up to `maximum` (and starts over once it has run for a while). One failing part
/// never takes the daemon, or the other parts, down. The pauses are measured on `clock`
/// (the continuous clock in the daemon, a manual one in tests, which then do not sleep).
package struct Supervised<C: Clock>: Service where C.Duration == Duration {
    let name: String
    let service: any Service
    let initial: Duration
    let maximum: Duration
    let clock: C
    let logger: Logger
    let onRestart: @Sendable (String, String) -> Void

    package init(_ name: String, _ service: any Service, initial: Duration = .seconds(1), maximum: Duration = .seconds(60),
                clock: C, logger: Logger,
                onRestart: @escaping @Sendable (_ name: String, _ why: String) -> Void = { _, _ in }) {
        self.name = name
        self.service = service
        self.initial = initial
        self.maximum = maximum
        self.clock = clock
        self.logger = logger
        self.onRestart = onRestart
    }

    package func run() async throws {
        var pause = initial
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let started = clock.now
            var why = "it ended"
            do { try await service.run() } catch { why = "\(error)" }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            // A run that lasted resets the pause: this is a new failure, not the same one.
            if started.duration(to: clock.now) > maximum { pause = initial }
            logger.error("service stopped; restarting", metadata: ["service": "\(name)", "why": "\(why)", "in": "\(pause)"])
            onRestart(name, why)
            let wait = pause
            try? await cancelWhenGracefulShutdown { try await clock.sleep(for: wait) }
            pause = min(pause * 2, maximum)
        }
    }
}

extension Supervised where C == ContinuousClock {
    package init(_ name: String, _ service: any Service, initial: Duration = .seconds(1), maximum: Duration = .seconds(60),
                logger: Logger, onRestart: @escaping @Sendable (_ name: String, _ why: String) -> Void = { _, _ in }) {
        self.init(name, service, initial: initial, maximum: maximum, clock: ContinuousClock(), logger: logger, onRestart: onRestart)
    }
}
