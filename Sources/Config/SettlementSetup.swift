import Foundation
import Logging
import Settlement
import TerminalCore

/// Opens what a settlement command needs from one configuration file: the journal under
/// the state directory, the HTTP transport to the core, and the client on top.
package enum SettlementSetup {
    package static func client(configPath: String, logger: Logger = Logger(label: "cuntong.settlement")) throws -> SettlementClient {
        let config = try TerminalConfig.load(path: configPath)
        let settings = try config.coreSettings()
        let journal = try Journal(directory: settings.stateDirectory, keyFile: config.storage?.key_file)
        let transport = try HTTPCoreTransport(settings: settings)
        return SettlementClient(settings: settings, journal: journal, transport: transport, logger: logger)
    }
}
