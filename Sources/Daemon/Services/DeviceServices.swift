import CardReaders
import CheckinDesk
import Foundation
import Logging
import Scanners
import ServiceLifecycle
import Settlement
import Synchronization
import TerminalCore
import UnixSignals

/// The card readers: every card inserted is read, offered to the check-in desk and
/// published (masked).
package struct CardReaderService: Service {
    let watcher: CardWatcher
    let state: TerminalState
    let hub: EventHub
    let desk: CheckinDesk
    let logger: Logger

    package init(watcher: CardWatcher, state: TerminalState, hub: EventHub, desk: CheckinDesk, logger: Logger) {
        self.watcher = watcher
        self.state = state
        self.hub = hub
        self.desk = desk
        self.logger = logger
    }

    package func run() async throws {
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
                hub.publish(.cardFailed) {
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
        case .readerAdded(let reader):
            state.update { $0.readers[reader] = .init(virtual: ReaderNames.isVirtual(reader), cardPresent: false) }
            hub.publish(.deviceConnected) { $0.reader = reader }
            logger.notice("reader connected", metadata: ["reader": "\(reader)"])
        case .readerRemoved(let reader):
            state.update { $0.readers[reader] = nil }
            await desk.cardRemoved(reader: reader)
            hub.publish(.deviceDisconnected) { $0.reader = reader }
            logger.warning("reader disconnected", metadata: ["reader": "\(reader)"])
        case .cardInserted(let reader, _):
            state.update { $0.readers[reader]?.cardPresent = true }
            hub.publish(.cardInserted) { $0.reader = reader }
        case .cardRemoved(let reader):
            state.update { $0.readers[reader]?.cardPresent = false }
            await desk.cardRemoved(reader: reader)
            hub.publish(.cardRemoved) { $0.reader = reader }
        default:
            logger.info("reader event", metadata: ["event": "\(change)"])
        }
    }
}

/// The QR scanners, followed as they are plugged in and out; each code is offered to the
/// check-in desk and published (masked).
package struct ScannerService: Service {
    let state: TerminalState
    let hub: EventHub
    let desk: CheckinDesk
    let logger: Logger
    let watcher: any ScannerSource

    package init(state: TerminalState, hub: EventHub, desk: CheckinDesk, logger: Logger, watcher: any ScannerSource) {
        self.state = state
        self.hub = hub
        self.desk = desk
        self.logger = logger
        self.watcher = watcher
    }

    package func run() async throws {
        for await event in watcher.events().cancelOnGracefulShutdown() {
            switch event {
            case .connected(let path, let mode):
                state.update { $0.scanners[path] = mode.rawValue }
                hub.publish(.deviceConnected) { $0.device = path }
                logger.notice("scanner connected", metadata: ["device": "\(path)", "mode": "\(mode.rawValue)"])
            case .disconnected(let path):
                state.update { $0.scanners[path] = nil }
                hub.publish(.deviceDisconnected) { $0.device = path }
                logger.warning("scanner unplugged", metadata: ["device": "\(path)"])
            case .credential(let credential, _):
                logger.notice("code scanned", metadata: ["credential": "\(credential)"])
                hub.publish(.codeScanned) {
                    $0.device = credential.source
                    $0.credentialKind = credential.kind
                }
                await desk.codeScanned(credential)
            case .rejected(let path, let problem):
                logger.warning("scan refused", metadata: ["device": "\(path)", "code": "\(problem.code)"])
                hub.publish(.codeRefused) {
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
