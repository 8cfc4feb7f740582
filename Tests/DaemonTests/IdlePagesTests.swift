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

    @Test("Only code with no private page is unmapped (DONTNEED); relocated read-only data and data are paged out instead")
    func choosesTheAdvicePerMapping() {
        // As Linux 6.18 writes /proc/PID/smaps for a static PIE cuntongd (fields trimmed).
        let smaps = """
            55a441696000-55a4447e2000 r-xp 00000000 fe:00 5317968                    /usr/bin/cuntongd
            Size:              50480 kB
            Rss:               29820 kB
            Anonymous:             0 kB
            VmFlags: rd ex mr mw me
            55a4447e3000-55a444937000 r--p 0314c000 fe:00 5317968                    /usr/bin/cuntongd
            Rss:                1360 kB
            Anonymous:          1360 kB
            VmFlags: rd mr mw me ac
            55a444937000-55a446ef7000 rw-p 032a0000 fe:00 5317968                    /usr/bin/cuntongd
            Rss:                5184 kB
            Anonymous:           488 kB
            VmFlags: rd wr mr mw me ac
            55a446ef7000-55a44707b000 rw-p 00000000 00:00 0
            Anonymous:           696 kB
            7ff32ea44000-7ff32eb9a000 r-xp 00026000 fe:00 333151                     /usr/lib/x86_64-linux-gnu/libc.so.6
            Anonymous:             0 kB
            7ff32ec00000-7ff32ec10000 r-xp 00000000 fe:00 5317969                    /opt/my tools/cuntongd
            Anonymous:             0 kB
            7ff32ed00000-7ff32ed10000 r-xp 00000000 fe:00 5317968                    /usr/bin/cuntongd
            Anonymous:             8 kB
            """
        let mappings = ExecutablePages.mappings(ofFile: "/usr/bin/cuntongd", smaps: smaps)
        #expect(mappings.map(\.range.lowerBound) == [0x55a441696000, 0x55a4447e3000, 0x55a444937000, 0x7ff32ed00000],
                "the executable's own mappings only")
        #expect(mappings.map(\.unmappable) == [true, false, false, false],
                "code unmapped; relocated (written) pages and writable mappings never")
        #expect(mappings.map(\.anonymousKiB) == [0, 1360, 488, 8])
        #expect(ExecutablePages.mappings(ofFile: "/opt/my tools/cuntongd", smaps: smaps).count == 1, "a path with a space")
    }
}
