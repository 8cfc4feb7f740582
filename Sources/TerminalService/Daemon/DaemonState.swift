import Foundation
import Synchronization

/// What the daemon knows about its devices and the core: for systemd's STATUS= lines and
/// the API's /v1/status. Written by the services, read by anyone.
public final class DaemonState: Sendable {
    public struct Reader: Sendable, Equatable {
        public var virtual: Bool
        public var cardPresent: Bool
    }
    public struct Snapshot: Sendable {
        public var readers: [String: Reader] = [:]
        /// Device path → mode (keyboard, hidpos, serial).
        public var scanners: [String: String] = [:]
        public var faceEndpoint: String?
        public var faceLastResult: String?
        public var faceConnected = false
        public var coreReachable: Bool?
        public var lastContact: Date?
        public var inDoubt = 0
        public var queued = 0
        /// The last configuration reload, or a service restarted after a failure.
        public var notice: String?
        public var checkinWaiting = false
    }
    let value = Mutex(Snapshot())
    /// Nudged on every update, for the one reader that reports changes (systemd's STATUS=):
    /// it wakes when something changed, never on a timer.
    public let changes: AsyncStream<Void>
    private let changed: AsyncStream<Void>.Continuation

    public init() {
        (changes, changed) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
    }

    public var snapshot: Snapshot { value.withLock { $0 } }

    public func update(_ change: (inout Snapshot) -> Void) {
        value.withLock { change(&$0) }
        changed.yield()
    }

    /// The outcome of a message to the core: the link is up when the core answered anything.
    public func coreContact(reachable: Bool) {
        update {
            $0.coreReachable = reachable
            if reachable { $0.lastContact = Date() }
        }
    }

    /// One line for systemd's STATUS=: what is connected.
    public var statusLine: String {
        value.withLock { s in
            let core = s.coreReachable.map { $0 ? "core reachable" : "core UNREACHABLE" } ?? "core not checked yet"
            let face = s.faceEndpoint == nil ? "" : s.faceConnected ? ", face terminal connected" : ", face terminal MISSING"
            return "readers \(s.readers.count), scanners \(s.scanners.count)\(face), \(core), in doubt \(s.inDoubt), queued \(s.queued)"
                + (s.notice.map { "; \($0)" } ?? "")
        }
    }
}
