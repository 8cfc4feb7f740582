import Foundation

/// The state of the simulated printer's paper and cover, and its one-byte answers to the
/// real-time status request `DLE EOT n` (10 04 n), from the public ESC/POS bit table:
/// every answer has bits 1 and 4 set (0x12); n=1 bit 3 offline; n=2 bit 2 cover open,
/// bit 5 stopped by paper end, bit 6 error; n=3 bits 3/5/6 cutter/unrecoverable/
/// auto-recoverable errors; n=4 bits 2–3 paper near end (0x0C), bits 5–6 paper end (0x60).
package enum PrinterStatus: String, Sendable, CaseIterable, Codable {
    case normal
    case paperOut = "paper-out"
    case paperNearEnd = "paper-near-end"
    case coverOpen = "cover-open"
    case offline

    /// Whether the printer prints what it receives (otherwise it is decoded and dropped).
    package var prints: Bool { self == .normal || self == .paperNearEnd }

    /// The answer byte to `DLE EOT n`; nil for an n the simulator does not know.
    package func answer(to n: UInt8) -> UInt8? {
        let base: UInt8 = 0x12
        switch n {
        case 1:
            // Offline whenever printing is stopped: paper end, cover open, or an error.
            return prints ? base : base | 0x08
        case 2:
            switch self {
            case .coverOpen: return base | 0x04
            case .paperOut: return base | 0x20
            case .offline: return base | 0x40  // "error occurred", with no paper/cover cause
            case .normal, .paperNearEnd: return base
            }
        case 3:
            return base
        case 4:
            switch self {
            case .paperNearEnd: return base | 0x0C
            // With the roll gone the near-end sensor sees no paper either.
            case .paperOut: return base | 0x0C | 0x60
            default: return base
            }
        default:
            return nil
        }
    }
}

/// GB18030 → String with the C library's iconv (the printers' Chinese mode).
package enum GB18030 {
    /// Decodes one complete character's bytes (2 or 4); nil if they are not GB18030.
    package static func decode(_ bytes: [UInt8]) -> String? {
        let cd = iconv_open("UTF-8", "GB18030")
        guard let cd, Int(bitPattern: cd) != -1 else { return nil }
        defer { iconv_close(cd) }
        var input = bytes
        var output = [UInt8](repeating: 0, count: bytes.count * 4 + 8)
        var inLeft = input.count
        var outLeft = output.count
        let rc = input.withUnsafeMutableBytes { ib in
            output.withUnsafeMutableBytes { ob -> Int in
                var ip: UnsafeMutablePointer<CChar>? = ib.baseAddress?.assumingMemoryBound(to: CChar.self)
                var op: UnsafeMutablePointer<CChar>? = ob.baseAddress?.assumingMemoryBound(to: CChar.self)
                return iconv(cd, &ip, &inLeft, &op, &outLeft)
            }
        }
        guard rc != -1, inLeft == 0 else { return nil }
        return String(decoding: output[0..<(output.count - outLeft)], as: UTF8.self)
    }
}
