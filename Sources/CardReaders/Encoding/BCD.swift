import TerminalCore

/// Packed binary-coded decimal as the social-security card stores dates and codes.
package enum BCD {
    /// Two digits per byte, high nibble first; nil if any nibble is not 0–9.
    package static func digits(_ bytes: some Collection<UInt8>) -> String? {
        var out = ""
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            let hi = byte >> 4, lo = byte & 0x0F
            guard hi <= 9, lo <= 9 else { return nil }
            out.append(Character(Unicode.Scalar(0x30 + hi)))
            out.append(Character(Unicode.Scalar(0x30 + lo)))
        }
        return out
    }

    /// 4 bytes `YYYYMMDD`; nil unless the day exists.
    package static func date(_ bytes: some Collection<UInt8>) -> CalendarDate? {
        guard bytes.count == 4, let text = digits(bytes) else { return nil }
        return CalendarDate(text)
    }
}

/// Upper-case hex without separators, for ATRs and binary card fields.
package enum Hex {
    package static func string(_ bytes: some Sequence<UInt8>) -> String {
        let table = Array("0123456789ABCDEF")
        var out = ""
        for b in bytes {
            out.append(table[Int(b >> 4)])
            out.append(table[Int(b & 0x0F)])
        }
        return out
    }

    /// Accepts upper or lower case, ignores spaces and colons; nil on odd length or non-hex.
    package static func bytes(_ text: String) -> [UInt8]? {
        let clean = text.filter { $0 != " " && $0 != ":" }
        guard clean.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(clean.count / 2)
        var index = clean.startIndex
        while index < clean.endIndex {
            let next = clean.index(index, offsetBy: 2)
            guard let byte = UInt8(clean[index..<next], radix: 16) else { return nil }
            out.append(byte)
            index = next
        }
        return out
    }
}
