import Foundation
import Scanners
import Settlement
import TerminalCore
import TOMLKit

/// `/etc/cuntong/cuntong.toml` (DESIGN.md, "Configuration"). Keys are a public contract:
/// technicians' scripts write them.
public struct TerminalConfig: Sendable, Decodable {
    public static let defaultPath = "/etc/cuntong/cuntong.toml"

    public struct Institution: Sendable, Decodable {
        public var code: String
        public var name: String
        public var admdvs: String
    }
    public struct Terminal: Sendable, Decodable {
        public var device_no: String
        public var `operator`: String
        public var operator_name: String
        /// 0–9, different on each terminal of one institution: the first digit of the
        /// msgid's sequence, so two terminals never write the same msgid.
        public var msgid_slot: Int?
    }
    public struct Core: Sendable, Decodable {
        public var url: String
        public var timeout_ms: Int?
        public var connect_timeout_ms: Int?
        /// PEM file of the CA that signed the core's certificate.
        public var ca_file: String?
        /// Override the profile's recer_sys_code and infver (a city that differs from its province).
        public var recer_sys_code: String?
        public var infver: String?
        /// A built-in province profile (national, guangdong, zhejiang) or a profile file.
        public var profile: String?
        /// The 0600 file with the gateway's secrets ([tif] paasid/token, [x-ca] app_key/app_secret).
        public var credentials_file: String?
        /// The e-credential decode's URL; default: the profile's path under `url`.
        public var ec_url: String?
        /// Sign out (9002) when the daemon stops in order, for cores that expect it.
        public var sign_out_on_stop: Bool?
    }
    public struct API: Sendable, Decodable {
        /// The Unix socket (0660, group cuntong). Default /run/cuntong/api.sock.
        public var socket: String?
        /// "127.0.0.1:PORT": also listen on loopback TCP, with the bearer token of token_file.
        public var listen: String?
        public var token_file: String?
        /// JSON price list and common diagnoses for the check-in page's fee entry.
        public var catalogue: String?
        /// Socket group; default "cuntong" (left as it is when that group does not exist).
        public var group: String?
    }
    /// How the daemon reads scanners. `backend`: "hidraw" (default: hidraw and tty nodes
    /// followed in /dev), "tty" (serial scanners only) or "libusb" (HID scanners held through
    /// libusb, the kernel driver detached so a keyboard-wedge scanner does not type into the
    /// desktop; serial ones still by their tty). `device` + `mode`: one scanner at a fixed path
    /// (a udev link such as /dev/cuntong/scanner-0). `usb_id`: one scanner by vendor:product,
    /// known or not — how a serial scanner behind a generic USB-serial bridge is named.
    /// Without these the daemon takes every known scanner that appears.
    public struct Scanner: Sendable, Decodable {
        public var backend: String?
        public var device: String?
        public var mode: String?
        public var usb_id: String?
    }
    /// The face-scan terminal: a serial device or a TCP address, HOST:PORT.
    public struct Face: Sendable, Decodable {
        public var device: String?
        public var tcp: String?
    }
    /// How scanned codes are routed (`rules`, first match wins, before the shipped ones)
    /// and how 电子社保卡 codes are resolved (`essc_decoder`: "ec.query", the default, or
    /// "refuse").
    public struct Credentials: Sendable, Decodable {
        public var rules: [PayloadClassifier.Rule]?
        public var essc_decoder: String?
        /// 医保科室编号 and name sent with the e-credential calls.
        public var office_id: String?
        public var office_name: String?
        /// "SelfService" on a self-service kiosk.
        public var device_type: String?
        /// The extData key of the face terminal's result in cn.nhsa.ec.auth.
        public var face_result_key: String?
    }
    /// RKSSSE authentication for 3.0 social-security cards (docs/social-security-card.md).
    public struct Card: Sendable, Decodable {
        /// "psam", "key-service" or "none" (default): without one, a locked personal file
        /// stays locked and the card number checks the patient in.
        public var auth: String?
        /// The PC/SC reader (SAM slot) holding the PSAM, as `cuntong readers` names it.
        public var psam_reader: String?
        /// Per algorithm id ("01" DES, "02" SSF33, "03" SM4): the PSAM DF names/file ids to select.
        public var psam_environments: [String: [String]]?
        /// DELIVERY SESSION KEY usage and id, 4 hex digits: IRK (default "6708"), RKSSSE ("670A").
        public var psam_internal_key: String?
        public var psam_rkssse_key: String?
        public var key_service_url: String?
        /// 0600 TOML file: username/password (Basic), or token (Bearer), and/or [headers].
        public var key_service_credentials: String?
        /// "step-string" (default) or "json".
        public var key_service_format: String?
        public var key_service_timeout_ms: Int?
        public var key_service_ca_file: String?
        /// The ninth step-1 field (终端编号) for services that expect it.
        public var key_service_terminal_id: String?
        /// Milliseconds a card may take to answer one command (default 5000).
        public var apdu_timeout_ms: Int?
    }
    public struct Storage: Sendable, Decodable {
        public var state_dir: String?
        /// The 0600 file with the terminal key that seals personal data in the journal;
        /// default `journal.key` in the state directory (provision puts it in /etc/cuntong).
        public var key_file: String?
        /// Days after which a reconciled day's personal data is erased (default 30).
        public var redact_after_days: Int?
    }
    public struct Simulator: Sendable, Decodable {
        public var enabled: Bool?
    }

