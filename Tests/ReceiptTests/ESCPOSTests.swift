import Foundation
import Receipt
import Settlement
import TerminalCore
import Testing
import TestSupport

/// Reads an ESC/POS stream back as the test understands the public command list: the
/// commands the sheet uses, and the text lines between them (GB18030, columns counted as a
/// printer in Chinese mode counts them: one byte one column, a double-byte or four-byte
/// character two).
struct PrintedStream {
    struct Line { var bytes: [UInt8] = []; var columns = 0; var bold = false; var doubleHeight = false }
    var lines: [Line] = []
    var commands: [[UInt8]] = []
    var qrData: [UInt8]?
    var qrModel: UInt8?
    var chineseMode = false
    var enteredChinese = false
    var cut: UInt8?
    var problems: [String] = []

    init(_ b: [UInt8]) {
        var i = 0, current = Line(), bold = false, tall = false
        func take(_ n: Int) -> [UInt8] { let s = Array(b[i..<min(i + n, b.count)]); i += n; return s }
        while i < b.count {
            let c = b[i]
            switch c {
            case 0x0A:
                current.bold = bold; current.doubleHeight = tall
                lines.append(current); current = Line(); i += 1
            case 0x1B:
                let cmd = take(b[i + 1] == 0x40 ? 2 : 3)
                commands.append(cmd)
                if cmd[1] == 0x45 { bold = cmd[2] == 1 }
            case 0x1C:
                let cmd = take(2)
                commands.append(cmd)
                if cmd[1] == 0x26 { chineseMode = true; enteredChinese = true }
                if cmd[1] == 0x2E { chineseMode = false }
            case 0x1D where b[i + 1] == 0x21:
                let cmd = take(3); commands.append(cmd); tall = cmd[2] & 0x0F != 0
            case 0x1D where b[i + 1] == 0x56:
                let cmd = take(3); commands.append(cmd); cut = cmd[2]
            case 0x1D where b[i + 1] == 0x28 && b[i + 2] == 0x6B:
                let length = Int(b[i + 3]) + Int(b[i + 4]) * 256
                let cmd = take(5 + length); commands.append(cmd)
                switch cmd[6] {
                case 0x41: qrModel = cmd[7]
                case 0x50: qrData = Array(cmd[8...])
                default: break
                }
            case 0x00..<0x20:
                problems.append("stray control byte \(c)"); i += 1
            case 0x20..<0x80:
                current.bytes.append(c); current.columns += 1; i += 1
            default:
                guard chineseMode else { problems.append("a multi-byte character outside Chinese mode"); i += 1; continue }
                let four = i + 1 < b.count && (0x30...0x39).contains(b[i + 1])
                current.bytes += take(four ? 4 : 2); current.columns += 2
            }
        }
        if !current.bytes.isEmpty { lines.append(current) }
    }

    /// The text of the lines, decoded from GB18030.
    var text: [String] { lines.map { gb18030Decode($0.bytes) } }
}

func gb18030Decode(_ bytes: [UInt8]) -> String {
    let cd = iconv_open("UTF-8", "GB18030")
    defer { iconv_close(cd) }
    var source = bytes.map { CChar(bitPattern: $0) }
    var output = [CChar](repeating: 0, count: bytes.count * 4 + 8)
    let n = source.withUnsafeMutableBufferPointer { src in
        output.withUnsafeMutableBufferPointer { dst in
            var inPtr = src.baseAddress, inLeft = src.count, outPtr = dst.baseAddress, outLeft = dst.count
            _ = iconv(cd, &inPtr, &inLeft, &outPtr, &outLeft)
            return dst.count - outLeft
        }
    }
    return String(decoding: output.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

@Suite("ESC/POS for 58 and 80 mm")
struct ESCPOSTests {
    @Test("every line within its width, Chinese mode, totals bold and double height, QR of the setl_id, cut")
    func sheetBytes() async throws {
        try await withCore { core in
            let (client, outcome, sheet) = try await settledSheet(core)
            for paper in PaperWidth.allCases {
                let bytes = SheetESCPOS.render(sheet, paper: paper)
                #expect(Array(bytes.prefix(4)) == [0x1B, 0x40, 0x1C, 0x26], "ESC @ then FS &")
                let stream = PrintedStream(bytes)
                #expect(stream.problems.isEmpty, "\(stream.problems)")
                #expect(stream.enteredChinese)
                for line in stream.lines {
                    #expect(line.columns <= paper.columns, "\(paper.columns): \(gb18030Decode(line.bytes)) (\(line.columns))")
                }
                #expect(stream.lines.contains { $0.columns == paper.columns }, "rules fill the width")
                let text = stream.text
                #expect(text.contains { $0.contains("医疗保险门诊结算单") })
                let cash = try #require(stream.lines.first { gb18030Decode($0.bytes).contains("现金支付") })
                #expect(gb18030Decode(cash.bytes).hasSuffix(outcome.split.cash.yuan))
                #expect(cash.bold && cash.doubleHeight, "the cash to pay stands out")
                let total = try #require(stream.lines.first { gb18030Decode($0.bytes).contains("医疗费总额") })
                #expect(total.bold && total.doubleHeight)
                #expect(stream.qrModel == 50, "QR model 2")
                #expect(stream.qrData == Array(outcome.setlId.utf8))
                #expect(stream.commands.contains([0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x51, 0x30]), "QR printed")
                #expect(stream.cut != nil && Array(bytes.suffix(3)) == [0x1D, 0x56, 0x01])
                #expect(text.contains { $0.hasPrefix("丙 维生素C") })
            }
            await client.shutdown()
        }
    }

    @Test("long names are wrapped or cut within the width, control characters never reach the printer")
    func longNames() {
        let c = Columns.printer(32)
        let name = "复方氨酚烷胺片（感康）超长名称测试用例再长一些再长一些再长一些\u{1B}@"
        let lines = c.wrap(name, width: 14)
        #expect(lines.allSatisfy { c.width(of: $0) <= 14 })
        #expect(!lines.joined().contains("\u{1B}"))
        #expect(c.width(of: c.truncate(name, width: 10)) <= 10)
        #expect(c.pair("职工基本医疗保险统筹基金（测试加长）", "12345.67").allSatisfy { c.width(of: $0) <= 32 })
        var p = ESCPOS()
        p.text("A\u{1D}V\u{00}")
        #expect(!p.bytes.contains(0x1D) && !p.bytes.contains(0x00))
        #expect(ESCPOS.gb18030("张伟") == [0xD5, 0xC5, 0xCE, 0xB0])
    }
}
