import Catalogue
import CheckinDesk
import Foundation
import Logging
import ServiceLifecycle
import Settlement
import TerminalCore

/// Syncs the catalogue once a day at `[catalogue] sync_at` (China time), moved by up to
/// `sync_spread_minutes` either way by the terminal's device number, so that a city's
/// terminals do not all arrive at the core in the same minute. Only while the core link is
/// up: at the hour with the link down it waits for the link to come back. Between syncs it
/// sleeps until the next one: one wake-up a day.
package struct CatalogueSyncService: Service {
    package struct Schedule: Sendable, Equatable {
        package var hour: Int
        package var minute: Int
        package var second: Int
        /// This terminal's offset from the hour, in seconds.
        package var offset: Int

        /// `"HH:MM"` or `"HH:MM:SS"`; `spreadMinutes` either way, chosen by `deviceNo`.
        package init?(_ text: String, deviceNo: String, spreadMinutes: Int) {
            let parts = text.split(separator: ":").map { Int($0) }
            guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0 != nil }),
                  let h = parts[0], let m = parts[1], (0..<24).contains(h), (0..<60).contains(m) else { return nil }
            let s = parts.count == 3 ? parts[2]! : 0
            guard (0..<60).contains(s), spreadMinutes >= 0, spreadMinutes <= 720 else { return nil }
            hour = h
            minute = m
            second = s
            // FNV-1a of the device number: stable across runs and builds (Swift's hash is not).
            var hash: UInt64 = 0xcbf29ce484222325
            for b in deviceNo.utf8 { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
            let span = spreadMinutes * 60
            offset = span == 0 ? 0 : Int(hash % UInt64(2 * span + 1)) - span
        }

        /// The next moment of the sync after `now`.
        package func next(after now: Date) -> Date {
            var cal = Calendar(identifier: .gregorian)
            cal.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
            let day = cal.startOfDay(for: now)
            let base = TimeInterval(hour * 3600 + minute * 60 + second + offset)
            var candidate = day.addingTimeInterval(base)
            while candidate <= now { candidate = candidate.addingTimeInterval(86_400) }
            while candidate.timeIntervalSince(now) > 86_400 { candidate = candidate.addingTimeInterval(-86_400) }
            return candidate
        }
    }

    let box: ClientBox
    let store: CatalogueStore
    let hub: EventHub
    let state: TerminalState
    let schedule: Schedule
    let workDirectory: String
    let pageSize: Int
    let priceList: String?
    let logger: Logger

    package init(client: ClientBox, store: CatalogueStore, hub: EventHub, state: TerminalState, schedule: Schedule,
                 workDirectory: String, pageSize: Int, priceList: String?, logger: Logger) {
        self.box = client
        self.store = store
        self.hub = hub
        self.state = state
        self.schedule = schedule
        self.workDirectory = workDirectory
        self.pageSize = pageSize
        self.priceList = priceList
        self.logger = logger
    }

    package func run() async throws {
        while true {
            let at = schedule.next(after: Date())
            logger.info("next catalogue sync", metadata: ["at": "\(WireTime.infTime(at))"])
            guard (try? await cancelWhenGracefulShutdown({ try await Task.sleep(for: .seconds(max(at.timeIntervalSinceNow, 0))) })) != nil else {
                return
            }
            guard await linkIsUp() else { return }
            // A stop during the sync ends it: the list being imported stays as it was.
            _ = try? await cancelWhenGracefulShutdown { await syncNow() }
        }
    }

    /// True once the link is up (at once if it is); false if the daemon stops first.
    func linkIsUp() async -> Bool {
        let events = hub.subscribe()
        if state.snapshot.coreReachable == true { return true }
        logger.notice("the catalogue sync waits for the city core link")
        for await event in events.cancelOnGracefulShutdown() where event.kind == .coreUp { return true }
        return false
    }

    func syncNow() async {
        var sync = CatalogueSync(client: box.client, store: store, workDirectory: workDirectory, logger: logger)
        sync.pageSize = pageSize
        let started = ContinuousClock.now
        let outcomes = await sync.run(lists: CatalogueSync.defaultLists)
        if let priceList { _ = try? await store.seed(priceList: priceList, now: Date()) }
        let failed = outcomes.filter { if case .failure = $0.result { true } else { false } }
        for o in outcomes {
            switch o.result {
            case .success(let r):
                logger.info("catalogue list synced", metadata: ["list": "\(r.list)", "added": "\(r.added)", "updated": "\(r.updated)",
                                                                  "version": "\(r.version ?? "-")"])
            case .failure(let e):
                logger.warning("catalogue list not synced; the previous one stays in use", metadata: ["list": "\(o.list)", "code": "\(e.code)"])
            }
        }
        logger.notice("catalogue sync done", metadata: ["lists": "\(outcomes.count)", "failed": "\(failed.count)",
                                                        "seconds": "\((ContinuousClock.now - started).components.seconds)"])
    }
}
