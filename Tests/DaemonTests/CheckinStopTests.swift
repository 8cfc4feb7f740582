import CheckinDesk
import Testing
import TestSupport

/// A stopping daemon (SIGTERM: a restart, an update) must not wait out a check-in: the page
/// keeps one waiting for a credential at all times, and asks for the next one at once.
@Suite("Check-in desk when the daemon stops", .timeLimit(.minutes(1)))
struct CheckinStopTests {
    /// How a wait for a credential ended, as the API reports it.
    static func waitOutcome(_ desk: CheckinDesk, seconds: Int) async -> String {
        do {
            _ = try await desk.checkIn(idNumber: nil, waitSeconds: seconds)
            return "checked in"
        } catch let problem as CheckinProblem {
            return problem.code
        } catch {
            return "\(error)"
        }
    }

    @Test("The wait in progress ends with CHECKIN-STOPPING, and a wait asked for after the stop began is refused at once")
    func stopEndsEveryWait() async throws {
        try await withCore { core in
            let client = try core.client()
            let state = TerminalState()
            let desk = CheckinDesk(client: ClientBox(client), hub: EventHub(), state: state, face: nil)

            async let waiting = Self.waitOutcome(desk, seconds: 300)
            #expect(await settled { state.snapshot.checkinWaiting }, "the wait has begun")
            await desk.stopWaiting()
            #expect(await waiting == "CHECKIN-STOPPING")
            // The page asks again at once: refused, not held for its 300 s.
            #expect(await Self.waitOutcome(desk, seconds: 300) == "CHECKIN-STOPPING")
            #expect(!state.snapshot.checkinWaiting)
            await client.shutdown()
        }
    }
}
