import ArgumentParser
import Config
import Daemon
import Foundation
import Logging
import TerminalCore

/// The terminal daemon: supervises the card readers, the QR scanners and the settlement
/// client's recovery as long-lived services, tells systemd when it is ready and what is
/// connected, and stops cleanly on SIGTERM.
@main
struct CuntongDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cuntongd",
        abstract: "The cuntong terminal daemon.",
        discussion: """
            Reads the configuration (--config, default /etc/cuntong/cuntong.toml) and
            runs these parts, each restarted after a growing pause if it fails:
              card readers   every card inserted is read and offered to the check-in
              QR scanners    followed as they come and go ([scanner] for a fixed one)
              face terminal  [face] device or tcp; it scans while a check-in waits
              recovery       what a crash or an outage left in doubt is resolved at
                             start and every --recover-interval seconds
              core link      signs in at start and each new day (China time); while
                             the core cannot be reached, probes after a pause doubling
                             up to --link-probe-max seconds, then signs in and recovers
                             (state in /v1/status, events core.up/core.down)
              local API      docs/api.yaml on [api] socket (0660, group cuntong), and
                             on 127.0.0.1 with a bearer token when [api] listen and
                             token_file are set; the check-in page at /
            Under systemd (Type=notify): READY=1 once the API listens, STATUS= when
            what is connected changes, WATCHDOG=1 when WATCHDOG_USEC is set.
            When nothing has happened for --release-idle-pages seconds (after READY,
            and after each spell of check-ins), the executable's pages that are not in
            use are given back to the kernel (the code stays in the page cache): an
            idle terminal holds some 15 MiB instead of 40-50; a visit maps back what
            it needs on first use.
            SIGHUP reads the configuration again (an invalid one is reported and the
            previous one kept). SIGTERM or SIGINT: requests in flight finish (a
            settlement under way completes and is journaled), then exit 0.
            Logs go to stderr, personal data masked, with syslog priorities when
            stderr is the journal; CUNTONG_LOG_LEVEL=debug for more. Cards in
            "Virtual PCD" readers are ignored unless simulator mode is on
            (--simulator, [simulator] enabled = true, or CUNTONG_SIMULATOR=1).
            """,
        version: CuntongVersion.string)

    @Option(help: "Configuration file.")
    var config: String = TerminalConfig.defaultPath

    @Flag(help: "Simulator mode: accept cards in virtual (vpcd) readers.")
    var simulator = false

    @Option(help: "Seconds between settlement recovery passes.")
    var recoverInterval: Int = 300

    @Option(help: "While the city core is unreachable, the longest pause between two probes (seconds; the pause doubles from 1 s up to it).")
    var linkProbeMax: Int = 60

    @Option(help: "Device directory the scanner watch follows.")
    var devDirectory: String = "/dev"

    @Option(help: "Seconds without activity after which the executable's clean pages go back to the kernel (0: keep them).")
    var releaseIdlePages: Int = 30

    func validate() throws {
        guard recoverInterval >= 1 else { throw ValidationError("--recover-interval must be at least 1 second") }
        guard linkProbeMax >= 1 else { throw ValidationError("--link-probe-max must be at least 1 second") }
        guard releaseIdlePages >= 0 else { throw ValidationError("--release-idle-pages must be 0 (keep the pages) or more seconds") }
    }

    func run() async throws {
        let level = ProcessInfo.processInfo.environment["CUNTONG_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap(JournalLogHandler.factory(level: level))
        let logger = Logger(label: "cuntongd")
        var options = TerminalDaemon.Options(configPath: config)
        options.simulator = simulator
        options.recoverInterval = .seconds(recoverInterval)
        options.linkProbeMax = .seconds(linkProbeMax)
        options.devDirectory = devDirectory
        options.releaseIdlePagesAfter = releaseIdlePages > 0 ? .seconds(releaseIdlePages) : nil
        do {
            try await TerminalDaemon(options: options, logger: logger).run()
        } catch let failure as TerminalDaemon.StartFailure {
            logger.critical("cannot start", metadata: ["error": "\(failure)"])
            FileHandle.standardError.write(Data("cuntongd: \(failure)\n".utf8))
            throw ExitCode(1)
        }
    }
}
