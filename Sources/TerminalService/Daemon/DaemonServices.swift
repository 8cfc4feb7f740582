import CardReaders
import Foundation
import Logging
import Scanners
import ServiceLifecycle
import UnixSignals
import Settlement
import Synchronization
import TerminalCore

/// What the daemon knows about its devices and the core, for STATUS= lines (and, with the
/// local API, /v1/status).
public final class DaemonState: Sendable {
    struct Snapshot {
        var readers: Set<String> = []
        var scanners: Set<String> = []
        var coreReachable: Bool?
        var inDoubt = 0
        var queued = 0
        var reload: String?
    }
    let value = Mutex(Snapshot())

    public init() {}

    /// One line for systemd's STATUS=: what is connected.
    public var statusLine: String {
        value.withLock { s in
            let core = s.coreReachable.map { $0 ? "core reachable" : "core UNREACHABLE" } ?? "core not checked yet"
            return "readers \(s.readers.count), scanners \(s.scanners.count), \(core), in doubt \(s.inDoubt), queued \(s.queued)"
                + (s.reload.map { "; \($0)" } ?? "")
        }
    }
}

/// The card readers: every card read is logged, masked.
public struct CardReaderService: Service {
    let simulator: Bool
    let state: DaemonState
    let logger: Logger

    public init(simulator: Bool, state: DaemonState, logger: Logger) {
        self.simulator = simulator
        self.state = state
        self.logger = logger
    }

    public func run() async throws {
        for await event in CardWatcher(allowVirtualReaders: simulator).events().cancelOnGracefulShutdown() {
            switch event {
            case .reader(let change):
                switch change {
                case .readerAdded(let name): state.value.withLock { _ = $0.readers.insert(name) }
                case .readerRemoved(let name): state.value.withLock { _ = $0.readers.remove(name) }
                default: break
                }
                logger.info("reader event", metadata: ["event": "\(change)"])
            case .cardRead(let result):
                logger.notice("card read", metadata: [
                    "reader": "\(result.reader)", "holder": "\(Masking.name(result.card.name))",
                    "idNumber": "\(result.card.socialSecurityNumber.masked)", "expired": "\(result.expired)",
                ])
            case .readFailed(let reader, let error):
                logger.warning("card read failed", metadata: ["reader": "\(reader)", "code": "\(error.code)"])
            case .virtualReaderIgnored(let reader):
                logger.warning("card in a virtual reader ignored: simulator mode is off", metadata: ["reader": "\(reader)"])
            }
        }
    }
}

/// The QR scanners, followed as they are plugged in and out.
public struct ScannerService: Service {
    let state: DaemonState
    let logger: Logger
    let devDirectory: String

    public init(state: DaemonState, logger: Logger, devDirectory: String = "/dev") {
        self.state = state
        self.logger = logger
        self.devDirectory = devDirectory
    }

    public func run() async throws {
        for await event in ScannerWatcher(devDirectory: devDirectory).events().cancelOnGracefulShutdown() {
            switch event {
            case .connected(let path, let mode):
                state.value.withLock { _ = $0.scanners.insert(path) }
                logger.notice("scanner connected", metadata: ["device": "\(path)", "mode": "\(mode.rawValue)"])
            case .disconnected(let path):
                state.value.withLock { _ = $0.scanners.remove(path) }
                logger.warning("scanner unplugged", metadata: ["device": "\(path)"])
            case .credential(let credential, _):
                logger.notice("code scanned", metadata: ["credential": "\(credential)"])
            case .rejected(let path, let problem):
                logger.warning("scan refused", metadata: ["device": "\(path)", "code": "\(problem.code)"])
            case .failed(let path, let error):
                logger.warning("scanner failed", metadata: ["device": "\(path)", "code": "\(error.code)"])
            }
        }
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
    let logger: Logger

    public init(client: ClientBox, interval: Duration, state: DaemonState, logger: Logger) {
        self.box = client
        self.interval = interval
        self.state = state
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let report = try await box.client.recover()
                state.value.withLock {
                    $0.coreReachable = !report.linkDown
                    $0.inDoubt = report.stillInDoubt
                    $0.queued = report.stillQueued
                }
                logger.info("recovery pass", metadata: [
                    "reversed": "\(report.reversed)", "settled": "\(report.settled)", "cancelled": "\(report.cancelled)",
                    "resent": "\(report.resent)", "inDoubt": "\(report.stillInDoubt)", "queued": "\(report.stillQueued)"])
            } catch {
                state.value.withLock { $0.coreReachable = false }
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
                state.value.withLock { $0.reload = "configuration reloaded" }
                logger.notice("configuration reloaded", metadata: ["config": "\(configPath)"])
            } catch {
                state.value.withLock { $0.reload = "configuration reload FAILED, running with the previous one" }
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

    public init(notify: SystemdNotify, state: DaemonState, watchdog: Duration?) {
        self.notify = notify
        self.state = state
        self.watchdog = watchdog
    }

    public func run() async throws {
        notify.send("READY=1\nSTATUS=\(state.statusLine)")
        let tick = watchdog.map { $0 / 2 } ?? .seconds(30)
        var last = ""
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: tick) }
            if Task.isShuttingDownGracefully { break }
            let status = state.statusLine
            var message = watchdog == nil ? "" : "WATCHDOG=1"
            if status != last {
                message += (message.isEmpty ? "" : "\n") + "STATUS=\(status)"
                last = status
            }
            if !message.isEmpty { notify.send(message) }
        }
        notify.send("STOPPING=1")
    }
}
