import ArgumentParser
import FaceTerminal
import Foundation
import Logging
import ServiceLifecycle
import Scanners
import Settlement
import TerminalCore
import TerminalService

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

    func validate() throws {
        guard recoverInterval >= 1 else { throw ValidationError("--recover-interval must be at least 1 second") }
        guard linkProbeMax >= 1 else { throw ValidationError("--link-probe-max must be at least 1 second") }
    }

    func run() async throws {
        let level = ProcessInfo.processInfo.environment["CUNTONG_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        LoggingSystem.bootstrap(JournalLogHandler.factory(level: level))
        let logger = Logger(label: "cuntongd")
        let terminalConfig: TerminalConfig
        let client: SettlementClient
        do {
            terminalConfig = try TerminalConfig.load(path: config)
            client = try SettlementSetup.client(configPath: config, logger: Logger(label: "cuntongd.settlement"))
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("cuntongd: \(error)\n".utf8))
            throw ExitCode(1)
        }
        let simulatorMode = simulator || terminalConfig.simulatorEnabled
        let listeners: APIListeners
        let scanners: any ScannerSource
        let face: FaceEndpoint?
        let cards: CardWatcher
        do {
            listeners = try DaemonSetup.listeners(terminalConfig)
            scanners = try DaemonSetup.scannerSource(terminalConfig, devDirectory: devDirectory)
            face = try DaemonSetup.checkedFaceEndpoint(terminalConfig)
            cards = CardWatcher(allowVirtualReaders: simulator || terminalConfig.simulatorEnabled,
                                applications: try terminalConfig.cardApplications(path: config),
                                reservedReaders: terminalConfig.reservedReaders, apduTimeout: terminalConfig.cardAPDUTimeout)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("cuntongd: \(error)\n".utf8))
            throw ExitCode(1)
        }
        logger.info("starting", metadata: ["version": "\(CuntongVersion.string)", "simulator": "\(simulatorMode)", "config": "\(config)"])
        let metrics = MetricsExport()
        metrics.bootstrap()
        let state = DaemonState()
        let hub = EventHub()
        let box = ClientBox(client)
        // What the journal already holds counts from the start (READY's STATUS=), before
        // the first recovery pass resolves it: a 2207 left "sending" by a killed process
        // is in doubt.
        let waiting = (inDoubt: (try? client.journal.inDoubtCount()) ?? 0,
                       queued: (try? client.journal.count(in: [.queued])) ?? 0)
        state.update {
            $0.faceEndpoint = face?.description
            $0.inDoubt = waiting.inDoubt
            $0.queued = waiting.queued
        }
        let faceLink = face.map(FaceLink.init(endpoint:))
        let link = CoreLink(state: state, hub: hub)
        let desk = CheckinDesk(client: box, hub: hub, state: state, face: faceLink, link: link)
        let ready = ReadySignal()
        let handler = APIHandler(
            settings: .init(version: CuntongVersion.string,
                            institution: .init(code: terminalConfig.institution.code, name: terminalConfig.institution.name),
                            terminal: terminalConfig.terminal.device_no, simulator: simulatorMode, coreURL: terminalConfig.core.url,
                            catalogue: terminalConfig.api?.catalogue,
                            doctor: .init(code: terminalConfig.terminal.operator, name: terminalConfig.terminal.operator_name)),
            desk: desk, hub: hub, state: state, client: box, metrics: metrics)
        // Graceful shutdown runs from the last service to the first: the API finishes the
        // requests in flight before recovery shuts the settlement client down.
        let supervisor = Logger(label: "cuntongd.supervisor")
        func supervised(_ name: String, _ service: any Service) -> any Service {
            Supervised(name, service, logger: supervisor) { name, _ in
                state.update { $0.notice = "\(name) restarted after a failure" }
            }
        }
        var services: [any Service] = [
            supervised("settlement recovery", SettlementRecoveryService(
                client: box, interval: .seconds(recoverInterval), state: state, desk: desk, link: link,
                logger: Logger(label: "cuntongd.recovery"), redactionCutoff: { terminalConfig.redactionCutoff() })),
            supervised("city-core link", CoreLinkService(
                client: box, link: link, state: state, maximumPause: .seconds(linkProbeMax),
                signOutOnStop: terminalConfig.core.sign_out_on_stop ?? false, logger: Logger(label: "cuntongd.core-link"))),
            supervised("card readers", CardReaderService(
                watcher: cards, state: state, hub: hub, desk: desk, logger: Logger(label: "cuntongd.cards"))),
            supervised("scanners", ScannerService(
                state: state, hub: hub, desk: desk, logger: Logger(label: "cuntongd.scanners"), watcher: scanners)),
            supervised("configuration reload", ReloadService(
                configPath: config, box: box, state: state, logger: Logger(label: "cuntongd.reload"))),
            supervised("local API", APIService(
                handler: handler, listeners: listeners, ready: ready, logger: Logger(label: "cuntongd.api"))),
            NotifyService(notify: SystemdNotify(), state: state, watchdog: SystemdNotify.watchdogInterval(), ready: ready),
        ]
        if let faceLink {
            // Before the API: on shutdown the API's requests finish first, then the link closes.
            services.insert(supervised("face terminal", FaceTerminalService(
                link: faceLink, state: state, hub: hub, logger: Logger(label: "cuntongd.face"))), at: 3)
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}
