import ArgumentParser
import Config
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
            2 KB, not a product barcode) and named by the code rules ([credentials] rules of
            --config); a code no rule names is "unknown" and still goes to the platform, which
            decodes every code it issued. The same code scanned twice within 3 s counts once.
            Masked unless --reveal.

            JSON keys: kind ("e-credential", "e-social-security-card" or "unknown"), name,
            payload, device. Exit 0 when a code was read. On a timeout, bytes that cannot be a
            code, a product barcode (EAN/UPC), or a device error: a message on stderr, nothing
            on stdout, exit status 1.
            """)

    enum Mode: String, ExpressibleByArgument, CaseIterable {
        case keyboard, hidpos, serial, auto
    }

    @Option(help: "The scanner's device node, e.g. /dev/hidraw0 or /dev/ttyACM0.")
    var device: String?

    @Option(name: .customLong("id"), help: "Take the scanner with this USB VID:PID (hex), known or not: e.g. a serial scanner behind a CH340 bridge, 1a86:7523.")
    var usbID: String?

    @Option(help: "How the scanner sends codes: keyboard, hidpos, serial, or auto (from the scanner table, else the device's descriptor).")
    var mode: Mode = .auto

    @Option(help: "Serial scanners: the baud rate.")
    var baud: Int = 9600

    @Option(help: "Serial scanners: what ends a line (crlf = CR, LF or CR LF; cr; lf).")
    var terminator: String = "crlf"

    @Option(help: "Seconds to wait for a code.")
    var timeout: Double = 30

    @Option(help: "How many codes to wait for (one line each; the timeout is per code).")
    var count: Int = 1

    @Option(help: "Own a HID scanner through libusb instead of hidraw (VID:PID, hex): the kernel driver is detached while cuntong reads, so a wedge scanner does not type into a desktop.")
    var usb: String?

    @Flag(help: "Keep reading until interrupted, following scanners as they are unplugged and plugged back.")
    var watch = false

    @Flag(help: "List the scanners found and exit.")
    var list = false

    @Flag(help: "Technicians: scan any code with any scanner; cuntong names the device (VID:PID, interface, the mode it declares or its reports show), says whether the scanner table knows it, and prints the configuration and udev lines that take it.")
    var identify = false

    @Option(help: "The device directory --identify listens in.")
    var devDirectory: String = "/dev"

    @Option(help: "The configuration whose [credentials] rules name codes (default: /etc/cuntong/cuntong.toml when it exists).")
    var config: String?

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Show the code unmasked.")
    var reveal = false

    func validate() throws {
        guard timeout > 0 else { throw ValidationError("--timeout must be more than 0 seconds") }
        guard count >= 1 else { throw ValidationError("--count must be at least 1") }
        if let usbID, USBID(usbID) == nil { throw ValidationError("--id must be VID:PID in hex, e.g. 1a86:7523") }
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

    /// The configured code rules, or the shipped ones when there is no configuration.
    func classifier() throws -> PayloadClassifier {
        let path = config ?? TerminalConfig.defaultPath
        guard config != nil || FileManager.default.fileExists(atPath: path) else { return .standard() }
        do { return try TerminalConfig.load(path: path).classifier(path: path) } catch { throw Output.fail(error) }
    }

    func run() async throws {
        let classifier = try classifier()
        if identify {
            try await runIdentify(classifier: classifier)
            return
        }
        if list {
            let found = SysfsScanners.all()
            if found.isEmpty { Output.line("No hidraw, ttyACM or ttyUSB devices.") }
            for d in found {
                let what = d.known?.name ?? d.bridge.map { "\($0.chip) USB-serial bridge: taken only when named (--id, [scanner] usb_id)" }
                    ?? "not in the scanner table"
                Output.line("\(d.node)  \(d.vendor):\(d.product)  \(what)  \(d.mode?.rawValue ?? "-")")
            }
            return
        }
        if let usb {
            let ids = usb.split(separator: ":").compactMap { UInt16($0, radix: 16) }
            guard ids.count == 2 else { throw ValidationError("--usb must be VID:PID in hex, e.g. 05e0:1200") }
            let known = KnownScanner.find(vendor: String(usb.prefix(4)), product: String(usb.suffix(4)))
            guard let scanMode = mode == .auto ? known?.mode : ScanMode(rawValue: mode.rawValue), scanMode != .serial else {
                throw Output.fail(ScanError.modeUnknown(usb))
            }
            let scanner = LibUSBScanner(vendor: ids[0], product: ids[1],
                                        options: .init(mode: scanMode, layout: KnownScanner.hidposLayout(vendor: String(usb.prefix(4)), product: String(usb.suffix(4)))),
                                        classifier: classifier)
            var got = 0
            let timer = Task { try await Task.sleep(for: .seconds(timeout)) }
            let events = scanner.events()
            // On timeout the scanner is closed (libusb let go first), which ends the stream.
            let expired = Expired()
            let watchdog = Task {
                if (try? await timer.value) != nil {
                    expired.value.withLock { $0 = true }
                    await scanner.close()
                }
            }
            for await event in events {
                switch event {
                case .rejected(_, let problem):
                    await scanner.close()
                    throw Output.fail(ScanError.rejected(problem))
                case .failed(_, let error):
                    await scanner.close()
                    throw Output.fail(error)
                case .credential: got += 1
                default: break
                }
                show(event, connected: "claimed through libusb")
                if got == count { break }
            }
            timer.cancel()
            watchdog.cancel()
            await scanner.close()
            if expired.value.withLock({ $0 }) { throw Output.fail(ScanError.timeout(seconds: Int(timeout))) }
            return
        }
        if watch {
            let fixedMode: ScanMode? = mode == .auto ? (device.flatMap { SysfsScanners.describe(node: $0)?.mode }) : ScanMode(rawValue: mode.rawValue)
            let watcher = ScannerWatcher(device: device, mode: fixedMode, usbID: usbID.flatMap(USBID.init),
                                         devDirectory: device.map { ($0 as NSString).deletingLastPathComponent } ?? "/dev",
                                         classifier: classifier)
            for await event in watcher.events() { show(event, connected: "connected") }
            return
        }
        do {
            let reader = try ScannerSelection.resolve(
                device: device, mode: mode == .auto ? nil : ScanMode(rawValue: mode.rawValue), usbID: usbID.flatMap(USBID.init), baud: baud,
                terminator: SerialLineDecoder.Terminator(rawValue: terminator)!, classifier: classifier)
            let show = self.show
            try await reader.read(count: count, timeout: .seconds(timeout)) { show(.credential($0, lastReport: .now), "") }
        } catch {
            throw Output.fail(any: error)
        }
    }

    /// One watcher/reader event: codes on stdout, the rest on stderr.
    func show(_ event: ScannerWatcher.Event, connected: String) {
        switch event {
        case .connected(let path, let m): Output.error("\(path): \(connected) (\(m.rawValue))")
        case .disconnected(let path): Output.error("\(path): unplugged; waiting for it to come back")
        case .credential(let c, _):
            let view = View(kind: Self.publicKind(c.kind), name: Self.name(c.kind),
                            payload: reveal ? c.payload : Masking.identifier(c.payload), device: c.source)
            Output.line(json ? Output.json(view) : "\(view.name) (\(view.kind)) from \(c.source): \(view.payload)")
        case .rejected(let path, let problem): Output.error("\(path): \(problem.description)")
        case .failed(let path, let error): Output.error("\(path): \(error.description)")
        }
    }

    static func publicKind(_ kind: Credential.Kind) -> String {
        switch kind {
        case .medicalInsuranceQRCode: "e-credential"
        case .electronicSocialSecurityQRCode: "e-social-security-card"
        case .unclassifiedQRCode: "unknown"
        default: kind.rawValue
        }
    }

    static func name(_ kind: Credential.Kind) -> String {
        switch kind {
        case .electronicSocialSecurityQRCode: "电子社保卡"
        case .medicalInsuranceQRCode: "医保电子凭证"
        default: "二维码 (QR code, the platform will say what it is)"
        }
    }
}

/// Set when `cuntong scan --usb` ran out of time.
final class Expired: Sendable {
    let value = Mutex(false)
}
