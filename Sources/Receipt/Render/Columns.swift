/// Column widths of text in a monospace terminal and on a receipt printer, and the line
/// operations the sheet's layout needs (wrap, pad, truncate). A line is never wider than its
/// width: names are wrapped or cut deliberately, never left to the printer to fold.
package struct Columns: Sendable {
    package let width: Int
    let measure: @Sendable (Character) -> Int

    /// A terminal: East Asian wide and fullwidth characters take two columns.
    package static func terminal(_ width: Int) -> Columns { Columns(width: width, measure: terminalWidth) }

    /// A receipt printer in Chinese mode: a character that GB18030 writes in one byte (ASCII)
    /// takes one column of Font A, any other (two or four bytes) one full-width glyph, two.
    package static func printer(_ width: Int) -> Columns { Columns(width: width, measure: printerWidth) }

    package func width(of text: String) -> Int { text.reduce(0) { $0 + measure($1) } }

    @Sendable static func terminalWidth(_ c: Character) -> Int {
        guard let v = c.unicodeScalars.first?.value else { return 0 }
        if v < 0x20 || (v >= 0x7F && v < 0xA0) { return 0 }
        let wide: [ClosedRange<UInt32>] = [
            0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x20000...0x3FFFD,
        ]
        return wide.contains { $0.contains(v) } ? 2 : 1
    }

    @Sendable static func printerWidth(_ c: Character) -> Int { c.isASCII ? 1 : 2 }

    /// Control characters (ESC, GS … which a printer would obey) become spaces: text from
    /// the journal or a price list never reaches the printer as a command.
    package static func clean(_ text: String) -> String {
        String(text.map { c -> Character in
            guard let v = c.unicodeScalars.first?.value else { return " " }
            return v < 0x20 || (v >= 0x7F && v < 0xA0) || v == 0x2028 || v == 0x2029 ? " " : c
        })
    }

    static let noLineStart: Set<Character> = ["，", "。", "、", "；", "：", "！", "？", "）", "】", "》", "”", ",", ".", ")", ";", ":"]

    static let noLineEnd: Set<Character> = ["（", "【", "《", "“", "("]

    /// `text` cut into lines of at most `width` columns, breaking between characters.
    package func wrap(_ text: String, width: Int? = nil) -> [String] {
        let limit = max(2, width ?? self.width)
        var lines: [String] = [], current = "", used = 0
        for c in Self.clean(text) {
            let w = measure(c)
            if used + w > limit, !current.isEmpty {
                if c == " " {
                    lines.append(current)
                    current = ""
                    used = 0
                    continue
                }
                // A closing mark never begins a line: the character before it goes down too.
                var carried = ""
                if Self.noLineStart.contains(c), current.count > 1, let last = current.last, !Self.noLineStart.contains(last) {
                    carried = String(current.removeLast())
                }
                // Nor does an opening one end it.
                if current.count > 1, let last = current.last, Self.noLineEnd.contains(last) {
                    carried = String(current.removeLast()) + carried
                }
                lines.append(current)
                current = carried
                used = self.width(of: carried)
            }
            current.append(c)
            used += w
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// At most `width` columns; a cut text ends with "..".
    package func truncate(_ text: String, width: Int) -> String {
        guard self.width(of: text) > width else { return text }
        var out = "", used = 0
        for c in text {
            let w = measure(c)
            if used + w > width - 2 { break }
            out.append(c)
            used += w
        }
        return out + ".."
    }

    package func padRight(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - self.width(of: text)))
    }

    package func padLeft(_ text: String, to width: Int) -> String {
        String(repeating: " ", count: max(0, width - self.width(of: text))) + text
    }

    /// Centered by leading spaces (trailing ones are not written).
    package func center(_ text: String) -> [String] {
        wrap(text).map { String(repeating: " ", count: max(0, (width - self.width(of: $0)) / 2)) + $0 }
    }

    /// `label` on the left, `value` on the right of one line; on two when they do not fit.
    package func pair(_ label: String, _ value: String, indent: Int = 0) -> [String] {
        let lead = String(repeating: " ", count: indent)
        let l = lead + Self.clean(label), v = Self.clean(value)
        if width(of: l) + 1 + width(of: v) <= width {
            return [l + String(repeating: " ", count: width - width(of: l) - width(of: v)) + v]
        }
        return wrap(l) + wrap(v).map { padLeft($0, to: width) }
    }

    /// `label value`, the value continued under itself when it is long.
    package func field(_ label: String, _ value: String) -> [String] {
        let l = Self.clean(label)
        let lw = width(of: l) + 1
        guard lw <= width / 2 else { return wrap(l) + wrap(value, width: width - 2).map { "  " + $0 } }
        return wrap(value, width: width - lw).enumerated().map { i, part in
            (i == 0 ? l + " " : String(repeating: " ", count: lw)) + part
        }
    }

    package var rule: String { String(repeating: "-", count: width) }
}