    public var institution: Institution
    public var terminal: Terminal
    public var core: Core
    public var api: API?
    public var storage: Storage?
    public var simulator: Simulator?
    public var face: Face?
    public var scanner: Scanner?
    public var credentials: Credentials?
    public var card: Card?

    /// The code classifier: `[credentials] rules`, then the shipped rules.
    public func classifier(path: String = TerminalConfig.defaultPath) throws(Problem) -> PayloadClassifier {
        do { return try PayloadClassifier.with(configured: credentials?.rules ?? []) } catch {
            throw .invalid(path, "[credentials] rules: \(error.message)")
        }
    }

    public static let defaultSocket = "/run/cuntong/api.sock"
    public var apiSocket: String { api?.socket ?? Self.defaultSocket }

    public enum Problem: TerminalError {
        case missing(String)
        case unreadable(String, String)
        case invalid(String, String)

        public var code: String {
            switch self {
            case .missing: "CONFIG-MISSING"
            case .unreadable: "CONFIG-UNREADABLE"
            case .invalid: "CONFIG-INVALID"
            }
        }

        public var message: String {
            switch self {
            case .missing(let path):
                "There is no configuration at \(path). Run `cuntong provision`, or give --config PATH."
            case .unreadable(let path, let why):
                "The configuration \(path) cannot be read: \(why)."
            case .invalid(let path, let why):
                "The configuration \(path) is not valid: \(why)."
            }
        }
    }

    public static func load(path: String) throws(Problem) -> TerminalConfig {
        guard FileManager.default.fileExists(atPath: path) else { throw .missing(path) }
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadable(path, error.localizedDescription)
        }
        do {
            return try TOMLDecoder().decode(TerminalConfig.self, from: text)
        } catch let e as TOMLParseError {
            throw .invalid(path, "line \(e.source.begin.line): \(e.description)")
        } catch let DecodingError.keyNotFound(key, context) {
            let section = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw .invalid(path, section.isEmpty ? "the [\(key.stringValue)] section is missing"
                                                 : "[\(section)] has no \(key.stringValue)")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalid(path, "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type")
        } catch {
            throw .invalid(path, "\(error)")
        }
    }

    /// The state directory: `CUNTONG_STATE_DIR` if set, else `[storage] state_dir`, else
    /// `/var/lib/cuntong`.
    public func stateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["CUNTONG_STATE_DIR"] ?? storage?.state_dir ?? "/var/lib/cuntong"
    }

    /// The first day whose personal data is kept: today (China time) minus
    /// `[storage] redact_after_days` (default 30). Reconciled days before it are redacted.
    public func redactionCutoff(now: Date = Date()) -> String {
        WireTime.day(now.addingTimeInterval(-Double(storage?.redact_after_days ?? 30) * 86_400))
    }

    public var simulatorEnabled: Bool {
        ProcessInfo.processInfo.environment["CUNTONG_SIMULATOR"] == "1" || simulator?.enabled == true
    }

    public func coreSettings(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SettlementError) -> CoreSettings {
        var profile = try CoreProfile.load(core.profile)
        if let code = core.recer_sys_code { profile.receiverSystemCode = code }
        if let version = core.infver { profile.infver = version }
        let credentials = try core.credentials_file.map { path throws(SettlementError) in try GatewayCredentials.load(path: path) }
        let decoderName = self.credentials?.essc_decoder ?? "ec.query"
        guard let decoder = CoreSettings.CodeSettings.ESSCDecoder(rawValue: decoderName) else {
            throw .configuration("[credentials] essc_decoder must be \"ec.query\" or \"refuse\", not \"\(decoderName)\"")
        }
        let c = self.credentials
        let codes = CoreSettings.CodeSettings(officeId: c?.office_id ?? "", officeName: c?.office_name ?? "",
                                              deviceType: c?.device_type ?? "", esscDecoder: decoder,
                                              faceResultKey: c?.face_result_key ?? "faceAuthCode")
        return try CoreSettings(
            institutionCode: institution.code, institutionName: institution.name, adminDivision: institution.admdvs,
            deviceNumber: terminal.device_no, operatorCode: terminal.operator, operatorName: terminal.operator_name,
            url: core.url, timeoutMilliseconds: core.timeout_ms ?? 5000, connectTimeoutMilliseconds: core.connect_timeout_ms,
            caFile: core.ca_file, profile: profile, credentials: credentials, ecURL: core.ec_url,
            msgidSlot: terminal.msgid_slot ?? 0, codes: codes, stateDirectory: stateDirectory(environment: environment)
        ).validated()
    }
}
