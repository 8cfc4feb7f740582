import Foundation

/// GS commands (size, cut, QR and other GS ( k codes, images, barcodes).
extension EscPosDecoder {
    mutating func groupSeparator(at i: Int, _ left: Int) -> Int? {
        func arg(_ k: Int) -> Int { Int(buffer[i + k]) }
        let c = buffer[i + 1]
        switch c {
        case 0x21:  // GS ! n: width high nibble + 1, height low nibble + 1
            guard left >= 3 else { return nil }
            let n = arg(2)
            if n & 0x88 != 0 { unknown(i, 3, "GS ! \(n): magnification above 8") }
            width = (n >> 4 & 7) + 1; height = (n & 7) + 1
            return 3
        case 0x56:  // GS V m [n]
            guard left >= 3 else { return nil }
            switch arg(2) {
            case 0, 48, 1, 49: cut(partial: arg(2) & 1 == 1, feed: nil); return 3
            case 65, 66, 97, 98, 103, 104:
                guard left >= 4 else { return nil }
                cut(partial: arg(2) & 1 == 0, feed: arg(3))
                return 4
            default:
                unknown(i, 3, "GS V \(arg(2)): not a cut mode")
                return 3
            }
        case 0x28:  // GS ( X pL pH …: every GS ( command gives its length
            guard left >= 5 else { return nil }
            let length = arg(3) + arg(4) * 256
            guard left >= 5 + length else { return nil }
            if buffer[i + 2] == 0x6B, length >= 2, buffer[i + 5] == 49 {
                qr(Array(buffer[(i + 5)..<(i + 5 + length)]), at: i, count: 5 + length)
            } else if buffer[i + 2] == 0x6B, length >= 1 {
                unknown(i, 7, "GS ( k cn=\(arg(5)): a 2D code other than QR (length \(length))")
            } else {
                unknown(i, 5, String(format: "GS ( %02X", buffer[i + 2]) + " (length \(length))")
            }
            return 5 + length
        case 0x42, 0x48, 0x66, 0x68, 0x77:  // reverse, HRI position/font, barcode height/width
            guard left >= 3 else { return nil }
            return 3
        case 0x4C, 0x57:  // GS L / GS W nL nH: left margin / printing area width in dots
            guard left >= 4 else { return nil }
            if c == 0x4C { leftMargin = arg(2) + arg(3) * 256 } else { areaWidth = arg(2) + arg(3) * 256 }
            return 4
        case 0x76:  // GS v 0 m xL xH yL yH d…: raster image
            guard left >= 8 else { return nil }
            let bytesWide = arg(4) + arg(5) * 256, rows = arg(6) + arg(7) * 256
            guard left >= 8 + bytesWide * rows else { return nil }
            guard buffer[i + 2] == 0x30 else { unknown(i, 3, "GS v \(arg(2))"); return 3 }
            if !runs.isEmpty { endLine() }
            let dots = bytesWide * 8 * (arg(3) & 1 == 1 ? 2 : 1)
            var line = PrintedReceipt.Line(text: "", align: align)
            line.image = "\(dots)x\(rows * (arg(3) & 2 == 2 ? 2 : 1)) dots"
            line.dots = dots
            line.overflow = dots > printableDots
            append(line)
            return 8 + bytesWide * rows
        case 0x6B:  // GS k m …: barcode (m 0-6 NUL-ended, 65-73 with a length)
            guard left >= 3 else { return nil }
            let m = arg(2)
            let data: ArraySlice<UInt8>, used: Int
            if m <= 6 {
                guard let end = buffer[(i + 3)...].firstIndex(of: 0) else { return nil }
                data = buffer[(i + 3)..<end]; used = end + 1 - i
            } else {
                guard left >= 4, left >= 4 + arg(3) else { return nil }
                data = buffer[(i + 4)..<(i + 4 + arg(3))]; used = 4 + arg(3)
            }
            if !runs.isEmpty { endLine() }
            var line = PrintedReceipt.Line(text: "", align: align)
            line.barcode = String(decoding: data, as: UTF8.self)
            append(line)
            return used
        default:
            unknown(i, 2, String(format: "GS %02X", c) + (c >= 0x20 && c < 0x7F ? " ('\(Character(UnicodeScalar(c)))')" : ""))
            return 2
        }
    }

    /// GS ( k with cn = 49 (QR); `p` is cn fn and the parameters.
    mutating func qr(_ p: [UInt8], at i: Int, count: Int) {
        switch p[1] {
        case 65 where p.count >= 3: qrModel = Int(p[2])  // model: 49, 50 (model 2), 51 (micro)
        case 67 where p.count >= 3: qrSize = Int(p[2])
        case 69 where p.count >= 3:
            qrLevel = ["L", "M", "Q", "H"][safe: Int(p[2]) - 48] ?? "?\(p[2])"
        case 80 where p.count >= 3:
            let data = Array(p[3...])
            qrStored = String(validating: data, as: UTF8.self) ?? GB18030.decode(data) ?? Self.hex(data)
        case 81:
            guard let content = qrStored else {
                receipt.notes.append("QR printed (GS ( k fn 81) with no data stored")
                return
            }
            if !runs.isEmpty { endLine() }
            var line = PrintedReceipt.Line(text: "", align: align)
            line.qr = content
            append(line)
            receipt.qrCodes.append(.init(content: content, model: qrModel - 48, moduleSize: qrSize, errorLevel: qrLevel,
                                         line: receipt.lines.count - 1))
        default:
            unknown(i, min(count, 8), "GS ( k QR fn \(p[1]) (not simulated)")
        }
    }
}

extension Array {
    subscript(safe i: Int) -> Element? { indices.contains(i) ? self[i] : nil }
}
