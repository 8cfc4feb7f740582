import APIServer
import Catalogue
import CheckinDesk
import Config
import FaceTerminal
import Foundation
import Logging
import Scanners
import ServiceLifecycle
import Settlement
import TerminalCore

/// cuntongd's parts, put together from one configuration file and run until SIGTERM.
package struct TerminalDaemon {
    package struct Options: Sendable {
        package var configPath: String
        package var simulator = false
        package var recoverInterval: Duration = .seconds(300)
        package var linkProbeMax: Duration = .seconds(60)
        package var devDirectory = "/dev"
        /// How long the terminal is quiet (after READY, after activity) before the
        /// executable's clean pages go back to the kernel (`IdlePagesService`); nil keeps them.
        package var releaseIdlePagesAfter: Duration? = .seconds(30)

        package init(configPath: String) { self.configPath = configPath }
    }

    /// The parts in the order they start. A graceful shutdown ends them from the last to the
    /// first: the API finishes its requests in flight while the face link, the devices and
    /// recovery (which shuts the settlement client down) still run.
    enum Part: String, CaseIterable {
        case recovery = "settlement recovery"
        case coreLink = "city-core link"
        case catalogue = "catalogue sync"
        case cardReaders = "card readers"
        case faceTerminal = "face terminal"
        case scanners
        case reload = "configuration reload"
        case api = "local API"
        case idlePages = "idle memory release"
        /// Not supervised: it tells systemd, and its end is the daemon's.
        case notify = "systemd notification"
    }

    /// A configuration the daemon cannot start with, in words.
    package struct StartFailure: Error, CustomStringConvertible {
        package let underlying: any Error
        package var description: String { "\(underlying)" }
    }

    let options: Options
    let logger: Logger

    package init(options: Options, logger: Logger = Logger(label: "cuntongd")) {
        self.options = options
        self.logger = logger
    }

    /// Starts every part and runs until a graceful shutdown (SIGTERM, SIGINT).
    package func run() async throws {
        let config = options.configPath
        let terminalConfig: TerminalConfig
        let client: SettlementClient
        let listeners: APIListeners
        let scanners: any ScannerSource
        let face: FaceEndpoint?
        let cards: CardWatcher
        do {
            terminalConfig = try TerminalConfig.load(path: config)
            client = try SettlementSetup.client(configPath: config, logger: Logger(label: "cuntongd.settlement"))
            listeners = try DaemonSetup.listeners(terminalConfig)
            scanners = try DaemonSetup.scannerSource(terminalConfig, devDirectory: options.devDirectory)
            face = try terminalConfig.checkedFaceEndpoint()
            cards = CardWatcher(allowVirtualReaders: options.simulator || terminalConfig.simulatorEnabled,
                                applications: try terminalConfig.cardApplications(path: config),
                                reservedReaders: terminalConfig.reservedReaders, apduTimeout: terminalConfig.cardAPDUTimeout)
        } catch {
            throw StartFailure(underlying: error)
        }
        let simulatorMode = options.simulator || terminalConfig.simulatorEnabled
        logger.info("starting", metadata: ["version": "\(CuntongVersion.string)", "simulator": "\(simulatorMode)", "config": "\(config)"])
        let hub = EventHub()
        let metrics = MetricsExport()
        metrics.bootstrap()
        metrics.observe(hub)
        let state = TerminalState()
        let box = ClientBox(client)
        // What the journal already holds counts from the start (READY's STATUS=), before
        // the first recovery pass resolves it: a 2207 left "sending" by a killed process
        // is in doubt.
        let waiting = await (inDoubt: (try? client.journal.inDoubtCount()) ?? 0,
                       queued: (try? client.journal.count(in: [.queued])) ?? 0)
        state.update {
            $0.faceEndpoint = face?.description
            $0.inDoubt = waiting.inDoubt
            $0.queued = waiting.queued
        }
        let faceLink = face.map(FaceLink.init(endpoint:))
        let link = CoreLink(state: state, hub: hub)
        let catalogue = await Self.openCatalogue(terminalConfig, logger: logger)
        let catalogueSchedule = try Self.catalogueSchedule(terminalConfig)
        let desk = CheckinDesk(client: box, hub: hub, state: state, face: faceLink, link: link,
                               feeCheck: FeeCheck(store: catalogue))
        let ready = ReadySignal()
        let handler = APIHandler(
            settings: .init(version: CuntongVersion.string,
                            institution: .init(code: terminalConfig.institution.code, name: terminalConfig.institution.name),
                            terminal: terminalConfig.terminal.device_no, simulator: simulatorMode, coreURL: terminalConfig.core.url,
                            catalogue: terminalConfig.api?.catalogue,
                            doctor: .init(code: terminalConfig.terminal.operator, name: terminalConfig.terminal.operator_name)),
            desk: desk, hub: hub, state: state, client: box, metrics: metrics)

        func service(_ part: Part) -> (any Service)? {
            switch part {
            case .recovery:
                SettlementRecoveryService(
                    client: box, interval: options.recoverInterval, state: state, desk: desk, link: link,
                    logger: Logger(label: "cuntongd.recovery"), redactionCutoff: { terminalConfig.redactionCutoff() })
            case .coreLink:
                CoreLinkService(
                    client: box, link: link, state: state, maximumPause: options.linkProbeMax,
                    signOutOnStop: terminalConfig.core.sign_out_on_stop ?? false, logger: Logger(label: "cuntongd.core-link"))
            case .catalogue:
                catalogue.map {
                    CatalogueSyncService(
                        client: box, store: $0, hub: hub, state: state, schedule: catalogueSchedule,
                        workDirectory: terminalConfig.stateDirectory() + "/catalogue-download",
                        pageSize: terminalConfig.catalogue?.page_size ?? 1000, priceList: terminalConfig.api?.catalogue,
                        logger: Logger(label: "cuntongd.catalogue"))
                }
            case .cardReaders:
                CardReaderService(watcher: cards, state: state, hub: hub, desk: desk, logger: Logger(label: "cuntongd.cards"))
            case .scanners:
                ScannerService(state: state, hub: hub, desk: desk, logger: Logger(label: "cuntongd.scanners"), watcher: scanners)
            case .faceTerminal:
                faceLink.map { FaceTerminalService(link: $0, state: state, hub: hub, logger: Logger(label: "cuntongd.face")) }
            case .reload:
                ReloadService(configPath: config, box: box, state: state, logger: Logger(label: "cuntongd.reload"))
            case .api:
                APIService(handler: handler, listeners: listeners, ready: ready, logger: Logger(label: "cuntongd.api"))
            case .idlePages:
                options.releaseIdlePagesAfter.map {
                    IdlePagesService(ready: ready, hub: hub, quiet: $0, clock: ContinuousClock(),
                                     logger: Logger(label: "cuntongd.memory"))
                }
            case .notify:
                NotifyService(notify: SystemdNotify(), state: state, watchdog: SystemdNotify.watchdogInterval(), ready: ready)
            }
        }
        let supervisor = Logger(label: "cuntongd.supervisor")
        let services: [any Service] = Part.allCases.compactMap { part in
            guard let service = service(part) else { return nil }
            if part == .notify { return service }
            return Supervised(part.rawValue, service, logger: supervisor) { name, _ in
                state.update { $0.notice = "\(name) restarted after a failure" }
            }
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) }, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}

