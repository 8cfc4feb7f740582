import Foundation
import Settlement
import TerminalCore

/// Messages as the CLI shows them: every personal value masked by the one table of
/// personal fields (`PersonalFields`), unless revealing is asked for.
package enum MessageMasking {
    /// The JSON with every personal value masked, pretty-printed with sorted keys.
    package static func masked(_ data: Data, reveal: Bool) -> String {
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
