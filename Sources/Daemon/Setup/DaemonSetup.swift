import APIServer
import Config
import Foundation
import Scanners

/// What the daemon takes from the configuration beyond the settlement client.
package enum DaemonSetup {
    /// `[api]`: the socket, and loopback TCP only with a token file.
    package static func listeners(_ config: TerminalConfig) throws(TerminalConfig.Problem) -> APIListeners {
        var result = APIListeners(socket: config.apiSocket, group: config.api?.group ?? "cuntong")
        let socketDirectory = (config.apiSocket as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: socketDirectory) else {
            throw .invalid(TerminalConfig.defaultPath, "the directory of [api] socket, \(socketDirectory), does not exist "
                + "(under systemd, RuntimeDirectory=cuntong creates /run/cuntong)")
        }
        guard let listen = config.api?.listen else { return result }
        let path = TerminalConfig.defaultPath
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port) else {
            throw .invalid(path, "[api] listen must be 127.0.0.1:PORT, not \(listen)")
        }
        let host = String(listen[..<colon]).trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        guard ["127.0.0.1", "::1", "localhost"].contains(host) else {
            throw .invalid(path, "[api] listen must be on loopback (127.0.0.1), not \(host): the API moves money")
        }
        guard let tokenFile = config.api?.token_file else {
            throw .invalid(path, "[api] listen needs [api] token_file, the bearer token's file")
        }
        guard let text = try? String(contentsOfFile: tokenFile, encoding: .utf8) else {
            throw .unreadable(tokenFile, "the API token file ([api] token_file) cannot be read")
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard token.count >= 16 else { throw .invalid(tokenFile, "the API token must be at least 16 characters") }
        result.tcpHost = host
        result.tcpPort = port
        result.token = token
        return result
    }

    /// `[scanner]`: the backend, and one scanner by path (`device` + `mode`) or by
    /// vendor:product (`usb_id`), or every known scanner.
    package static func scannerSource(_ config: TerminalConfig, devDirectory: String) throws(TerminalConfig.Problem) -> any ScannerSource {
        let classifier = try config.classifier()
        let section = config.scanner
        let backend = section?.backend ?? "hidraw"
        guard ["hidraw", "tty", "libusb"].contains(backend) else {
            throw .invalid(TerminalConfig.defaultPath, "[scanner] backend must be \"hidraw\", \"tty\" or \"libusb\" (got \"\(backend)\")")
        }
        var usbID: USBID?
        if let text = section?.usb_id {
            guard let id = USBID(text) else {
                throw .invalid(TerminalConfig.defaultPath, "[scanner] usb_id must be VID:PID in hex, e.g. \"1a86:7523\" (got \"\(text)\")")
            }
            usbID = id
        }
        var mode: ScanMode?
        if let text = section?.mode {
            guard let m = ScanMode(rawValue: text) else {
                throw .invalid(TerminalConfig.defaultPath, "[scanner] mode must be \"keyboard\", \"hidpos\" or \"serial\" (got \"\(text)\")")
            }
            mode = m
        }
        if let device = section?.device {
            guard let mode else {
                throw .invalid(TerminalConfig.defaultPath, "[scanner] device needs mode = \"keyboard\", \"hidpos\" or \"serial\"")
            }
            return ScannerWatcher(device: device, mode: mode, devDirectory: (device as NSString).deletingLastPathComponent,
                                  classifier: classifier)
        }
        guard backend == "libusb" else {
            return ScannerWatcher(usbID: usbID, serialOnly: backend == "tty", devDirectory: devDirectory, classifier: classifier)
        }
        // libusb: the HID scanners held through libusb; serial ones still by their tty node.
        let hid: LibUSBScanner
        if let usbID, mode != .serial {
            let known = KnownScanner.find(vendor: usbID.vendor, product: usbID.product)
            guard let m = mode ?? known?.mode, m != .serial else {
                throw .invalid(TerminalConfig.defaultPath, "[scanner] usb_id \(usbID) is not in the scanner table: give mode = \"keyboard\" or \"hidpos\"")
            }
            hid = LibUSBScanner(vendor: usbID.numeric.vendor, product: usbID.numeric.product,
                                options: .init(mode: m, layout: KnownScanner.hidposLayout(vendor: usbID.vendor, product: usbID.product)),
                                classifier: classifier)
        } else {
            hid = LibUSBScanner.knownHIDScanners(classifier: classifier)
        }
        return MergedScannerSource([hid, ScannerWatcher(usbID: mode == .serial ? usbID : nil, serialOnly: true,
                                                        devDirectory: devDirectory, classifier: classifier)])
    }
}