extension TerminalDaemon {
    /// `[catalogue] sync_at` (default 02:30 China time) and `sync_spread_minutes` (default 30).
    static func catalogueSchedule(_ config: TerminalConfig) throws -> CatalogueSyncService.Schedule {
        let text = config.catalogue?.sync_at ?? "02:30"
        guard let schedule = CatalogueSyncService.Schedule(text, deviceNo: config.terminal.device_no,
                                                           spreadMinutes: config.catalogue?.sync_spread_minutes ?? 30) else {
            throw StartFailure(underlying: SettlementError.configuration(
                "[catalogue] sync_at must be HH:MM (China time), not \"\(text)\", and sync_spread_minutes 0 to 720"))
        }
        return schedule
    }

    /// The catalogue store, created empty on a terminal that never synced (fees then pass
    /// unchecked, as before a catalogue existed). One that cannot be opened is logged and
    /// left out: settlement must not stop over the catalogue.
    static func openCatalogue(_ config: TerminalConfig, logger: Logger) async -> CatalogueStore? {
        do {
            let store = try CatalogueStore(path: config.cataloguePath())
            if let priceList = config.api?.catalogue {
                for problem in (try? await store.seed(priceList: priceList, now: Date())) ?? [] {
                    logger.warning("a price-list mapping was not taken", metadata: ["why": "\(problem)"])
                }
            }
            return store
        } catch {
            logger.error("the catalogue cannot be opened; fee rows are not checked", metadata: ["why": "\(error)"])
            return nil
        }
    }
}
