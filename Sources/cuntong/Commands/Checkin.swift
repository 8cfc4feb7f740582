import ArgumentParser
import CardReaders
import Foundation
import Settlement
import TerminalCore
import TerminalService

struct Checkin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Confirm a patient's insured identity with the city core (1101).",
        discussion: """
            Give exactly one credential:
              --id-number N     the ID number, typed in (mdtrt_cert_type 02)
              --card            wait for a social-security card in a reader (03)
              --scan            read one QR code from a keyboard-wedge scanner typing into this
                                terminal (stdin), or give it with --code; the core resolves it (01)
              --face-token T    a face-scan terminal's one-time token (05)
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

    @Option(help: "With --scan: the scanned code itself, instead of reading it from stdin.")
    var code: String?

    @Option(help: "A face-auth token from the face-scan terminal.")
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
        let given = [idNumber != nil, card, scan, faceToken != nil].filter { $0 }.count
        guard given == 1 else {
            throw ValidationError("give exactly one of --id-number, --card, --scan, --face-token")
        }
        if code != nil && !scan { throw ValidationError("--code goes with --scan") }
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

    func presentedCredential() async throws -> Credential {
        if let idNumber {
            return Credential(kind: .manualIDNumber, payload: NationalIDNumber(idNumber)!.value, source: "keyboard")
        }
        if let faceToken { return Credential(kind: .faceAuthToken, payload: faceToken, source: "face-token") }
        if scan {
            let text = try code ?? ScannedLine.read(timeout: timeout)
            return Credential(kind: .medicalInsuranceQRCode, payload: text, source: code == nil ? "stdin" : "--code")
        }
        let result = try await CardWaiter(reader: reader, apduTimeout: .seconds(5)).readOne(timeout: .seconds(timeout))
        return result.card.credential(source: result.reader)
    }
}

/// One code typed by a keyboard-wedge scanner into this terminal, ended by Enter.
enum ScannedLine {
    struct Problem: TerminalError {
        let code: String
        let message: String
    }

    static func read(timeout: Double) throws -> String {
        var fds = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
        guard poll(&fds, 1, Int32(timeout * 1000)) > 0 else {
            throw Problem(code: "SCAN-TIMEOUT", message: "No code was scanned within \(Int(timeout)) s. Scan the patient's code again.")
        }
        guard let line = Swift.readLine(strippingNewline: true) else {
            throw Problem(code: "SCAN-NONE", message: "The scanner input ended before a code was scanned.")
        }
        let code = line.trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty, code.count <= 2048, code.allSatisfy({ $0.isASCII && !$0.isNewline && ($0.isLetter || $0.isNumber || $0.isPunctuation || $0.isSymbol) }) else {
            throw Problem(code: "SCAN-GARBAGE", message: "What was scanned is not a medical-insurance code. Ask the patient to open the code in the app and scan again.")
        }
        return code
    }
}
