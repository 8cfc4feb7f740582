import Foundation
import Synchronization

/// What the daemon knows about its devices and the core: for systemd's STATUS= lines and
/// the API's /v1/status. Written by the services, read by anyone.
package final class TerminalState: Sendable {
    package struct Reader: Sendable, Equatable {
        package var virtual: Bool
        package var cardPresent: Bool

        package init(virtual: Bool, cardPresent: Bool) {
            self.virtual = virtual
            self.cardPresent = cardPresent
        }
    }
    package struct Snapshot: Sendable {
        package var readers: [String: Reader] = [:]
        /// Device path → mode (keyboard, hidpos, serial).
        package var scanners: [String: String] = [:]
        package var faceEndpoint: String?
        package var faceLastResult: String?
        package var faceConnected = false
        /// The link to the city core: nil until the first contact, then up or down.
        package var coreReachable: Bool?
        /// When the core last answered anything; nil until it has.
        package var lastContact: Date?
        /// Since when the link is as `coreReachable` says, and why it is down.
        package var coreSince: Date?
        package var coreDownReason: String?
        /// When the daemon last signed in (9001).
        package var signedInAt: Date?
        package var inDoubt = 0
        package var queued = 0
        /// The last configuration reload, or a service restarted after a failure.
        package var notice: String?
        package var checkinWaiting = false
    }
    let value = Mutex(Snapshot())
    /// Nudged on every update, for the one reader that reports changes (systemd's STATUS=):
    /// it wakes when something changed, never on a timer.
    package let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation

    package init() {
        (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    package var snapshot: Snapshot { value.withLock { $0 } }

    package func update(_ change: (inout Snapshot) -> Void) {
        value.withLock { change(&$0) }
        changed.yield()
    }

    /// The outcome of a message to the core: the link is up when the core answered anything,
    /// down (with the reason) when it could not be reached. Returns whether the link changed.
    @discardableResult
    package func coreContact(reachable: Bool, reason: String? = nil, now: Date = Date()) -> Bool {
        var changed = false
        update {
            changed = $0.coreReachable != reachable
            if changed { $0.coreSince = now }
            $0.coreReachable = reachable
            $0.coreDownReason = reachable ? nil : (reason ?? $0.coreDownReason)
            if reachable { $0.lastContact = now }
        }
        return changed
    }

    /// One line for systemd's STATUS=: what is connected.
    package var statusLine: String {
        value.withLock { s in
            let core = s.coreReachable.map { $0 ? "core reachable" : "core UNREACHABLE" } ?? "core not checked yet"
            let face = s.faceEndpoint == nil ? "" : s.faceConnected ? ", face terminal connected" : ", face terminal MISSING"
            return "readers \(s.readers.count), scanners \(s.scanners.count)\(face), \(core), in doubt \(s.inDoubt), queued \(s.queued)"
                + (s.notice.map { "; \($0)" } ?? "")
        }
    }
}
