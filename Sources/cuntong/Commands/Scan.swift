import ArgumentParser
import Foundation
import Scanners
import Synchronization
import TerminalCore

struct Scan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Wait for one QR code from a USB scanner and print what it is.",
        discussion: """
            Reads a hidraw node (keyboard-wedge or HID-POS scanner) or a tty (USB COM scanner).
            Without --device the first known scanner (by vendor:product, see --list) is used;
            --mode auto takes the mode from that table. The code is checked (printable, at most
            2 KB) and classified (医保电子凭证, 电子社保卡) before anything is sent anywhere; the
            same code scanned twice within 3 s counts once. Masked unless --reveal.

            JSON keys: kind ("e-credential" or "e-social-security-card"), name, payload, device.
            On a timeout, a code that is not a medical-insurance code, or a device error: a
            message on stderr, nothing on stdout, exit status 1.
            """)

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case keyboard, hidpos, serial, auto
    }

    @Option(help: "The scanner's device node, e.g. /dev/hidraw0 or /dev/ttyACM0.")
    var device: String?

    @Option(help: "How the scanner sends codes: keyboard, hidpos, serial, or auto (from the scanner table).")
    var mode: Mode = .auto

    @Option(help: "Serial scanners: the baud rate.")
    var baud: Int = 9600

    @Option(help: "Serial scanners: what ends a line (crlf = CR, LF or CR LF; cr; lf).")
    var terminator: String = "crlf"

    @Option(help: "Seconds to wait for a code.")
    var timeout: Double = 30

    @Option(help: "How many codes to wait for (one line each; the timeout is per code).")
    var count: Int = 1

    @Flag(help: "List the scanners found and exit.")
    var list = false

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Show the code unmasked.")
    var reveal = false

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds") }
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        guard SerialLineDecoder.Terminator(rawValue: terminator) != nil else {
            throw ValidationError("--terminator must be crlf, cr or lf")
        }
    }

    struct View: Encodable {
        var kind: String
        var name: String
        var payload: String
        var device: String
    }

    func run() async throws {
        if list {
            let found = SysfsScanners.all()
            if found.isEmpty { Output.line("No hidraw or ttyACM devices.") }
            for d in found {
                Output.line("\(d.node)  \(d.vendor):\(d.product)  \(d.known?.name ?? "not in the scanner table")  \(d.mode?.rawValue ?? "-")")
            }
            return
        }
        do {
            let (path, options) = try resolve()
            try await scan(path: path, options: options) { credential in
                let view = View(kind: Self.publicKind(credential.kind), name: Self.name(credential.kind),
                                payload: reveal ? credential.payload : Masking.identifier(credential.payload), device: path)
                Output.line(json ? Output.json(view) : "\(view.name) (\(view.kind)) from \(path): \(view.payload)")
            }
        } catch {
            throw Output.fail(any: error)
        }
    }

    static func publicKind(_ kind: Credential.Kind) -> String {
        switch kind {
        case .medicalInsuranceQRCode: "e-credential"
        case .electronicSocialSecurityQRCode: "e-social-security-card"
        default: kind.rawValue
        }
    }

    static func name(_ kind: Credential.Kind) -> String {
        kind == .electronicSocialSecurityQRCode ? "电子社保卡" : "医保电子凭证"
    }

    func resolve() throws(ScanError) -> (String, ScannerReader.Options) {
        let found: ScannerDevice?
        let path: String
        if let device {
            path = device
            guard FileManager.default.fileExists(atPath: device) else { throw .deviceNotFound(device) }
            found = SysfsScanners.describe(node: device)
        } else {
            guard let first = SysfsScanners.known().first else { throw .noScanner }
            path = first.node
            found = first
        }
        let scanMode: ScanMode
        switch mode {
        case .keyboard: scanMode = .keyboard
        case .hidpos: scanMode = .hidpos
        case .serial: scanMode = .serial
        case .auto:
            guard let m = found?.mode ?? (path.contains("tty") ? .serial : nil) else { throw .modeUnknown(path) }
            scanMode = m
        }
        return (path, ScannerReader.Options(mode: scanMode, reportLength: found?.known?.reportLength, baud: baud,
                                            terminator: SerialLineDecoder.Terminator(rawValue: terminator)!))
    }

    /// Reads `count` codes from one open device, handing each to `emit`; the first
    /// rejection, device error or timeout (per code) ends it.
    func scan(path: String, options: ScannerReader.Options, emit: @escaping @Sendable (Credential) -> Void) async throws(ScanError) {
        let reader = ScannerReader(path: path, options: options)
        let seconds = Int(timeout.rounded(.up))
        let wanted = count, limit = Duration.seconds(timeout)
        // The timeout restarts with each code: the reader moves the deadline on.
        let deadline = Deadline(ContinuousClock.now + limit)
        let outcome: ScanError? = await withTaskGroup(of: ScanError??.self) { group in
            group.addTask {
                var got = 0
                for await event in reader.events() {
                    switch event {
                    case .credential(let c, _):
                        emit(c)
                        got += 1
                        deadline.value.withLock { $0 = .now + limit }
                        if got == wanted { return .some(nil) }
                    case .rejected(let problem): return .some(.rejected(problem))
                    case .failed(let error): return .some(error)
                    }
                }
                return nil
            }
            group.addTask {
                while true {
                    let until = deadline.value.withLock { $0 }
                    guard (try? await Task.sleep(until: until)) != nil else { return nil }
                    if deadline.value.withLock({ $0 }) <= .now { return .some(.timeout(seconds: seconds)) }
                }
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let next { return next }
            }
            return .timeout(seconds: seconds)
        }
        if let outcome { throw outcome }
    }
}

/// The moment a scan times out, moved on by each code.
final class Deadline: Sendable {
    let value: Mutex<ContinuousClock.Instant>
    init(_ instant: ContinuousClock.Instant) { value = Mutex(instant) }
}
