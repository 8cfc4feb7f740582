import ArgumentParser
import Config
import Foundation
import Logging
import Settlement
import TerminalCore

/// stdout for results, stderr for errors: a script can rely on stdout holding only the result.
enum Output {
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("cuntong: " + text + "\n").utf8))
    }

    /// Prints the error on stderr and ends the command with a non-zero status.
    static func fail(_ error: some TerminalError) -> ExitCode {
        Output.error(error.description)
        return ExitCode(1)
    }
}

extension Output {
    /// Like `fail`, for an error of any type: a `TerminalError` keeps its message and code.
    static func fail(any error: any Error) -> ExitCode {
        if let e = error as? any TerminalError {
            Output.error(e.description)
        } else {
            Output.error("\(error)")
        }
        return ExitCode(1)
    }
}

/// `--config PATH`, shared by every command that talks to the core.
struct ConfigOption: ParsableArguments {
    @Option(name: .customLong("config"), help: "Configuration file.")
    var path: String = TerminalConfigDefaults.path
}

enum TerminalConfigDefaults {
    static let path = "/etc/cuntong/cuntong.toml"
}

/// Runs `body` with a client for the configuration at `path`, shutting its HTTP client down
/// whatever happens.
func withSettlementClient<T: Sendable>(_ path: String, _ body: (SettlementClient) async throws -> T) async throws -> T {
    // Logs go to stderr (stdout holds only the result); notices and worse by default.
    var logger = Logger(label: "cuntong.settlement") { StreamLogHandler.standardError(label: $0) }
    logger.logLevel = ProcessInfo.processInfo.environment["CUNTONG_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .notice
    let client = try SettlementSetup.client(configPath: path, logger: logger)
    do {
        let value = try await body(client)
        await client.shutdown()
        return value
    } catch {
        await client.shutdown()
        throw error
    }
}
