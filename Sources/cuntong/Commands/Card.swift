import ArgumentParser
import CardReaders
import CheckinDesk
import Config
import Foundation
import Presentation
import Synchronization
import TerminalCore

struct Card: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read social-security cards (社会保障卡) from a PC/SC reader.",
        subcommands: [Read.self, Watch.self])
}

extension Card {
    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Wait for a social-security card, read it and print the cardholder.",
            discussion: """
                Reads a card already in the reader at once; otherwise waits for one to be
                inserted. Prints masked values unless --reveal is given. On any error the
                message goes to stderr, nothing to stdout, and the exit status is 1.

                A 3.0 card locks its personal file (EF06) until the terminal authenticates
                with the RKSSSE key, held by a PSAM or the city's key service as [card] auth
                in the configuration says. When it stays locked, what could be read is
                printed, the person's fields are null, and the exit status is 3: the card
                number and card identifier still check the patient in (the core names them).

                JSON keys: reader, virtualReader, atr, cardIdentifier, issuingRegion, cardType,
                specVersion, issueDate, expiryDate, cardNumber, socialSecurityNumber, name,
                gender, nation, birthplace, birthDate, expired, masked, access ("open",
                "psam", "key-service" or "locked"), personalFileLocked, lockedReason
                ({code, message} or null). Dates are YYYY-MM-DD.
                """)

        @Option(help: "Read from this reader only (as `cuntong readers` names it).")
        var reader: String?

        @Option(help: "Seconds to wait for a card.")
        var timeout: Double = 30

        @Option(help: "Seconds the card may take to answer one command before it counts as mute.")
        var apduTimeout: Double = 5

        @Flag(help: "Print JSON.")
        var json = false

        @Flag(help: "Show ID number, name, card number and birth date unmasked.")
        var reveal = false

        @Option(help: "Configuration whose [card] section says how to authenticate 3.0 cards (used when it exists).")
        var config: String = TerminalConfigDefaults.path

        func validate() throws {
            guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds") }
            guard apduTimeout > 0 else { throw ValidationError("--apdu-timeout must be more than 0 seconds") }
        }

        func run() async throws {
            let view: CardReadView
            do {
                let result = try await CardWaiter(configPath: config, reader: reader, apduTimeout: .seconds(apduTimeout))
                    .readOne(timeout: .seconds(timeout))
                view = CardReadView(result, reveal: reveal)
            } catch {
                throw Output.fail(any: error)
            }
            Output.line(json ? Output.json(view) : view.text)
            if view.personalFileLocked { throw ExitCode(3) }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one line per reader or card event and per card read, until interrupted.",
            discussion: """
                Keeps running across pcscd restarts and readers plugged in or out.
                JSON lines have an "event" key: readerAdded, readerRemoved, cardInserted,
                cardRemoved, cardMute, serviceLost, serviceRestored, cardRead (with "card"),
                readFailed (with "code" and "message").
                """)

        @Flag(help: "Print one JSON object per line.")
        var json = false

        @Flag(help: "Show personal data unmasked.")
        var reveal = false

        @Option(help: "Configuration whose [card] section says how to authenticate 3.0 cards (used when it exists).")
        var config: String = TerminalConfigDefaults.path

        func run() async throws {
            let waiter: CardWaiter
            do { waiter = try CardWaiter(configPath: config, reader: nil, apduTimeout: .seconds(5)) } catch {
                throw Output.fail(any: error)
            }
            // The diagnostic CLI reads virtual readers too; their output says they are virtual.
            let watcher = CardWatcher(allowVirtualReaders: true, applications: waiter.applications,
                                      reservedReaders: waiter.reservedReaders)
            for await event in watcher.events() {
                let line = WatchLine(event, reveal: reveal)
                Output.line(json ? Output.json(line) : line.text)
            }
        }
    }
}

/// Waits for a card per the `card read` rules and reads it.
struct CardWaiter {
    let reader: String?
    let apduTimeout: Duration
    let applications: CardApplications
    let reservedReaders: Set<String>

    /// With the configuration's [card] settings when the file exists; without RKSSSE otherwise.
    init(configPath: String, reader: String?, apduTimeout: Duration) throws {
        self.reader = reader
        self.apduTimeout = apduTimeout
        if FileManager.default.fileExists(atPath: configPath) {
            let config = try TerminalConfig.load(path: configPath)
            applications = try config.cardApplications(path: configPath)
            reservedReaders = config.reservedReaders
        } else {
            applications = .standard()
            reservedReaders = []
        }
    }

    private struct TimedOut: Error {}

