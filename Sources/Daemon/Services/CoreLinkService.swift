import CheckinDesk
import Foundation
import Logging
import ServiceLifecycle
import Settlement
import TerminalCore

/// Keeps the link known: signs in (9001) at start and again when the day changes in China,
/// and while the link is down probes it with a capped, jittered backoff until the core
/// answers, then signs in and runs recovery at once. While the link is up nothing is sent
/// and nothing wakes but the day's timer.
package struct CoreLinkService: Service {
    let box: ClientBox
    let link: CoreLink
    let state: TerminalState
    let maximumPause: Duration
    let signOutOnStop: Bool
    let logger: Logger

    package init(client: ClientBox, link: CoreLink, state: TerminalState, maximumPause: Duration = .seconds(60),
                signOutOnStop: Bool = false, logger: Logger) {
        self.box = client
        self.link = link
        self.state = state
        self.maximumPause = maximumPause
        self.signOutOnStop = signOutOnStop
        self.logger = logger
    }

    package func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            // Each time the link goes down (whoever saw it), probe until it is back.
            group.addTask {
                for await _ in link.downs.cancelOnGracefulShutdown() where state.snapshot.coreReachable != true {
                    await probeUntilUp()
                }
            }
            // At start and at each change of day (China time), sign in.
            group.addTask {
                await signIn()
                while (try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.untilNextDay(Date())) }) != nil {
                    await signIn()
                }
            }
            await group.next()
            group.cancelAll()
        }
        // An orderly stop: sign out where the core expects it (`[core] sign_out_on_stop`),
        // only while the link is up, so a stop never waits on a dead link.
        if signOutOnStop, state.snapshot.coreReachable == true {
            do {
                try await box.client.signOut()
                logger.notice("signed out of the city core (9002)")
            } catch {
                logger.warning("sign-out failed", metadata: ["code": "\(error.code)"])
            }
        }
    }

    /// 9001 now: the link's truth, and the day's sign_no.
    func signIn() async {
        do {
            _ = try await box.client.signIn(force: true)
            state.update { $0.signedInAt = Date() }
            link.up()
        } catch {
            link.report(error)
            if case .coreTimeout = error { link.down(error) }
            logger.warning("sign-in failed", metadata: ["code": "\(error.code)"])
        }
    }

    /// While down: a light probe (one HTTP request, nothing journaled) after each pause,
    /// the pause doubling from 1 s to `maximumPause`, ±20 % so terminals do not probe in step.
    func probeUntilUp() async {
        var pause = Duration.seconds(1)
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let jittered = pause * Double.random(in: 0.8...1.2)
            guard (try? await cancelWhenGracefulShutdown { try await Task.sleep(for: jittered) }) != nil else { return }
            if await box.client.coreAnswers() {
                await signIn()
                if state.snapshot.coreReachable == true {
                    // Whatever waited for the link goes now.
                    if let report = try? await box.client.recover() {
                        state.update {
                            $0.inDoubt = report.stillInDoubt
                            $0.queued = report.stillQueued
                        }
                    }
                    return
                }
            }
            pause = min(pause * 2, maximumPause)
        }
    }

    /// From `now` to a few seconds past the next midnight, China time.
    static func untilNextDay(_ now: Date) -> Duration {
        let secondsIntoDay = (Int(now.timeIntervalSince1970) + 8 * 3600) % 86_400
        return .seconds(86_400 - secondsIntoDay + 5)
    }
}
