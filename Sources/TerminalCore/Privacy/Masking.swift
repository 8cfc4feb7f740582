/// Masking of personal data for logs, metrics and default CLI output.
///
/// The rules follow the usual Chinese practice for 身份证号 and 姓名: keep enough for a
/// person to recognise their own record, never enough to identify someone.
package enum Masking {
    /// `360402198503122420` → `360402********2420`: region kept, birth date and sequence hidden.
    package static func idNumber(_ value: String) -> String {
        keep(value, prefix: 6, suffix: 4)
    }

    /// `欧阳淼` → `欧*淼`, `刘䶮` → `刘*`, `司马相如` → `司**如`.
    package static func name(_ value: String) -> String {
        let chars = Array(value)
        switch chars.count {
        case 0: return ""
        case 1: return "*"
        case 2: return String(chars[0]) + "*"
        default:
            return String(chars[0]) + String(repeating: "*", count: chars.count - 2)
                + String(chars[chars.count - 1])
        }
    }

    /// Generic identifier (card number, token, card identifier): first and last two kept.
    package static func identifier(_ value: String) -> String {
        keep(value, prefix: 2, suffix: 2, minimumHidden: 3)
    }

    /// Keeps `prefix` and `suffix` characters and stars the rest; a value too short to hide
    /// at least `minimumHidden` characters is starred entirely.
    private static func keep(_ value: String, prefix: Int, suffix: Int, minimumHidden: Int = 1) -> String {
        let chars = Array(value)
        let hidden = chars.count - prefix - suffix
        guard hidden >= minimumHidden else { return String(repeating: "*", count: chars.count) }
        return String(chars.prefix(prefix)) + String(repeating: "*", count: hidden) + String(chars.suffix(suffix))
    }

    /// A date of birth is personal data too: keep the year only.
    package static func date(_ value: CalendarDate) -> String {
        String(format4(value.year)) + "-**-**"
    }

    private static func format4(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}
