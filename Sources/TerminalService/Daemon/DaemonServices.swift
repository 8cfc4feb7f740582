import CardReaders
import Foundation
import Logging
import Scanners
import ServiceLifecycle
import UnixSignals
import Settlement
import Synchronization
import TerminalCore

/// The card readers: every card inserted is read, offered to the check-in desk and
/// published (masked).
public struct CardReaderService: Service {
    let watcher: CardWatcher
    let state: DaemonState
    let hub: EventHub
    let desk: CheckinDesk
    let logger: Logger

    public init(watcher: CardWatcher, state: DaemonState, hub: EventHub, desk: CheckinDesk, logger: Logger) {
        self.watcher = watcher
        self.state = state
        self.hub = hub
        self.desk = desk
        self.logger = logger
    }

    public func run() async throws {
        for await event in watcher.events().cancelOnGracefulShutdown() {
            switch event {
            case .reader(let change):
                await readerChanged(change)
            case .cardRead(let result):
                var metadata: Logger.Metadata = [
                    "reader": "\(result.reader)", "card": "\(Masking.identifier(result.card.cardNumber))",
                    "expired": "\(result.expired)", "access": "\(result.card.access.name)",
                ]
                if let holder = result.card.holder {
                    metadata["holder"] = "\(Masking.name(holder.name))"
                    metadata["idNumber"] = "\(holder.socialSecurityNumber.masked)"
                }
                if case .locked(let reason) = result.card.access { metadata["locked"] = "\(reason.code)" }
                logger.notice("card read", metadata: metadata)
                await desk.cardPresented(result.card.credential(source: result.reader), reader: result.reader)
            case .readFailed(let reader, let error):
                logger.warning("card read failed", metadata: ["reader": "\(reader)", "code": "\(error.code)"])
                hub.publish(.card_failed) {
                    $0.reader = reader
                    $0.code = error.code
                    $0.message = error.message
                }
            case .virtualReaderIgnored(let reader):
                logger.warning("card in a virtual reader ignored: simulator mode is off", metadata: ["reader": "\(reader)"])
            }
        }
    }

    private func readerChanged(_ change: ReaderEvent) async {
        switch change {
        case .readerAdded(let name):
            state.update { $0.readers[name] = .init(virtual: ReaderNames.isVirtual(name), cardPresent: false) }
            hub.publish(.device_connected) { $0.reader = name }
            logger.notice("reader connected", metadata: ["reader": "\(name)"])
        case .readerRemoved(let name):
            state.update { $0.readers[name] = nil }
            await desk.cardRemoved(reader: name)
            hub.publish(.device_disconnected) { $0.reader = name }
            logger.warning("reader disconnected", metadata: ["reader": "\(name)"])
        case .cardInserted(let reader, _):
            state.update { $0.readers[reader]?.cardPresent = true }
            hub.publish(.card_inserted) { $0.reader = reader }
        case .cardRemoved(let reader):
            state.update { $0.readers[reader]?.cardPresent = false }
            await desk.cardRemoved(reader: reader)
            hub.publish(.card_removed) { $0.reader = reader }
        default:
            logger.info("reader event", metadata: ["event": "\(change)"])
        }
    }
}

/// The QR scanners, followed as they are plugged in and out; each code is offered to the
/// check-in desk and published (masked).
public struct ScannerService: Service {
    let state: DaemonState
    let hub: EventHub
    let desk: CheckinDesk
    let logger: Logger
    let watcher: any ScannerSource

    public init(state: DaemonState, hub: EventHub, desk: CheckinDesk, logger: Logger, watcher: any ScannerSource) {
        self.state = state
        self.hub = hub
        self.desk = desk
        self.logger = logger
        self.watcher = watcher
    }

    public func run() async throws {
        for await event in watcher.events().cancelOnGracefulShutdown() {
            switch event {
            case .connected(let path, let mode):
                state.update { $0.scanners[path] = mode.rawValue }
                hub.publish(.device_connected) { $0.device = path }
                logger.notice("scanner connected", metadata: ["device": "\(path)", "mode": "\(mode.rawValue)"])
            case .disconnected(let path):
                state.update { $0.scanners[path] = nil }
                hub.publish(.device_disconnected) { $0.device = path }
                logger.warning("scanner unplugged", metadata: ["device": "\(path)"])
            case .credential(let credential, _):
                logger.notice("code scanned", metadata: ["credential": "\(credential)"])
                hub.publish(.code_scanned) {
                    $0.device = credential.source
                    $0.credentialKind = credential.kind.rawValue
                }
                await desk.codeScanned(credential)
            case .rejected(let path, let problem):
                logger.warning("scan refused", metadata: ["device": "\(path)", "code": "\(problem.code)"])
                hub.publish(.code_refused) {
                    $0.device = path
                    $0.code = problem.code
                    $0.message = problem.message
                }
            case .failed(let path, let error):
                logger.warning("scanner failed", metadata: ["device": "\(path)", "code": "\(error.code)", "why": "\(error.description)"])
            }
        }
        // libusb hands each scanner back to the kernel driver on the way out.
        await watcher.close()
    }
}

