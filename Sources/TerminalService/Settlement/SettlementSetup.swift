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
        let journal = try Journal(directory: settings.stateDirectory, keyFile: config.storage?.key_file)
        let transport = try HTTPCoreTransport(settings: settings)
        return SettlementClient(settings: settings, journal: journal, transport: transport, logger: logger)
    }
}

/// Messages as the CLI shows them: every personal value masked by the one table of
/// personal fields (`PersonalFields`), unless revealing is asked for.
public enum MessageMasking {
    /// The JSON with every personal value masked, pretty-printed with sorted keys.
    public static func masked(_ data: Data, reveal: Bool) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: data) else { return "<not JSON>" }
        let shown = reveal ? object : mask(object)
        guard let out = try? JSONSerialization.data(withJSONObject: shown, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        else { return "<not JSON>" }
        return String(decoding: out, as: UTF8.self)
    }

    static func mask(_ value: Any, key: String? = nil) -> Any {
        if let key, PersonalFields.kind(of: key) == .opaque, !(value is NSNull) { return "***" }
        if let dict = value as? [String: Any] {
            return dict.reduce(into: [String: Any]()) { $0[$1.key] = mask($1.value, key: $1.key) }
        }
        if let array = value as? [Any] { return array.map { mask($0, key: key) } }
        guard let key, PersonalFields.isPersonal(key) else { return value }
        // An object or a number under a personal key (exp_content as an object) is hidden whole.
        guard let s = value as? String else { return value is NSNull ? value : "***" }
        return s.isEmpty ? s : PersonalFields.masked(s, key: key) ?? s
    }
}
