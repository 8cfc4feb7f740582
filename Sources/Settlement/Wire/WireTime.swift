import Foundation

/// Times as the platform writes them: China Standard Time (UTC+8, no daylight saving),
/// `yyyy-MM-dd HH:mm:ss`, dates `yyyy-MM-dd`, msgid stamps `yyyyMMddHHmmss`.
public enum WireTime {
    static let chinaOffset = 8 * 3600

    private static func parts(_ date: Date) -> DateComponents {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: chinaOffset)!
        return cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    }

    private static func pad(_ n: Int?, _ width: Int) -> String {
        let s = String(n ?? 0)
        return String(repeating: "0", count: max(0, width - s.count)) + s
    }

    /// `2026-11-23 15:04:05`.
    public static func infTime(_ date: Date) -> String {
        let p = parts(date)
        return "\(pad(p.year, 4))-\(pad(p.month, 2))-\(pad(p.day, 2)) \(pad(p.hour, 2)):\(pad(p.minute, 2)):\(pad(p.second, 2))"
    }

    /// `2026-11-23`: the settlement day in China, which is what 3201 reconciles.
    public static func day(_ date: Date) -> String { String(infTime(date).prefix(10)) }

    /// `20261123150405`.
    public static func stamp(_ date: Date) -> String {
        infTime(date).filter { $0.isNumber }
    }

    /// Parses `yyyy-MM-dd HH:mm:ss` as China time.
    public static func parse(_ text: String) -> Date? {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" }).compactMap { Int($0) }
        guard parts.count == 6 else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: chinaOffset)!
        return cal.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2],
                                             hour: parts[3], minute: parts[4], second: parts[5]))
    }
}
