import Foundation

/// Times as the platform writes them: China Standard Time (UTC+8, no daylight saving),
/// `yyyy-MM-dd HH:mm:ss`, dates `yyyy-MM-dd`, msgid stamps `yyyyMMddHHmmss`.
package enum WireTime {
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
    package static func infTime(_ date: Date) -> String {
        let p = parts(date)
        return "\(pad(p.year, 4))-\(pad(p.month, 2))-\(pad(p.day, 2)) \(pad(p.hour, 2)):\(pad(p.minute, 2)):\(pad(p.second, 2))"
    }

    /// `2026-11-23`: the settlement day in China, which is what 3201 reconciles.
    package static func day(_ date: Date) -> String { String(infTime(date).prefix(10)) }

    /// `20261123150405`.
    package static func stamp(_ date: Date) -> String {
        infTime(date).filter { $0.isNumber }
    }

    /// Parses a time the platform wrote, as China time: `yyyy-MM-dd HH:mm:ss` (inf_time,
    /// setl_time), `yyyyMMddHHmmssSSS` (respond_time and refmsg_time in the spec),
    /// `yyyyMMddHHmmss`, or `yyyy-MM-dd HH:mm:ss.SSS`. Milliseconds are kept.
    package static func parse(_ text: String) -> Date? {
        let t = text.trimmingCharacters(in: .whitespaces)
        var fields: [Int]
        var millis = 0
        if t.allSatisfy({ $0.isASCII && $0.isNumber }), t.count == 14 || t.count == 17 {
            let d = Array(t)
            func n(_ from: Int, _ len: Int) -> Int { Int(String(d[from..<(from + len)])) ?? 0 }
            fields = [n(0, 4), n(4, 2), n(6, 2), n(8, 2), n(10, 2), n(12, 2)]
            if t.count == 17 { millis = n(14, 3) }
        } else {
            let parts = t.split(whereSeparator: { $0 == "-" || $0 == " " || $0 == ":" || $0 == "." }).map { Int($0) }
            guard parts.count == 6 || parts.count == 7, parts.allSatisfy({ $0 != nil }) else { return nil }
            fields = parts.prefix(6).map { $0! }
            if parts.count == 7 { millis = parts[6]! }
        }
        guard (1...12).contains(fields[1]), (1...31).contains(fields[2]), fields[3] < 24, fields[4] < 60, fields[5] < 61
        else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: chinaOffset)!
        guard let date = cal.date(from: DateComponents(year: fields[0], month: fields[1], day: fields[2],
                                                       hour: fields[3], minute: fields[4], second: fields[5]))
        else { return nil }
        return date.addingTimeInterval(Double(millis) / 1000)
    }
}
