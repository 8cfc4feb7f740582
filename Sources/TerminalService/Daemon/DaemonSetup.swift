import FaceTerminal
import Foundation
import Scanners

/// What the daemon takes from the configuration beyond the settlement client.
public enum DaemonSetup {
    /// `[api]`: the socket, and loopback TCP only with a token file.
    public static func listeners(_ config: TerminalConfig) throws(TerminalConfig.Problem) -> APIListeners {
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

    /// `[scanner] device` and `mode`: one scanner at a fixed path, followed in its directory.
    public static func scannerWatcher(_ config: TerminalConfig, devDirectory: String) throws(TerminalConfig.Problem) -> ScannerWatcher {
        let classifier = try config.classifier()
        guard let device = config.scanner?.device else { return ScannerWatcher(devDirectory: devDirectory, classifier: classifier) }
        guard let text = config.scanner?.mode, let mode = ScanMode(rawValue: text) else {
            throw .invalid(TerminalConfig.defaultPath, "[scanner] device needs mode = \"keyboard\", \"hidpos\" or \"serial\"")
        }
        return ScannerWatcher(device: device, mode: mode, devDirectory: (device as NSString).deletingLastPathComponent,
                              classifier: classifier)
    }

    /// `[face] device` or `[face] tcp`; nil when neither is set.
    public static func faceEndpoint(_ config: TerminalConfig) -> FaceEndpoint? {
        FaceEndpoint.parse(device: config.face?.device, tcp: config.face?.tcp)
    }

    /// The same, refusing a [face] section that names no usable terminal.
    public static func checkedFaceEndpoint(_ config: TerminalConfig) throws(TerminalConfig.Problem) -> FaceEndpoint? {
        guard let face = config.face, face.device != nil || face.tcp != nil else { return nil }
        guard let endpoint = faceEndpoint(config) else {
            throw .invalid(TerminalConfig.defaultPath, "[face] needs exactly one of device = \"/dev/…\" or tcp = \"HOST:PORT\"")
        }
        return endpoint
    }
}
