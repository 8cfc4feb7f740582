import APIServer
import CheckinDesk
import Foundation
import ServiceLifecycle

/// Tells systemd the daemon is ready once the other services run, keeps STATUS= current,
/// and pings the watchdog when one is set.
package struct NotifyService: Service {
    let notify: SystemdNotify
    let state: TerminalState
    let watchdog: Duration?
    let ready: ReadySignal?

    package init(notify: SystemdNotify, state: TerminalState, watchdog: Duration?, ready: ReadySignal? = nil) {
        self.notify = notify
        self.state = state
        self.watchdog = watchdog
        self.ready = ready
    }

    package func run() async throws {
        // READY=1 once the API listens (a graceful shutdown before that ends the wait).
        if let ready {
            await ready.waitUnlessStopping()
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
        }
        notify.send("READY=1\nSTATUS=\(state.statusLine)")
        let notify = self.notify, state = self.state
        await withTaskGroup(of: Void.self) { group in
            // STATUS= when what is connected changes: woken by the change, not by a timer.
            group.addTask {
                var last = state.statusLine
                for await _ in state.changes.cancelOnGracefulShutdown() {
                    let status = state.statusLine
                    if status != last {
                        notify.send("STATUS=\(status)")
                        last = status
                    }
                }
            }
            // WATCHDOG=1 at half the interval systemd set; nothing without one.
            if let watchdog {
                group.addTask {
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        notify.send("WATCHDOG=1")
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: watchdog / 2) }
                    }
                }
            }
        }
        notify.send("STOPPING=1")
    }
}
