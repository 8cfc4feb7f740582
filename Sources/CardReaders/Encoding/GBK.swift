#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// GBK text on the card, converted with the C library's iconv. GB18030 is used as the
/// source charset because it is a strict superset of GBK: a rare character that a card
/// issuer stored as a four-byte GB18030 sequence still decodes.
package enum GBK {
    /// Decodes GBK/GB18030 bytes; nil if the bytes are not valid in that charset.
    package static func decode(_ bytes: [UInt8]) -> String? {
        guard let utf8 = convert(bytes, from: "GB18030", to: "UTF-8") else { return nil }
        return String(validating: utf8, as: UTF8.self)
    }

    /// Encodes text to GB18030 (GBK for every character GBK has).
    package static func encode(_ text: String) -> [UInt8]? {
        convert(Array(text.utf8), from: "UTF-8", to: "GB18030")
    }

    /// Card fields are fixed-width and padded with 0x00 or spaces. Neither byte can be the
    /// second byte of a GBK character (those are 0x40–0xFE), so trimming bytes is safe.
    package static func trimPadding(_ bytes: [UInt8]) -> [UInt8] {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x00 || bytes[end - 1] == 0x20 { end -= 1 }
        var start = 0
        while start < end, bytes[start] == 0x20 { start += 1 }
        return Array(bytes[start..<end])
    }

    private static func convert(_ input: [UInt8], from: String, to: String) -> [UInt8]? {
        let cd = iconv_open(to, from)
        guard let cd, Int(bitPattern: cd) != -1 else { return nil }
        defer { iconv_close(cd) }
        if input.isEmpty { return [] }
        var source = input.map { CChar(bitPattern: $0) }
        // At most 4 output bytes per input byte in either direction.
        var output = [CChar](repeating: 0, count: input.count * 4 + 8)
        let written: Int? = source.withUnsafeMutableBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                var inPtr: UnsafeMutablePointer<CChar>? = src.baseAddress
                var inLeft = src.count
                var outPtr: UnsafeMutablePointer<CChar>? = dst.baseAddress
                var outLeft = dst.count
                let result = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
                guard result != -1, inLeft == 0 else { return nil }
                // Flush any shift state.
                guard iconv(cd, nil, nil, &outPtr, &outLeft) != -1 else { return nil }
                return dst.count - outLeft
            }
        }
        guard let written else { return nil }
        return output.prefix(written).map { UInt8(bitPattern: $0) }
    }
}