    /// The reader that has a readable card right now, if any (one look, no waiting).
    private func presentCard() async -> String? {
        guard let context = try? await PCSCContext.establish() else { return nil }
        let states = (try? await context.readerStates()) ?? []
        await context.release()
        return states.first { state in
            state.cardPresent && !state.cardMute && !state.inUse
                && (reader == state.reader || (reader == nil && !reservedReaders.contains(state.reader)))
        }?.reader
    }

    /// Readers seen while waiting, to tell "no reader" from "no card" at the timeout.
    private final class SeenReaders: Sendable {
        let names = Mutex<Set<String>>([])
    }

    func readOne(timeout: Duration) async throws(CardReadError) -> CardReadResult {
        // A card already in the reader is read at once: no monitor to start, no event to wait for.
        if let present = await presentCard() {
            return try await CardSession.read(reader: present, applications: applications, apduTimeout: apduTimeout)
        }
        let seen = SeenReaders()
        let monitorExit = ReaderMonitor.Exit()
        do {
            let result = try await withThrowingTaskGroup(of: CardReadResult.self) { group in
                group.addTask {
                    for await event in ReaderMonitor().events(exit: monitorExit) {
                        switch event {
                        case .serviceLost:
                            throw CardReadError.serviceUnavailable
                        case .readerAdded(let name):
                            seen.names.withLock { _ = $0.insert(name) }
                        case .readerRemoved(let name):
                            seen.names.withLock { _ = $0.remove(name) }
                        case .cardMute(let name) where reader == nil || reader == name:
                            throw CardReadError.cardMute
                        case .cardInserted(let name, _) where reader == name || (reader == nil && !reservedReaders.contains(name)):
                            return try await CardSession.read(reader: name, applications: applications, apduTimeout: apduTimeout)
                        default:
                            continue
                        }
                    }
                    throw CancellationError()
                }
                group.addTask {
                    try await Task.sleep(for: timeout)
                    throw TimedOut()
                }
                defer { group.cancelAll() }
                return try await group.next()!
            }
            await monitorExit.wait(timeout: .seconds(2))
            return result
        } catch let error as CardReadError {
            await monitorExit.wait(timeout: .seconds(2))
            throw error
        } catch {
            await monitorExit.wait(timeout: .seconds(2))
            let readers = seen.names.withLock { $0 }
            if let reader, !readers.contains(reader) { throw .readerNotFound(reader) }
            if readers.isEmpty { throw .noReader }
            throw .noCard
        }
    }
}

/// One `card watch` line.
struct WatchLine: Encodable {
    let event: String
    let reader: String?
    let atr: String?
    let card: CardReadView?
    let code: String?
    let message: String?

    init(_ event: CardWatchEvent, reveal: Bool) {
        var reader: String?, atr: String?, card: CardReadView?, code: String?, message: String?
        let name: String
        switch event {
        case .reader(.readerAdded(let r)): name = "readerAdded"; reader = r
        case .reader(.readerRemoved(let r)): name = "readerRemoved"; reader = r
        case .reader(.cardInserted(let r, let a)): name = "cardInserted"; reader = r; atr = Hex.string(a)
        case .reader(.cardRemoved(let r)): name = "cardRemoved"; reader = r
        case .reader(.cardMute(let r)): name = "cardMute"; reader = r; message = CardReadError.cardMute.message
        case .reader(.serviceLost): name = "serviceLost"; message = CardReadError.serviceUnavailable.message
        case .reader(.serviceRestored): name = "serviceRestored"
        case .cardRead(let result): name = "cardRead"; reader = result.reader; card = CardReadView(result, reveal: reveal)
        case .readFailed(let r, let error): name = "readFailed"; reader = r; code = error.code; message = error.message
        case .virtualReaderIgnored(let r): name = "virtualReaderIgnored"; reader = r
        }
        self.event = name
        self.reader = reader
        self.atr = atr
        self.card = card
        self.code = code
        self.message = message
    }

    var text: String {
        let stamp = ISO8601DateFormatter.string(from: Date(), timeZone: .current,
                                                formatOptions: [.withFullTime, .withColonSeparatorInTime])
        var parts = [stamp, event]
        if let reader { parts.append("\"\(reader)\"") }
        if let atr { parts.append("ATR \(atr)") }
        if let card {
            parts.append("\(card.name ?? "(personal file locked)") \(card.socialSecurityNumber ?? "-") card \(card.cardNumber)"
                + (card.expired ? " EXPIRED" : ""))
        }
        if let code { parts.append("[\(code)]") }
        if let message { parts.append(message) }
        return parts.joined(separator: " ")
    }
}
