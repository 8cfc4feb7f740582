import FaceTerminal
import Synchronization

/// The face terminal's connection, held while the daemon runs; check-ins scan over it.
package final class FaceLink: Sendable {
    package let endpoint: FaceEndpoint
    private let current = Mutex<FaceTerminalClient?>(nil)

    package init(endpoint: FaceEndpoint) { self.endpoint = endpoint }

    package var client: FaceTerminalClient? { current.withLock { $0 } }
    package func set(_ client: FaceTerminalClient?) { current.withLock { $0 = client } }
}
