import ArgumentParser
import CardReaders
import Foundation
import Logging
import TerminalCore
import TerminalService

/// The terminal daemon. For now it supervises the card readers and reads every card
/// inserted; the local API, scanners, face terminal and settlement join it as they land.
@main
struct CuntongDaemon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cuntongd",
        abstract: "The cuntong terminal daemon: watches the card readers and reads each card inserted.",
        discussion: """
            Logs go to stderr, one line per event, with personal data masked.
            Cards in "Virtual PCD" (simulator) readers are ignored unless simulator mode is on:
            --simulator, or CUNTONG_SIMULATOR=1 in the environment.
            """,
        version: CuntongVersion.string)

    @Flag(help: "Simulator mode: accept cards in virtual (vpcd) readers.")
    var simulator = false

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .info
            return handler
        }
        let logger = Logger(label: "cuntongd")
        let simulatorMode = simulator || ProcessInfo.processInfo.environment["CUNTONG_SIMULATOR"] == "1"
        logger.info("starting", metadata: ["version": "\(CuntongVersion.string)", "simulator": "\(simulatorMode)"])
        for await event in CardWatcher(allowVirtualReaders: simulatorMode).events() {
            switch event {
            case .reader(let change):
                logger.info("reader event", metadata: ["event": "\(change)"])
            case .cardRead(let result):
                // Masked values only.
                let card = result.card
                logger.notice("card read", metadata: [
                    "reader": "\(result.reader)", "holder": "\(Masking.name(card.name))",
                    "idNumber": "\(card.socialSecurityNumber.masked)", "expired": "\(result.expired)",
                ])
            case .readFailed(let reader, let error):
                logger.warning("card read failed", metadata: ["reader": "\(reader)", "code": "\(error.code)", "error": "\(error.message)"])
            case .virtualReaderIgnored(let reader):
                logger.warning("card in a virtual reader ignored: simulator mode is off", metadata: ["reader": "\(reader)"])
            }
        }
    }
}
