import Foundation

/// What the simulated printer put on paper between an initialisation and a cut, as a test
/// or a technician reads it: lines with their attributes, QR codes, the cut, and every
/// byte the printer did not understand.
package struct PrintedReceipt: Codable, Sendable, Equatable {
    package enum Alignment: String, Codable, Sendable { case left, center, right }

    /// A stretch of a line printed with the same attributes.
    package struct Run: Codable, Sendable, Equatable {
        package var text: String
        package var bold = false
        package var underline = 0
        /// Magnification: 1 normal, 2 double (GS ! allows up to 8).
        package var width = 1
        package var height = 1
        package var fontB = false
    }

    package struct Line: Codable, Sendable, Equatable {
        package var text: String
        package var align: Alignment
        package var runs: [Run] = []
        /// Columns of Font A the line takes: ASCII 1, Chinese 2, times the width.
        package var columns = 0
        /// Dots the line takes on the head (Font A 12, Font B 9, Chinese 24, times width).
        package var dots = 0
        /// The line is wider than the paper: a real printer would wrap it.
        package var overflow = false
        /// Every visible character of the line is bold.
        package var bold = false
        /// The largest magnification on the line.
        package var width = 1
        package var height = 1
        /// Line spacing in dots set by ESC 3 n; nil for the default (ESC 2).
        package var lineSpacing: Int?
        /// A QR code printed here (its stored content), a barcode, or a raster image.
        package var qr: String?
        package var barcode: String?
        package var image: String?
    }

    package struct QRCode: Codable, Sendable, Equatable {
        package var content: String
        package var model: Int
        package var moduleSize: Int
        package var errorLevel: String
        /// Index of the line that holds it in `lines`.
        package var line: Int
        package init(content: String, model: Int, moduleSize: Int, errorLevel: String, line: Int) {
            self.content = content; self.model = model; self.moduleSize = moduleSize
            self.errorLevel = errorLevel; self.line = line
        }
    }

    package struct Cut: Codable, Sendable, Equatable {
        package var partial: Bool
        /// The feed before the cut (GS V 65/66 n), in dots.
        package var feed: Int?
        package init(partial: Bool, feed: Int?) { self.partial = partial; self.feed = feed }
    }

    /// A command the simulator does not know or does not simulate.
    package struct UnknownCommand: Codable, Sendable, Equatable {
        /// Offset of its first byte in the stream (since the connection or decoder began).
        package var offset: Int
        package var bytes: String
        package var note: String
    }

    /// A byte ≥ 0x80 outside Chinese mode, or bytes in Chinese mode that are not GB18030.
    package struct UnexpectedBytes: Codable, Sendable, Equatable {
        package var offset: Int
        package var bytes: String
        package var note: String
    }

    package struct StatusRequest: Codable, Sendable, Equatable {
        package var n: Int
        package var answer: Int?
    }

    /// Paper width in columns of Font A (32 for 58 mm, 48 for 80 mm) and in dots.
    package var paperColumns: Int
    package var paperDots: Int
    /// ESC @ came before anything was printed.
    package var initialized = false
    package var lines: [Line] = []
    package var qrCodes: [QRCode] = []
    package var cut: Cut?
    package var unknownCommands: [UnknownCommand] = []
    package var unexpectedBytes: [UnexpectedBytes] = []
    package var statusRequests: [StatusRequest] = []
    /// Other things a careful reader of the stream would flag (text lost to ESC @, a QR
    /// printed with nothing stored, a command cut off at the end of the stream, …).
    package var notes: [String] = []
    /// Bytes received while the printer could not print (paper out, cover open, offline).
    package var discardedBytes = 0

    /// Indexes in `lines` of the lines that would wrap on paper.
    package var overflowingLines: [Int] { lines.indices.filter { lines[$0].overflow } }

    /// Nothing at all was printed or flagged (a stream of status requests only, say).
    package var isEmpty: Bool {
        lines.isEmpty && cut == nil && unknownCommands.isEmpty && unexpectedBytes.isEmpty && notes.isEmpty
            && discardedBytes == 0
    }

    package init(paperColumns: Int) {
        self.paperColumns = paperColumns
        self.paperDots = paperColumns * 12
    }

    /// The receipt as the paper shows it, one string per line: aligned within the paper
    /// width, a QR code as `[QR content]`, an overflowing line with `  <<< overflow` after it.
    package func plainText(markOverflow: Bool = true) -> [String] {
        lines.map { line in
            var text = line.text
            if let qr = line.qr { text = "[QR \(qr)]" }
            if let barcode = line.barcode { text = "[barcode \(barcode)]" }
            if let image = line.image { text = "[image \(image)]" }
            let columns = line.qr == nil && line.barcode == nil && line.image == nil ? line.columns : PrintedReceipt.columns(of: text)
            let room = max(paperColumns - columns, 0)
            let pad = line.align == .center ? room / 2 : line.align == .right ? room : 0
            var out = String(repeating: " ", count: pad) + text
            if markOverflow && line.overflow { out += "  <<< overflow (\(line.columns)/\(paperColumns) columns)" }
            return out
        }
    }

    /// Display columns of a string: CJK and other wide characters 2, others 1.
    package static func columns(of text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + (isWide($1) ? 2 : 1) }
    }

    package static func isWide(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF,
             0xA000...0xA4CF, 0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60,
             0xFFE0...0xFFE6, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// The JSON written beside the text (sorted keys, indented).
    package func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var object = try JSONSerialization.jsonObject(with: encoder.encode(self)) as! [String: Any]
        object["overflowingLines"] = overflowingLines
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
