import Settlement
import Synchronization

/// The settlement client in use; SIGHUP swaps it for one built from the new configuration.
package final class ClientBox: Sendable {
    let value: Mutex<SettlementClient>
    package init(_ client: SettlementClient) { value = Mutex(client) }
    package var client: SettlementClient { value.withLock { $0 } }
    /// Puts `new` in place and returns the old one (to shut down).
    package func swap(_ new: SettlementClient) -> SettlementClient {
        value.withLock { old in defer { old = new }; return old }
    }
}
