#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An ESC/POS byte stream, from the public command list (docs/receipts.md, "Commands";
/// shared/reference/id-card-and-printers.md). Only what the sheet needs.
package struct ESCPOS: Sendable {
    package private(set) var bytes: [UInt8] = []

    package init() {}

    static let ESC: UInt8 = 0x1B, GS: UInt8 = 0x1D, FS: UInt8 = 0x1C, DLE: UInt8 = 0x10, EOT: UInt8 = 0x04, LF: UInt8 = 0x0A

    /// `ESC @`: initialize (clears the buffer and every mode).
    package mutating func initialize() { bytes += [Self.ESC, 0x40] }

    /// `FS &` enters Chinese (double-byte) mode, `FS .` leaves it.
    package mutating func chineseMode(_ on: Bool) { bytes += [Self.FS, on ? 0x26 : 0x2E] }

    /// `ESC E n`: bold on (1) or off (0).
    package mutating func bold(_ on: Bool) { bytes += [Self.ESC, 0x45, on ? 1 : 0] }

    /// `GS ! n`: character size, width multiplier in the high nibble, height in the low
    /// (0x01 = double height, same width: the columns stay as they are).
    package mutating func size(width: UInt8 = 1, height: UInt8 = 1) {
        bytes += [Self.GS, 0x21, ((min(max(width, 1), 8) - 1) << 4) | (min(max(height, 1), 8) - 1)]
    }

    package enum Alignment: UInt8, Sendable { case left = 0, center = 1, right = 2 }

    /// `ESC a n`.
    package mutating func align(_ a: Alignment) { bytes += [Self.ESC, 0x61, a.rawValue] }

    /// Text in GB18030 (Chinese mode must be on for anything beyond ASCII). Control
    /// characters are written as spaces: text is never a command.
    package mutating func text(_ s: String) { bytes += Self.gb18030(Columns.clean(s)) }

    /// `LF` × n: print the line and feed.
    package mutating func lineFeed(_ n: Int = 1) { bytes += [UInt8](repeating: Self.LF, count: max(0, n)) }

    package enum QRErrorLevel: UInt8, Sendable { case l = 48, m = 49, q = 50, h = 51 }

    /// A QR code the printer draws itself: `GS ( k` with cn 49 (0x31) and, in order,
    /// fn 65 (0x41) model 2, fn 67 (0x43) module size, fn 69 (0x45) error level,
    /// fn 80 (0x50) store the data, fn 81 (0x51) print it.
    package mutating func qrCode(_ data: String, moduleSize: UInt8, errorLevel: QRErrorLevel = .m) {
        let payload = Array(data.utf8)
        bytes += [Self.GS, 0x28, 0x6B, 4, 0, 0x31, 0x41, 50, 0]
        bytes += [Self.GS, 0x28, 0x6B, 3, 0, 0x31, 0x43, min(max(moduleSize, 1), 16)]
        bytes += [Self.GS, 0x28, 0x6B, 3, 0, 0x31, 0x45, errorLevel.rawValue]
        let length = payload.count + 3
        bytes += [Self.GS, 0x28, 0x6B, UInt8(length & 0xFF), UInt8((length >> 8) & 0xFF), 0x31, 0x50, 0x30] + payload
        bytes += [Self.GS, 0x28, 0x6B, 3, 0, 0x31, 0x51, 0x30]
    }

    /// `GS V m`: cut; m 0 full, 1 partial (one point left uncut).
    package mutating func cut(partial: Bool = true) { bytes += [Self.GS, 0x56, partial ? 1 : 0] }

    /// `DLE EOT n`: real-time status request (n 1 printer, 2 offline cause, 3 error cause,
    /// 4 paper sensor). Answered with one byte, even while the printer is offline.
    package static func statusRequest(_ n: UInt8) -> [UInt8] { [DLE, EOT, n] }

    /// GB18030 bytes of `text`, through the C library's iconv (as Sources/CardReaders'
    /// GBK decoding); a character iconv refuses becomes `?`.
    package static func gb18030(_ text: String) -> [UInt8] {
        if text.allSatisfy(\.isASCII) { return Array(text.utf8) }
        if let all = convert(Array(text.utf8)) { return all }
        var out: [UInt8] = []
        for c in text { out += convert(Array(String(c).utf8)) ?? [0x3F] }
        return out
    }

    private static func convert(_ input: [UInt8]) -> [UInt8]? {
        let cd = iconv_open("GB18030", "UTF-8")
        guard let cd, Int(bitPattern: cd) != -1 else { return nil }
        defer { iconv_close(cd) }
        var source = input.map { CChar(bitPattern: $0) }
        var output = [CChar](repeating: 0, count: input.count * 4 + 8)
        let written: Int? = source.withUnsafeMutableBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                var inPtr: UnsafeMutablePointer<CChar>? = src.baseAddress
                var inLeft = src.count
                var outPtr: UnsafeMutablePointer<CChar>? = dst.baseAddress
                var outLeft = dst.count
                guard iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft) != -1, inLeft == 0,
                      iconv(cd, nil, nil, &outPtr, &outLeft) != -1 else { return nil }
                return dst.count - outLeft
            }
        }
        return written.map { n in output.prefix(n).map { UInt8(bitPattern: $0) } }
    }
}
