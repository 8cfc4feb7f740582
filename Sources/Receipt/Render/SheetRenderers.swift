/// Receipt paper: 58 mm (384 dots, 32 columns of Font A) or 80 mm (576 dots, 48 columns).
package enum PaperWidth: Int, Sendable, CaseIterable {
    case mm58 = 58
    case mm80 = 80

    package var columns: Int { self == .mm58 ? 32 : 48 }

    /// The QR code's module size in dots: about 25 mm square either way.
    var qrModule: UInt8 { self == .mm58 ? 6 : 8 }

    /// `[printer] width` or `--width`: 58 or 80; nil for anything else.
    package init?(millimetres: Int) { self.init(rawValue: millimetres) }
}

/// The sheet as monospace text for the CLI: the paper's layout, at its width.
package enum SheetText {
    package static func render(_ sheet: SettlementSheet, paper: PaperWidth = .mm58) -> String {
        SheetLayout(columns: .terminal(paper.columns)).lines(sheet).map(\.text).joined(separator: "\n") + "\n"
    }
}

/// The sheet as ESC/POS bytes for a 58 or 80 mm receipt printer: initialize, Chinese mode
/// (GB18030), the lines with the title and totals bold and double height, the settlement id
/// as a QR code, feed, cut.
package enum SheetESCPOS {
    package static func render(_ sheet: SettlementSheet, paper: PaperWidth = .mm58) -> [UInt8] {
        var p = ESCPOS()
        p.initialize()
        p.chineseMode(true)
        p.align(.left)
        var style = SheetLine.Style.normal
        for line in SheetLayout(columns: .printer(paper.columns)).lines(sheet) {
            if line.style != style {
                set(&p, line.style)
                style = line.style
            }
            p.text(line.text)
            p.lineFeed()
        }
        if style != .normal { set(&p, .normal) }
        p.lineFeed()
        p.align(.center)
        p.qrCode(sheet.header.setlId, moduleSize: paper.qrModule)
        p.lineFeed()
        p.text(sheet.header.setlId)
        p.lineFeed()
        p.align(.left)
        p.chineseMode(false)
        // Past the cutter (about 4 lines below the print head) before cutting.
        p.lineFeed(4)
        p.cut(partial: true)
        return p.bytes
    }

    static func set(_ p: inout ESCPOS, _ style: SheetLine.Style) {
        switch style {
        case .normal:
            p.size()
            p.bold(false)
        case .bold:
            p.size()
            p.bold(true)
        case .title, .total:
            p.size(height: 2)
            p.bold(true)
        }
    }
}
