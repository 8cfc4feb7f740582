import Foundation
import Logging
import Settlement
import TerminalCore

/// Opens what a settlement command needs from one configuration file: the journal under
/// the state directory, the HTTP transport to the core, and the client on top.
public enum SettlementSetup {
    public static func client(configPath: String, logger: Logger = Logger(label: "cuntong.settlement")) throws -> SettlementClient {
        let config = try TerminalConfig.load(path: configPath)
        let settings = try config.coreSettings()
        let journal = try Journal(directory: settings.stateDirectory)
        let transport = try HTTPCoreTransport(settings: settings)
        return SettlementClient(settings: settings, journal: journal, transport: transport, logger: logger)
    }
}

/// Personal fields of the platform's messages, masked wherever a message is shown.
public enum MessageMasking {
    static let idKeys: Set<String> = ["certno", "idNo"]
    static let nameKeys: Set<String> = ["psn_name", "userName", "opter_name", "dr_name", "bilg_dr_name", "dise_dor_name"]
    static let identifierKeys: Set<String> = [
        "mdtrt_cert_no", "card_sn", "psn_no", "ecToken", "ecQrCode", "authNo", "extData", "ecIndexNo", "sign_no", "emp_name"]

    /// The JSON with every personal value masked, pretty-printed with sorted keys.
    public static func masked(_ data: Data, reveal: Bool) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: data) else { return "<not JSON>" }
        let shown = reveal ? object : mask(object)
        guard let out = try? JSONSerialization.data(withJSONObject: shown, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        else { return "<not JSON>" }
        return String(decoding: out, as: UTF8.self)
    }

    static func mask(_ value: Any, key: String? = nil) -> Any {
        if let dict = value as? [String: Any] {
            return dict.reduce(into: [String: Any]()) { $0[$1.key] = mask($1.value, key: $1.key) }
        }
        if let array = value as? [Any] { return array.map { mask($0, key: key) } }
        guard let key, let s = value as? String, !s.isEmpty else { return value }
        if idKeys.contains(key) { return Masking.idNumber(s) }
        if nameKeys.contains(key) { return Masking.name(s) }
        if identifierKeys.contains(key) { return Masking.identifier(s) }
        if key == "expContent" || key == "exp_content" { return "***" }
        return value
    }
}
