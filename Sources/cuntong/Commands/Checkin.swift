import ArgumentParser
import CardReaders
import Config
import FaceTerminal
import Foundation
import Presentation
import Scanners
import Settlement
import TerminalCore

struct Checkin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Confirm a patient's insured identity with the city core (1101).",
        discussion: """
            Give exactly one credential:
              --id-number N     the ID number, typed in (mdtrt_cert_type 02)
              --card            wait for a social-security card in a reader (03)
              --scan            read one QR code from the USB scanner (--scanner PATH, or the first
                                known one; --scanner - reads what a wedge scanner types on stdin),
                                or give it with --code; the core resolves it (01)
              --face            one scan at the face terminal (--face-device PATH or --face-tcp
                                HOST:PORT); its one-time token is resolved by the core (05)
              --face-token T    a face token obtained otherwise (technicians' tests)
            Nothing about the person is taken from the card or code alone: the core answers.
            Masked unless --reveal.

            JSON keys: psnNo, name, idNumber, gender, birthDate, insurance {type, typeName,
            region, balance, crossRegion, personType, status}, otherInsurances, identities
            [{type, level, memo}], familyAccountSharing, certificateType, masked.
            """)

    @OptionGroup var config: ConfigOption

    @Option(help: "The patient's 18-character ID number.")
    var idNumber: String?

    @Flag(help: "Wait for a social-security card in a reader.")
    var card = false

    @Flag(help: "Read one scanned QR code (医保电子凭证 / 电子社保卡).")
    var scan = false

    @Option(help: "With --scan: the scanned code itself, instead of reading a scanner.")
    var code: String?

    @Option(help: "With --scan: the scanner's device node, or - for stdin.")
    var scanner: String?

    @Flag(help: "One scan at the face-scan terminal.")
    var face = false

    @Option(help: "With --face: the face terminal's serial device.")
    var faceDevice: String?

    @Option(help: "With --face: the face terminal's TCP address, HOST:PORT.")
    var faceTcp: String?

    @Option(help: "A face-auth token obtained otherwise.")
    var faceToken: String?

    @Option(help: "With --card: the reader to use.")
    var reader: String?

    @Option(help: "Seconds to wait for a card or a scan.")
    var timeout: Double = 30

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Show name, ID number and person number unmasked.")
    var reveal = false

    func validate() throws {
        let given = [idNumber != nil, card, scan, face, faceToken != nil].filter { $0 }.count
        guard given == 1 else {
            throw ValidationError("give exactly one of --id-number, --card, --scan, --face, --face-token")
        }
        if (code != nil || scanner != nil) && !scan { throw ValidationError("--code and --scanner go with --scan") }
        if (faceDevice != nil || faceTcp != nil) && !face { throw ValidationError("--face-device and --face-tcp go with --face") }
        if face && FaceEndpoint.parse(device: faceDevice, tcp: faceTcp) == nil {
            throw ValidationError("--face needs one of --face-device PATH or --face-tcp HOST:PORT")
        }
        if let idNumber, case .failure(let problem) = NationalIDNumber.validate(idNumber) {
            throw ValidationError("--id-number is not a valid ID number (\(problem))")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds") }
    }

    func run() async throws {
        do {
            let credential = try await presentedCredential()
            let patient = try await withSettlementClient(config.path) { try await $0.checkIn(credential) }
            let view = IdentityView(patient, reveal: reveal)
            Output.line(json ? Output.json(view) : view.text)
        } catch {
            throw Output.fail(any: error)
        }
    }

    /// A code given or typed, through the same checks and rules as a scanner's.
    static func classified(_ bytes: [UInt8], source: String, classifier: PayloadClassifier) throws -> Credential {
        do { return try classifier.credential(from: bytes, device: source) } catch {
            throw ScanError.rejected(error)
        }
    }

    func presentedCredential() async throws -> Credential {
        if let idNumber {
            return Credential(kind: .manualIDNumber, payload: NationalIDNumber(idNumber)!.value, source: "keyboard")
        }
        if let faceToken { return Credential(kind: .faceAuthToken, payload: faceToken, source: "face-token") }
        if scan {
            let classifier = try TerminalConfig.load(path: config.path).classifier(path: config.path)
            if let code { return try Self.classified(Array(code.utf8), source: "--code", classifier: classifier) }
            if scanner == "-" {
                return try Self.classified(Array(try ScannedLine.read(timeout: timeout).utf8), source: "stdin", classifier: classifier)
            }
            return try await ScannerSelection.resolve(device: scanner, mode: nil, classifier: classifier).first(timeout: .seconds(timeout))
        }
        if face {
            let endpoint = FaceEndpoint.parse(device: faceDevice, tcp: faceTcp)!
            let terminal = try await FaceTerminalClient.connect(endpoint)
            let (_, events) = try await terminal.scan(timeout: min(120, max(1, Int(timeout))))
            var final: FaceEvent?
            for await event in events {
                if event.isFinal { final = event } else { Output.error(event.patientMessage) }
            }
            await terminal.close()
            guard let final else { throw FaceError.closed(endpoint.description) }
            guard let credential = final.credential(source: endpoint.description) else { throw FaceOutcomeError(event: final) }
            return credential
        }
        let result = try await CardWaiter(configPath: config.path, reader: reader, apduTimeout: .seconds(5))
            .readOne(timeout: .seconds(timeout))
        return result.card.credential(source: result.reader)
    }
}

/// A face scan that ended without a match, as an error the doctor can act on.
struct FaceOutcomeError: TerminalError {
    let event: FaceEvent
    var code: String { event.code }
    var message: String { "\(event.patientMessage) (the face terminal answered \(event.name))." }
}

/// One code typed by a keyboard-wedge scanner into this terminal, ended by Enter.
enum ScannedLine {
    struct Problem: TerminalError {
        let code: String
        let message: String
    }

    static func read(timeout: Double) throws -> String {
        // Checked and classified by the caller through the scanner rules.
        var fds = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&fds, 1, Int32(timeout * 1000)) > 0 else {
            throw Problem(code: "SCAN-TIMEOUT", message: "No code was scanned within \(Int(timeout)) s. Scan the patient's code again.")
        }
        guard let line = Swift.readLine(strippingNewline: true) else {
            throw Problem(code: "SCAN-NONE", message: "The scanner input ended before a code was scanned.")
        }
        return line
    }
}