/// The settlement client in use; SIGHUP swaps it for one built from the new configuration.
public final class ClientBox: Sendable {
    let value: Mutex<SettlementClient>
    public init(_ client: SettlementClient) { value = Mutex(client) }
    public var client: SettlementClient { value.withLock { $0 } }
    /// Puts `new` in place and returns the old one (to shut down).
    public func swap(_ new: SettlementClient) -> SettlementClient {
        value.withLock { old in defer { old = new }; return old }
    }
}

/// Resolves what is in doubt at start, then every `interval`: the same as
/// `cuntong journal recover`.
public struct SettlementRecoveryService: Service {
    let box: ClientBox
    let interval: Duration
    let state: DaemonState
    let desk: CheckinDesk?
    let link: CoreLink?
    let logger: Logger
    /// The first day whose personal data is kept; reconciled days before it are redacted
    /// once a day. Nil: no redaction.
    let redactionCutoff: (@Sendable () -> String)?

    public init(client: ClientBox, interval: Duration, state: DaemonState, desk: CheckinDesk? = nil, link: CoreLink? = nil,
                logger: Logger, redactionCutoff: (@Sendable () -> String)? = nil) {
        self.box = client
        self.interval = interval
        self.state = state
        self.desk = desk
        self.link = link
        self.logger = logger
        self.redactionCutoff = redactionCutoff
    }

    /// Once a day: erase the personal data of reconciled days past the retention.
    private func redactIfDue(lastDay: inout String?) {
        guard let redactionCutoff else { return }
        let cutoff = redactionCutoff()
        guard cutoff != lastDay else { return }
        do {
            let result = try box.client.journal.redact(before: cutoff)
            lastDay = cutoff
            if !result.redacted.isEmpty || !result.kept.isEmpty {
                logger.notice("personal data of reconciled days erased", metadata: [
                    "cutoff": "\(cutoff)", "redacted": "\(result.redacted.joined(separator: ","))",
                    "kept": "\(result.kept.keys.sorted().joined(separator: ","))"])
            }
        } catch {
            logger.warning("redaction failed", metadata: ["error": "\(error)"])
        }
    }

    public func run() async throws {
        var lastRedaction: String?
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            await desk?.expire()
            redactIfDue(lastDay: &lastRedaction)
            do {
                let report = try await box.client.recover()
                // Only what was really sent says anything about the link.
                if report.linkDown {
                    link?.down(.coreUnreachable("recovery could not reach it"))
                } else if report.resent + report.reversed + report.cancelled > 0 {
                    link?.up()
                }
                state.update {
                    $0.inDoubt = report.stillInDoubt
                    $0.queued = report.stillQueued
                }
                logger.info("recovery pass", metadata: [
                    "reversed": "\(report.reversed)", "settled": "\(report.settled)", "cancelled": "\(report.cancelled)",
                    "resent": "\(report.resent)", "inDoubt": "\(report.stillInDoubt)", "queued": "\(report.stillQueued)"])
            } catch {
                link?.report(error)
                logger.warning("recovery pass failed", metadata: ["error": "\(error)"])
            }
            // A graceful shutdown ends the wait at once.
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
        await box.client.shutdown()
    }
}

/// SIGHUP: read the configuration again. A valid one replaces the settlement client (the
/// core's address, timeouts, CA, institution); an invalid one is reported and the daemon
/// keeps running with the previous one.
public struct ReloadService: Service {
    let configPath: String
    let box: ClientBox
    let state: DaemonState
    let logger: Logger

    public init(configPath: String, box: ClientBox, state: DaemonState, logger: Logger) {
        self.configPath = configPath
        self.box = box
        self.state = state
        self.logger = logger
    }

    public func run() async throws {
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

/// Tells systemd the daemon is ready once the other services run, keeps STATUS= current,
/// and pings the watchdog when one is set.
public struct NotifyService: Service {
    let notify: SystemdNotify
    let state: DaemonState
    let watchdog: Duration?
    let ready: ReadySignal?

    public init(notify: SystemdNotify, state: DaemonState, watchdog: Duration?, ready: ReadySignal? = nil) {
        self.notify = notify
        self.state = state
        self.watchdog = watchdog
        self.ready = ready
    }

    public func run() async throws {
        // READY=1 once the API listens (a graceful shutdown before that ends the wait).
        if let ready {
            await withGracefulShutdownHandler {
                await withTaskCancellationHandler { await ready.wait() } onCancel: { ready.fire() }
            } onGracefulShutdown: { ready.fire() }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
        }
        notify.send("READY=1\nSTATUS=\(state.statusLine)")
        let notify = self.notify, state = self.state
        await withTaskGroup(of: Void.self) { group in
            // STATUS= when what is connected changes: woken by the change, not by a timer.
            group.addTask {
                var last = state.statusLine
                for await _ in state.changes.cancelOnGracefulShutdown() {
                    let status = state.statusLine
                    if status != last {
                        notify.send("STATUS=\(status)")
                        last = status
                    }
                }
            }
            // WATCHDOG=1 at half the interval systemd set; nothing without one.
            if let watchdog {
                group.addTask {
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        notify.send("WATCHDOG=1")
                        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: watchdog / 2) }
                    }
                }
            }
        }
        notify.send("STOPPING=1")
    }
}
