import Foundation
import Scanners
import Settlement
import TerminalCore
import TOMLKit

/// `/etc/cuntong/cuntong.toml` (DESIGN.md, "Configuration"). Keys are a public contract:
/// technicians' scripts write them.
package struct TerminalConfig: Sendable, Decodable {
    package static let defaultPath = "/etc/cuntong/cuntong.toml"

    package struct Institution: Sendable, Decodable {
        package var code: String
        package var name: String
        package var admdvs: String
    }
    package struct Terminal: Sendable, Decodable {
        package var device_no: String
        package var `operator`: String
        package var operator_name: String
        /// 0–9, different on each terminal of one institution: the first digit of the
        /// msgid's sequence, so two terminals never write the same msgid.
        package var msgid_slot: Int?
    }
    package struct Core: Sendable, Decodable {
        package var url: String
        package var timeout_ms: Int?
        package var connect_timeout_ms: Int?
        /// PEM file of the CA that signed the core's certificate.
        package var ca_file: String?
        /// Override the profile's recer_sys_code and infver (a city that differs from its province).
        package var recer_sys_code: String?
        package var infver: String?
        /// A built-in province profile (national, guangdong, zhejiang) or a profile file.
        package var profile: String?
        /// The 0600 file with the gateway's secrets ([tif] paasid/token, [x-ca] app_key/app_secret).
        package var credentials_file: String?
        /// The e-credential decode's URL; default: the profile's path under `url`.
        package var ec_url: String?
        /// Sign out (9002) when the daemon stops in order, for cores that expect it.
        package var sign_out_on_stop: Bool?
    }
    package struct API: Sendable, Decodable {
        /// The Unix socket (0660, group cuntong). Default /run/cuntong/api.sock.
        package var socket: String?
        /// "127.0.0.1:PORT": also listen on loopback TCP, with the bearer token of token_file.
        package var listen: String?
        package var token_file: String?
        /// JSON price list and common diagnoses for the check-in page's fee entry.
        package var catalogue: String?
        /// Socket group; default "cuntong" (left as it is when that group does not exist).
        package var group: String?
    }
    /// How the daemon reads scanners. `backend`: "hidraw" (default: hidraw and tty nodes
    /// followed in /dev), "tty" (serial scanners only) or "libusb" (HID scanners held through
    /// libusb, the kernel driver detached so a keyboard-wedge scanner does not type into the
    /// desktop; serial ones still by their tty). `device` + `mode`: one scanner at a fixed path
    /// (a udev link such as /dev/cuntong/scanner-0). `usb_id`: one scanner by vendor:product,
    /// known or not — how a serial scanner behind a generic USB-serial bridge is named.
    /// Without these the daemon takes every known scanner that appears.
    package struct Scanner: Sendable, Decodable {
        package var backend: String?
        package var device: String?
        package var mode: String?
        package var usb_id: String?
    }
    /// The face-scan terminal: a serial device or a TCP address, HOST:PORT.
    package struct Face: Sendable, Decodable {
        package var device: String?
        package var tcp: String?
    }
    /// How scanned codes are routed (`rules`, first match wins, before the shipped ones)
    /// and how 电子社保卡 codes are resolved (`essc_decoder`: "ec.query", the default, or
    /// "refuse").
    package struct Credentials: Sendable, Decodable {
        package var rules: [PayloadClassifier.Rule]?
        package var essc_decoder: String?
        /// 医保科室编号 and name sent with the e-credential calls.
        package var office_id: String?
        package var office_name: String?
        /// "SelfService" on a self-service kiosk.
        package var device_type: String?
        /// The extData key of the face terminal's result in cn.nhsa.ec.auth.
        package var face_result_key: String?
    }
    /// RKSSSE authentication for 3.0 social-security cards (docs/social-security-card.md).
    package struct Card: Sendable, Decodable {
        /// "psam", "key-service" or "none" (default): without one, a locked personal file
        /// stays locked and the card number checks the patient in.
        package var auth: String?
        /// The PC/SC reader (SAM slot) holding the PSAM, as `cuntong readers` names it.
        package var psam_reader: String?
        /// Per algorithm id ("01" DES, "02" SSF33, "03" SM4): the PSAM DF names/file ids to select.
        package var psam_environments: [String: [String]]?
        /// DELIVERY SESSION KEY usage and id, 4 hex digits: IRK (default "6708"), RKSSSE ("670A").
        package var psam_internal_key: String?
        package var psam_rkssse_key: String?
        package var key_service_url: String?
        /// 0600 TOML file: username/password (Basic), or token (Bearer), and/or [headers].
        package var key_service_credentials: String?
        /// "step-string" (default) or "json".
        package var key_service_format: String?
        package var key_service_timeout_ms: Int?
        package var key_service_ca_file: String?
        /// The ninth step-1 field (终端编号) for services that expect it.
        package var key_service_terminal_id: String?
        /// Milliseconds a card may take to answer one command (default 5000).
        package var apdu_timeout_ms: Int?
    }
    package struct Storage: Sendable, Decodable {
        package var state_dir: String?
        /// The 0600 file with the terminal key that seals personal data in the journal;
        /// default `journal.key` in the state directory (provision puts it in /etc/cuntong).
        package var key_file: String?
        /// Days after which a reconciled day's personal data is erased (default 30).
        package var redact_after_days: Int?
    }
    /// The insurance catalogue on the terminal (docs/national-platform.md, "The catalogue").
    package struct Catalogue: Sendable, Decodable {
        /// Its SQLite file; default `catalogue.sqlite` in the state directory.
        package var path: String?
        /// "HH:MM" China time of the daily sync (default 02:30), spread ±30 min per terminal.
        package var sync_at: String?
        /// How far each terminal moves the daily sync from `sync_at`, either way (default 30).
        package var sync_spread_minutes: Int?
        /// Rows a page of 1312/1318/1319 asks for (default 1000; no source states a maximum).
        package var page_size: Int?
    }
    /// The receipt printer for the settlement sheet (docs/receipts.md).
    package struct Printer: Sendable, Decodable {
        /// `/dev/usb/lp0` (usblp), `tcp:HOST:9100`, or a tty such as `/dev/ttyUSB0`.
        package var device: String?
        /// Paper width in mm: 58 (32 columns) or 80 (48 columns). Default 58.
        package var width: Int?
        /// Print the sheet after every settlement. Default false.
        package var auto: Bool?
        /// The patient's name on the sheet: "masked" (张*, default) or "full".
        package var patient_name: String?
    }
    package struct Simulator: Sendable, Decodable {
        package var enabled: Bool?
    }

    package var institution: Institution
    package var terminal: Terminal
    package var core: Core
    package var api: API?
    package var storage: Storage?
    package var simulator: Simulator?
    package var face: Face?
    package var scanner: Scanner?
    package var credentials: Credentials?
    package var card: Card?
    package var catalogue: Catalogue?
    package var printer: Printer?

    /// The code classifier: `[credentials] rules`, then the shipped rules.
    package func classifier(path: String = TerminalConfig.defaultPath) throws(Problem) -> PayloadClassifier {
        do { return try PayloadClassifier.with(configured: credentials?.rules ?? []) } catch {
            throw .invalid(path, "[credentials] rules: \(error.message)")
        }
    }

    package static let defaultSocket = "/run/cuntong/api.sock"
    package var apiSocket: String { api?.socket ?? Self.defaultSocket }

    package enum Problem: TerminalError {
        case missing(String)
        case unreadable(String, String)
        case invalid(String, String)

        package var code: String {
            switch self {
            case .missing: "CONFIG-MISSING"
            case .unreadable: "CONFIG-UNREADABLE"
            case .invalid: "CONFIG-INVALID"
            }
        }

        package var message: String {
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

    package static func load(path: String) throws(Problem) -> TerminalConfig {
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
    package func stateDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        environment["CUNTONG_STATE_DIR"] ?? storage?.state_dir ?? "/var/lib/cuntong"
    }

    /// The catalogue's SQLite file: `[catalogue] path`, else `catalogue.sqlite` in the state directory.
    package func cataloguePath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        catalogue?.path ?? stateDirectory(environment: environment) + "/catalogue.sqlite"
    }

    /// The first day whose personal data is kept: today (China time) minus
    /// `[storage] redact_after_days` (default 30). Reconciled days before it are redacted.
    package func redactionCutoff(now: Date = Date()) -> String {
        WireTime.day(now.addingTimeInterval(-Double(storage?.redact_after_days ?? 30) * 86_400))
    }

    package var simulatorEnabled: Bool {
        ProcessInfo.processInfo.environment["CUNTONG_SIMULATOR"] == "1" || simulator?.enabled == true
    }

    package func coreSettings(environment: [String: String] = ProcessInfo.processInfo.environment) throws(SettlementError) -> CoreSettings {
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
