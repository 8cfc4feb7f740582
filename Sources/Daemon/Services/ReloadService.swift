import CheckinDesk
import Config
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// SIGHUP: read the configuration again. A valid one replaces the settlement client (the
/// core's address, timeouts, CA, institution); an invalid one is reported and the daemon
/// keeps running with the previous one.
package struct ReloadService: Service {
    let configPath: String
    let box: ClientBox
    let state: TerminalState
    let logger: Logger

    package init(configPath: String, box: ClientBox, state: TerminalState, logger: Logger) {
        self.configPath = configPath
        self.box = box
        self.state = state
        self.logger = logger
    }

    package func run() async throws {
        for await _ in await UnixSignalsSequence(trapping: .sighup).cancelOnGracefulShutdown() {
            do {
                let client = try SettlementSetup.client(configPath: configPath, logger: Logger(label: "cuntongd.settlement"))
                await box.swap(client).shutdown()
                state.update { $0.notice = "configuration reloaded" }
                logger.notice("configuration reloaded", metadata: ["config": "\(configPath)"])
            } catch {
                state.update { $0.notice = "configuration reload FAILED, running with the previous one" }
                logger.error("configuration reload failed; keeping the previous one", metadata: ["error": "\(error)"])
            }
        }
    }
}
