import APIServer
import CheckinDesk
import Daemon
import Foundation
import Logging
import Synchronization
import Testing
import TestSupport

/// An idle terminal gives back the pages of its executable it is not using: once after the
/// start, and again after each spell of activity, with no timer running while idle.
@Suite("Idle memory", .timeLimit(.minutes(1)))
struct IdlePagesTests {
    final class Releases: Sendable {
        let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func release() -> ExecutablePages.Release? {
            count.withLock { $0 += 1 }
            return nil
        }
    }

    @Test("Pages go back 30 s after READY (start-up events do not postpone it), then only 30 s after the latest event, and no timer runs while idle")
    func releasesWhenQuiet() async throws {
        let clock = ManualClock()
        let hub = EventHub()
        let ready = ReadySignal()
        let releases = Releases()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let service = IdlePagesService(ready: ready, hub: hub, quiet: .seconds(30), clock: clock, logger: logger,
                                       release: { releases.release() })
        let task = Task { try await service.run() }
        defer { task.cancel() }

        // Before READY: nothing, however long.
        #expect(await settled { clock.sleeping == 0 })
        clock.advance(by: .seconds(120))
        #expect(releases.value == 0)

        ready.fire()
        #expect(await settled { clock.sleeping == 1 })
        hub.publish(.deviceConnected)  // a reader announced during the start
        clock.advance(by: .seconds(29))
        #expect(await settled { clock.sleeping == 1 } && releases.value == 0, "not before 30 s")
        clock.advance(by: .seconds(1))
        #expect(await settled { releases.value == 1 }, "30 s after READY")

        // Idle: no timer at all, and nothing more to give back.
        #expect(await settled { clock.sleeping == 0 })
        clock.advance(by: .seconds(600))
        #expect(releases.value == 1)

        // A visit: a check-in, then a settlement 20 s later; pages go back 30 s after the last.
        hub.publish(.identityResolved)
        #expect(await settled { clock.sleeping == 1 })
        clock.advance(by: .seconds(20))
        hub.publish(.settlementDone)
        clock.advance(by: .seconds(10))
        #expect(await settled { clock.sleeping == 1 } && releases.value == 1, "30 s after the check-in but 10 s after the settlement")
        clock.advance(by: .seconds(19))
        #expect(await settled { clock.sleeping == 1 } && releases.value == 1)
        clock.advance(by: .seconds(1))
        #expect(await settled { releases.value == 2 }, "30 s after the settlement")
        #expect(await settled { clock.sleeping == 0 })
    }

    @Test("Giving back the executable's clean pages shrinks the process's resident file pages")
    func givesBackPages() throws {
        // The test process has run plenty of its executable: some of it is resident.
        let release = try #require(ExecutablePages.releaseClean(), "/proc/self/maps names the executable")
        #expect(release.mappings > 0)
        #expect(release.refused == 0, "the kernel takes MADV_PAGEOUT (Linux 5.4 and later)")
        #expect(release.residentAfter < release.residentBefore,
                "RssFile \(release.residentBefore) KiB → \(release.residentAfter) KiB")
    }
}
