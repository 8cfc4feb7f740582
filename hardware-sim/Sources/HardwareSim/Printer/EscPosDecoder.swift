import Foundation

/// An ESC/POS byte stream decoded as a receipt printer would print it, written from the
/// public command list (hardware-sim/printer/README.md), not from cuntong's encoder. Feed
/// it chunks as they arrive: a command split across writes waits for its remaining bytes.
package struct EscPosDecoder: Sendable {
    package enum Event: Sendable, Equatable {
        /// Bytes the printer sends back (the answer to DLE EOT n).
        case reply([UInt8])
        /// A receipt ended by a cut.
        case receipt(PrintedReceipt)
    }

    /// Decides the DLE EOT answers and whether received text is printed or dropped.
    package var status: PrinterStatus
    var receipt: PrintedReceipt
    /// The receipt being printed (not yet cut).
    package var current: PrintedReceipt { receipt }
    let paperColumns: Int
    var buffer: [UInt8] = []
    /// Stream offset of buffer[0].
    var offset = 0

    // Printer state (ESC @ returns it to power-on).
    var bold = false, underline = 0, width = 1, height = 1, fontB = false
    var align = PrintedReceipt.Alignment.left
    var chinese = false
    var lineSpacing: Int?
    var rightSpacing = 0
    var leftMargin = 0
    var areaWidth: Int?
    var qrModel = 50, qrSize = 3, qrLevel = "L"
    var qrStored: String?
    // The line being filled: its runs and its alignment (taken when its first character came).
    var runs: [PrintedReceipt.Run] = []
    var lineAlign: PrintedReceipt.Alignment?
    var lineDots = 0, lineColumns = 0
    var lastWasCR = false

    package init(columns: Int = 32, status: PrinterStatus = .normal) {
        paperColumns = columns
        self.status = status
        receipt = PrintedReceipt(paperColumns: columns)
    }

    /// Decodes a chunk; returns the replies and the receipts finished by it.
    package mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        var i = 0
        while i < buffer.count {
            let printing = status.prints
            let wasCR = buffer[i] == 0x0D
            guard let used = step(at: i, &events) else { break }
            i += used
            if !wasCR { lastWasCR = false }
            if !printing {
                if finishedReceipts.isEmpty { receipt.discardedBytes += used } else { finishedReceipts[finishedReceipts.count - 1].discardedBytes += used }
            }
            events += finishedReceipts.map { .receipt($0) }
            finishedReceipts = []
        }
        buffer.removeFirst(i)
        offset += i
        return events
    }

    /// The end of the stream: the receipt so far (without a cut), if anything is in it.
    package mutating func finish() -> PrintedReceipt? {
        if !buffer.isEmpty {
            receipt.notes.append("the stream ended inside a command: \(Self.hex(buffer.prefix(16)))")
            offset += buffer.count
            buffer = []
        }
        if !runs.isEmpty { endLine() }
        defer { receipt = PrintedReceipt(paperColumns: paperColumns) }
        return receipt.isEmpty ? nil : receipt
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02X", $0) }.joined(separator: " ")
    }

    mutating func unknown(_ i: Int, _ count: Int, _ note: String) {
        let end = min(i + count, buffer.count)
        receipt.unknownCommands.append(.init(offset: offset + i, bytes: Self.hex(buffer[i..<end]), note: note))
    }

    /// One command, control byte or character at buffer[i]: the bytes it takes, or nil
    /// if they have not all arrived.
    mutating func step(at i: Int, _ events: inout [Event]) -> Int? {
        let left = buffer.count - i
        func arg(_ k: Int) -> Int { Int(buffer[i + k]) }
        let b = buffer[i]
        switch b {
        case 0x0A:  // LF: print the line (an empty one feeds a line), unless it ends CR LF
            if !lastWasCR { endLine() }
            return 1
        case 0x0D:  // CR: print the line without an extra feed (CR LF is one line)
            if !runs.isEmpty { endLine(); lastWasCR = true }
            return 1
        case 0x09:  // HT: to the next tab stop (every 8 columns by default)
            let col = lineColumns % 8
            addText(String(repeating: " ", count: 8 - col), wide: false)
            return 1
        case 0x1B:
            guard left >= 2 else { return nil }
            return escape(at: i, left)
        case 0x1D:
            guard left >= 2 else { return nil }
            return groupSeparator(at: i, left)
        case 0x1C:
            guard left >= 2 else { return nil }
            switch buffer[i + 1] {
            case 0x26: chinese = true; return 2  // FS &
            case 0x2E: chinese = false; return 2  // FS .
            case 0x21:  // FS ! n: Chinese print mode (double width b2, double height b3, underline b7)
                guard left >= 3 else { return nil }
                width = arg(2) & 0x04 != 0 ? 2 : 1
                height = arg(2) & 0x08 != 0 ? 2 : 1
                underline = arg(2) & 0x80 != 0 ? 1 : 0
                return 3
            case 0x2D:  // FS - n: Chinese underline
                guard left >= 3 else { return nil }
                underline = arg(2) % 48
                return 3
            case 0x53:  // FS S n1 n2: Chinese character spacing (not simulated)
                guard left >= 4 else { return nil }
                return 4
            default:
                unknown(i, 2, "FS \(String(format: "%02X", buffer[i + 1]))")
                return 2
            }
        case 0x10:
            guard left >= 2 else { return nil }
            guard buffer[i + 1] == 0x04 else {
                unknown(i, 2, "DLE \(String(format: "%02X", buffer[i + 1])) (real-time command not simulated)")
                return 2
            }
            guard left >= 3 else { return nil }
            let n = buffer[i + 2]
            let answer = status.answer(to: n)
            receipt.statusRequests.append(.init(n: Int(n), answer: answer.map(Int.init)))
            if let answer { events.append(.reply([answer])) } else { unknown(i, 3, "DLE EOT \(n): not a status the simulator knows (1-4)") }
            return 3
        case 0x20...0x7E:
            addText(String(UnicodeScalar(b)), wide: false)
            return 1
        case 0x80...0xFF:
            guard chinese else {
                unexpected(i, 1, "byte ≥ 0x80 outside Chinese mode (FS & not sent)")
                return 1
            }
            guard (0x81...0xFE).contains(b) else { unexpected(i, 1, "not a GB18030 lead byte"); return 1 }
            guard left >= 2 else { return nil }
            let four = (0x30...0x39).contains(buffer[i + 1])
            let count = four ? 4 : 2
            guard left >= count else { return nil }
            if let s = GB18030.decode(Array(buffer[i..<(i + count)])) {
                addText(s, wide: true)
            } else {
                unexpected(i, count, "not a GB18030 character")
            }
            return count
        default:
            unknown(i, 1, String(format: "control byte %02X", b))
            return 1
        }
    }

    mutating func unexpected(_ i: Int, _ count: Int, _ note: String) {
        receipt.unexpectedBytes.append(.init(offset: offset + i, bytes: Self.hex(buffer[i..<(i + count)]), note: note))
        addText("\u{FFFD}", wide: false)
    }

    mutating func escape(at i: Int, _ left: Int) -> Int? {
        func arg(_ k: Int) -> Int { Int(buffer[i + k]) }
        let c = buffer[i + 1]
        // Commands with one parameter byte.
        if [0x45, 0x47, 0x61, 0x21, 0x2D, 0x33, 0x64, 0x4A, 0x4D, 0x20, 0x74, 0x52, 0x56, 0x7B].contains(c) {
            guard left >= 3 else { return nil }
        }
        switch c {
        case 0x40:  // ESC @
            if !runs.isEmpty {
                receipt.notes.append("ESC @ discarded unprinted text: \(runs.map(\.text).joined())")
                runs = []; lineAlign = nil; lineDots = 0; lineColumns = 0
            }
            if receipt.lines.isEmpty { receipt.initialized = true }
            bold = false; underline = 0; width = 1; height = 1; fontB = false; align = .left
            chinese = false; lineSpacing = nil; rightSpacing = 0; leftMargin = 0; areaWidth = nil
            qrModel = 50; qrSize = 3; qrLevel = "L"; qrStored = nil
            return 2
        case 0x45: bold = arg(2) & 1 == 1; return 3  // ESC E n
        case 0x47: return 3  // ESC G n: double-strike (prints like bold; not tracked)
        case 0x61:  // ESC a n
            switch arg(2) {
            case 0, 48: align = .left
            case 1, 49: align = .center
            case 2, 50: align = .right
            default: unknown(i, 3, "ESC a \(arg(2)): alignment must be 0-2 or 48-50")
            }
            return 3
        case 0x21:  // ESC ! n
            let n = arg(2)
            fontB = n & 0x01 != 0; bold = n & 0x08 != 0
            height = n & 0x10 != 0 ? 2 : 1; width = n & 0x20 != 0 ? 2 : 1
            underline = n & 0x80 != 0 ? 1 : 0
            return 3
        case 0x2D: underline = arg(2) % 48; return 3  // ESC - n
        case 0x32: lineSpacing = nil; return 2  // ESC 2
        case 0x33: lineSpacing = arg(2); return 3  // ESC 3 n
        case 0x64:  // ESC d n: print the line and feed n lines
            let n = arg(2)
            if !runs.isEmpty { endLine(); for _ in 0..<max(n - 1, 0) { endLine() } } else { for _ in 0..<n { endLine() } }
            return 3
        case 0x4A: if !runs.isEmpty { endLine() }; return 3  // ESC J n: print and feed n dots
        case 0x4D: fontB = arg(2) & 1 == 1; return 3  // ESC M n
        case 0x20: rightSpacing = arg(2); return 3  // ESC SP n
        case 0x74, 0x52, 0x56, 0x7B: return 3  // code table, character set, rotation, upside down
        case 0x70:  // ESC p m t1 t2: drawer kick
            guard left >= 5 else { return nil }
            return 5
        case 0x69, 0x6D:  // ESC i / ESC m: the older full / partial cut
            cut(partial: c == 0x6D, feed: nil)
            return 2
        case 0x2A:  // ESC * m nL nH d…: bit image in the line
            guard left >= 5 else { return nil }
            let columns = arg(3) + arg(4) * 256
            let count = columns * (arg(2) >= 32 ? 3 : 1)
            guard left >= 5 + count else { return nil }
            receipt.notes.append("ESC * bit image of \(columns) dots in a line")
            addImageDots(columns * (arg(2) == 0 || arg(2) == 32 ? 2 : 1))
            return 5 + count
        default:
            unknown(i, 2, String(format: "ESC %02X", c) + (c >= 0x20 && c < 0x7F ? " ('\(Character(UnicodeScalar(c)))')" : ""))
            return 2
        }
    }

    mutating func cut(partial: Bool, feed: Int?) {
        if !runs.isEmpty {
            receipt.notes.append("cut with unprinted text in the line buffer (printed before the cut)")
            endLine()
        }
        receipt.cut = .init(partial: partial, feed: feed)
        finishedReceipts.append(receipt)
        receipt = PrintedReceipt(paperColumns: paperColumns)
    }

    var finishedReceipts: [PrintedReceipt] = []

    var printableDots: Int {
        let paper = paperColumns * 12
        return min(paper - leftMargin, areaWidth ?? paper)
    }

    mutating func addText(_ text: String, wide: Bool) {
        guard status.prints else { return }
        if lineAlign == nil { lineAlign = align }
        let glyph = wide ? 24 : (fontB ? 9 : 12)
        let scalars = text.unicodeScalars.count
        lineDots += (glyph + (wide ? 0 : rightSpacing)) * width * scalars
        lineColumns += (wide ? 2 : 1) * width * scalars
        let run = PrintedReceipt.Run(text: text, bold: bold, underline: underline, width: width, height: height, fontB: fontB)
        if var last = runs.last, last.bold == run.bold, last.underline == run.underline, last.width == run.width,
           last.height == run.height, last.fontB == run.fontB {
            last.text += text
            runs[runs.count - 1] = last
        } else {
            runs.append(run)
        }
    }

    mutating func addImageDots(_ dots: Int) {
        if lineAlign == nil { lineAlign = align }
        lineDots += dots
        lineColumns += (dots + 11) / 12
        runs.append(.init(text: "", width: 1, height: 1))
    }

    /// Prints the line buffer (an empty buffer is a blank line).
    mutating func endLine() {
        var line = PrintedReceipt.Line(text: runs.map(\.text).joined(), align: lineAlign ?? align, runs: runs)
        line.columns = lineColumns
        line.dots = lineDots
        line.overflow = lineDots > printableDots
        let visible = runs.filter { !$0.text.trimmingCharacters(in: .whitespaces).isEmpty }
        line.bold = !visible.isEmpty && visible.allSatisfy(\.bold)
        line.width = runs.map(\.width).max() ?? width
        line.height = runs.map(\.height).max() ?? height
        line.lineSpacing = lineSpacing
        runs = []; lineAlign = nil; lineDots = 0; lineColumns = 0
        append(line)
    }

    mutating func append(_ line: PrintedReceipt.Line) {
        guard status.prints else { return }
        receipt.lines.append(line)
    }
}
