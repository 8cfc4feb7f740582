import ArgumentParser
import Foundation
import Scanners
import TerminalCore

/// `cuntong scan --identify`: what a technician needs to know about a scanner in one scan.
extension Scan {
    struct IdentifyView: Encodable {
        var node: String
        var vendor: String
        var product: String
        var interface: String?
        var known: Bool
        var tableName: String?
        var tableMode: String?
        var bridge: String?
        var mode: String?
        var evidence: String?
        var layout: String?
        var symbology: String?
        var kind: String?
        var payload: String?
        var firstReport: String
        var configuration: String
        var udev: [String]
    }

    func runIdentify(classifier: PayloadClassifier) async throws {
        if !json { Output.error("scan any code with the scanner to identify (waiting \(Int(timeout)) s on every hidraw and tty device)…") }
        let found: ScannerIdentification
        do {
            found = try await ScannerIdentification.identify(timeout: .seconds(timeout), devDirectory: devDirectory, baud: baud)
        } catch {
            throw Output.fail(error)
        }
        let d = found.device
        let credential = found.code.flatMap { try? classifier.credential(from: $0, device: d.node) }
        let payload = found.code.map { String(decoding: $0, as: UTF8.self) }
        let view = IdentifyView(
            node: d.node, vendor: d.vendor, product: d.product, interface: d.interface, known: d.known != nil,
            tableName: d.known?.name, tableMode: d.known?.mode.rawValue, bridge: d.bridge?.chip, mode: found.mode?.rawValue,
            evidence: found.evidence?.rawValue, layout: found.layout?.description, symbology: found.symbology,
            kind: credential.map { Self.publicKind($0.kind) }, payload: payload.map { reveal ? $0 : Masking.identifier($0) },
            firstReport: found.firstReport.prefix(64).map { String(format: "%02x", $0) }.joined(),
            configuration: found.configuration, udev: found.udevRules)
        if json {
            Output.line(Output.json(view))
            return
        }
        Output.line("Scanned on \(d.node)")
        Output.line("  device      \(d.vendor):\(d.product)" + (d.interface.map { ", interface \($0)" } ?? "") + (d.serial.isEmpty ? "" : ", serial \(d.serial)"))
        if let known = d.known {
            Output.line("  table       \(known.name): \(known.mode.rawValue) (\(known.confidence); \(known.source))")
        } else if let bridge = d.bridge {
            Output.line("  table       a \(bridge.chip) USB-serial bridge: cuntong takes it only when named (usb_id)")
        } else {
            Output.line("  table       not in the scanner table")
        }
        switch (found.mode, found.evidence) {
        case (let mode?, let evidence?):
            let from = ["descriptor": "its HID report descriptor", "reports": "the shape of its reports", "tty": "its tty node"][evidence.rawValue]!
            Output.line("  mode        \(mode.rawValue), from \(from)")
        default:
            Output.line("  mode        unknown: the first report was \(view.firstReport)")
        }
        if let known = d.known, let mode = found.mode, known.mode != mode {
            Output.line("  note        the table says \(known.mode.rawValue); the scanner was switched to \(mode.rawValue) (its product id did not change with it)")
        }
        if let layout = found.layout { Output.line("  layout      \(layout)") }
        if let symbology = found.symbology { Output.line("  symbology   AIM \(symbology)") }
        if let payload = view.payload {
            Output.line("  code        \(payload)" + (view.kind.map { " (\($0))" } ?? ""))
        } else if found.mode != nil {
            Output.line("  code        none decoded yet (scan once more, or check the mode)")
        }
        if d.known != nil && found.mode == d.known?.mode {
            Output.line("\nNothing to add: cuntong takes this scanner as it is. (For the libusb backend: [scanner] backend = \"libusb\".)")
            return
        }
        Output.line("\nAdd to /etc/cuntong/cuntong.toml:")
        for line in found.configuration.split(separator: "\n") { Output.line("    " + line) }
        if d.bridge != nil {
            Output.line("\nudev: cuntong udev-rules --serial-bridge \(d.vendor):\(d.product) --output /etc/udev/rules.d/70-cuntong-scanners.rules")
        } else if !found.udevRules.isEmpty {
            Output.line("\nudev (append to /etc/udev/rules.d/70-cuntong-scanners.rules, before its last line):")
            for line in found.udevRules { Output.line("    " + line) }
        }
    }
}
