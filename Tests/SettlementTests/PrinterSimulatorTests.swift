import Foundation
import HardwareSim
import Synchronization
import Testing

/// The simulated ESC/POS printer, fed byte sequences written by hand from the public
/// command list (hardware-sim/printer/README.md), never produced by cuntong's encoder.
@Suite("Printer simulator", .timeLimit(.minutes(3)))
struct PrinterSimulatorTests {
    // The commands, byte by byte.
    static let ESC: UInt8 = 0x1B, GS: UInt8 = 0x1D, FS: UInt8 = 0x1C, DLE: UInt8 = 0x10, LF: UInt8 = 0x0A
    static let initialize: [UInt8] = [ESC, 0x40]
    static let chineseOn: [UInt8] = [FS, 0x26], chineseOff: [UInt8] = [FS, 0x2E]
    static func bold(_ on: Bool) -> [UInt8] { [ESC, 0x45, on ? 1 : 0] }
    static func align(_ n: UInt8) -> [UInt8] { [ESC, 0x61, n] }
    static func size(_ n: UInt8) -> [UInt8] { [GS, 0x21, n] }
    static let fullCut: [UInt8] = [GS, 0x56, 0x00]
    static func status(_ n: UInt8) -> [UInt8] { [DLE, 0x04, n] }
    /// GS ( k pL pH cn=49 fn params…
    static func qr(_ fn: UInt8, _ params: [UInt8]) -> [UInt8] {
        let length = params.count + 2
        return [GS, 0x28, 0x6B, UInt8(length & 0xFF), UInt8(length >> 8), 49, fn] + params
    }

    /// GB18030 bytes of `text`, made by iconv(1), not by the code under test.
    static func gb(_ text: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/iconv")
        process.arguments = ["-f", "UTF-8", "-t", "GB18030"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return [UInt8](data)
    }

    static func receipts(_ events: [EscPosDecoder.Event]) -> [PrintedReceipt] {
        events.compactMap { event -> PrintedReceipt? in
            guard case .receipt(let r) = event else { return nil }
            return r
        }
    }

    static func replies(_ events: [EscPosDecoder.Event]) -> [UInt8] {
        events.flatMap { event -> [UInt8] in
            guard case .reply(let b) = event else { return [] }
            return b
        }
    }

    /// A settlement slip: centred double-height title in Chinese, bold total, QR, cut.
    static func slip() throws -> [UInt8] {
        var b = initialize + chineseOn
        b += align(1) + size(0x11) + (try gb("村卫生室结算单")) + [LF]
        b += size(0x01) + align(0) + (try gb("姓名：张三")) + [LF]
        b += size(0x00) + bold(true) + (try gb("合计")) + Array(" 12.50".utf8) + bold(false) + [LF]
        b += qr(65, [50, 0]) + qr(67, [6]) + qr(69, [49]) + qr(80, [48] + Array("ECQR:360400:0001".utf8)) + qr(81, [48])
        b += [LF] + chineseOff + [ESC, 0x64, 3] + [GS, 0x56, 66, 0]
        return b
    }

    @Test("Chinese text in FS & mode, bold and double-height lines, a QR code and the cut")
    func decodesSlip() throws {
        var decoder = EscPosDecoder(columns: 32)
        let events = decoder.feed(try Self.slip())
        let receipt = try #require(Self.receipts(events).first)
        #expect(receipt.initialized)
        #expect(receipt.lines[0].text == "村卫生室结算单")
        #expect(receipt.lines[0].align == .center)
        #expect(receipt.lines[0].width == 2 && receipt.lines[0].height == 2)
        #expect(receipt.lines[0].columns == 28)
        #expect(receipt.lines[1].text == "姓名：张三" && receipt.lines[1].width == 1 && receipt.lines[1].height == 2)
        #expect(receipt.lines[2].text == "合计 12.50" && receipt.lines[2].bold && receipt.lines[2].columns == 10)
        #expect(receipt.qrCodes == [.init(content: "ECQR:360400:0001", model: 2, moduleSize: 6, errorLevel: "M", line: 3)])
        #expect(receipt.lines[3].qr == "ECQR:360400:0001")
        #expect(receipt.cut == .init(partial: true, feed: 0))
        #expect(receipt.unknownCommands.isEmpty && receipt.unexpectedBytes.isEmpty && receipt.notes.isEmpty)
        #expect(receipt.overflowingLines.isEmpty)
        // The LF after the QR and ESC d 3: four blank lines before the cut.
        #expect(receipt.lines.count == 8 && receipt.lines[4...].allSatisfy { $0.text.isEmpty })
        #expect(decoder.finish() == nil)
    }

    @Test("Every byte split: the same receipt as in one write")
    func splitWrites() throws {
        let bytes = try Self.slip()
        var whole = EscPosDecoder(columns: 32)
        let expected = Self.receipts(whole.feed(bytes))
        var split = EscPosDecoder(columns: 32)
        var events: [EscPosDecoder.Event] = []
        for byte in bytes { events += split.feed([byte]) }
        #expect(Self.receipts(events) == expected)

        // A QR store cut in the middle of its data, and a Chinese character between its two bytes.
        var decoder = EscPosDecoder(columns: 32)
        let store = Self.qr(80, [48] + Array("ABCDEF".utf8))
        let zhong = try Self.gb("中")
        #expect(decoder.feed(Self.initialize + Array(store[..<9])).isEmpty)
        _ = decoder.feed(Array(store[9...]) + Self.qr(81, [48]) + Self.chineseOn + [zhong[0]])
        _ = decoder.feed([zhong[1], Self.LF, Self.GS, 0x56])
        let receipt = try #require(Self.receipts(decoder.feed([0x01])).first)
        #expect(receipt.qrCodes.map(\.content) == ["ABCDEF"])
        #expect(receipt.lines.last?.text == "中")
        #expect(receipt.cut == .init(partial: true, feed: nil))
    }

    @Test("DLE EOT n answers for each status", arguments: [
        (PrinterStatus.normal, [0x12, 0x12, 0x12, 0x12]),
        (.paperNearEnd, [0x12, 0x12, 0x12, 0x1E]),
        (.paperOut, [0x1A, 0x32, 0x12, 0x7E]),
        (.coverOpen, [0x1A, 0x16, 0x12, 0x12]),
        (.offline, [0x1A, 0x52, 0x12, 0x12]),
    ] as [(PrinterStatus, [UInt8])])
    func statusAnswers(status: PrinterStatus, expected: [UInt8]) {
        var decoder = EscPosDecoder(columns: 32, status: status)
        let answers = Self.replies(decoder.feed(Self.status(1) + Self.status(2) + Self.status(3) + Self.status(4)))
        #expect(answers == expected)
        #expect(answers.allSatisfy { $0 & 0x12 == 0x12 })
        // n outside 1-4 is not answered, and is recorded.
        #expect(Self.replies(decoder.feed(Self.status(9))).isEmpty)
        #expect(decoder.current.unknownCommands.count == 1)
    }

    @Test("A printer out of paper answers but prints nothing")
    func paperOutDiscards() throws {
        var decoder = EscPosDecoder(columns: 32, status: .paperOut)
        let events = decoder.feed(Self.initialize + Array("PAID\n".utf8) + Self.status(4) + Self.fullCut)
        #expect(Self.replies(events) == [0x7E])
        let receipt = try #require(Self.receipts(events).first)
        #expect(receipt.lines.isEmpty && receipt.discardedBytes > 0)
    }

    @Test("58 mm: a line wider than 32 columns is reported")
    func overflow() throws {
        var decoder = EscPosDecoder(columns: 32)
        var b = Self.initialize + Array(String(repeating: "x", count: 32).utf8) + [Self.LF]
        b += Array(String(repeating: "y", count: 33).utf8) + [Self.LF]
        b += Self.chineseOn + (try Self.gb(String(repeating: "药", count: 16))) + [Self.LF]
        b += (try Self.gb("药品费用合计金额人民币一百二十元")) + Array("!".utf8) + [Self.LF]
        b += Self.size(0x10) + Array(String(repeating: "z", count: 17).utf8) + [Self.LF] + Self.fullCut
        let receipt = try #require(Self.receipts(decoder.feed(b)).first)
        #expect(receipt.overflowingLines == [1, 3, 4])
        #expect(receipt.lines.map(\.columns) == [32, 33, 32, 33, 34])
        var wide = EscPosDecoder(columns: 48)
        let r80 = try #require(Self.receipts(wide.feed(b)).first)
        #expect(r80.overflowingLines.isEmpty)
    }

    @Test("Unknown commands and bytes outside Chinese mode are recorded, not dropped")
    func unknownRecorded() throws {
        var decoder = EscPosDecoder(columns: 32)
        let b = Self.initialize + [Self.ESC, 0x5A, 0x00] + Array("OK".utf8) + (try Self.gb("元")) + [Self.LF, 0x07, Self.GS, 0x99] + Self.fullCut
        let receipt = try #require(Self.receipts(decoder.feed(b)).first)
        #expect(receipt.unknownCommands.map(\.bytes) == ["1B 5A", "00", "07", "1D 99"])
        #expect(receipt.unknownCommands[0].offset == 2)
        #expect(receipt.unexpectedBytes.count == 2)
        #expect(receipt.unexpectedBytes.allSatisfy { $0.note.contains("outside Chinese mode") })
    }

    // MARK: The device, in process

    /// A printer writing to a fresh directory; the paths it reports arrive on the stream.
    static func printer(status: PrinterStatus = .normal, stopAfter: Int? = nil, png: Bool = false)
        -> (PrinterSimulator, AsyncStream<String>, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("printer-\(UUID().uuidString)").path
        var options = PrinterSimulator.Options()
        options.outDir = dir
        options.png = png
        options.stopAfterBytes = stopAfter
        let (paths, continuation) = AsyncStream<String>.makeStream()
        return (PrinterSimulator(options: options, status: status) { continuation.yield($0) }, paths, dir)
    }

    static func connect(port: Int) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Foundation.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { throw POSIXError(.ECONNREFUSED) }
        return fd
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count) }
    }

    /// One byte, or nil if none comes within `ms` (what a client's timeout sees).
    static func readByte(_ fd: Int32, ms: Int32) -> UInt8? {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, ms) > 0 else { return nil }
        var byte: UInt8 = 0
        return read(fd, &byte, 1) == 1 ? byte : nil
    }

    @Test("TCP: status answered, receipt written as txt and json")
    func tcpReceipt() async throws {
        let (printer, paths, dir) = Self.printer(status: .paperNearEnd)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await printer.serveTCP(port: 0)
        let fd = try Self.connect(port: try #require(server.localAddress?.port))
        Self.send(fd, Self.status(4))
        #expect(Self.readByte(fd, ms: 5000) == 0x1E)
        Self.send(fd, try Self.slip())
        var iterator = paths.makeAsyncIterator()
        let path = try #require(await iterator.next())
        #expect(path == dir + "/receipt-1.json")
        let text = try String(contentsOfFile: dir + "/receipt-1.txt", encoding: .utf8)
        #expect(text.hasPrefix("  村卫生室结算单\n姓名：张三\n合计 12.50\n[QR ECQR:360400:0001]\n"))
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        #expect((json["qrCodes"] as? [[String: Any]])?.first?["content"] as? String == "ECQR:360400:0001")
        close(fd)
        try await server.close()
    }

    @Test("Stopped after N bytes: the status request is never answered")
    func stopAfterBytes() async throws {
        let (printer, _, dir) = Self.printer(stopAfter: 10)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let server = try await printer.serveTCP(port: 0)
        let fd = try Self.connect(port: try #require(server.localAddress?.port))
        Self.send(fd, Self.status(1))
        #expect(Self.readByte(fd, ms: 5000) == 0x12)
        Self.send(fd, Self.initialize + Array("ABCDE".utf8) + Self.status(1))
        #expect(Self.readByte(fd, ms: 500) == nil)
        #expect(printer.stopped)
        close(fd)
        try await server.close()
    }

    @Test("pty: written to like /dev/usb/lp0, status changed while running")
    func pty() async throws {
        let (printer, paths, dir) = Self.printer()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let link = dir + "/lp0"
        let (channel, _) = try await printer.servePTY(link: link)
        let fd = open(link, O_RDWR | O_NOCTTY)
        try #require(fd >= 0)
        Self.send(fd, Self.status(2))
        #expect(Self.readByte(fd, ms: 5000) == 0x12)
        #expect(PrinterControl.handle("STATUS cover-open", printer: printer) == "OK status cover-open")
        Self.send(fd, Self.status(2))
        #expect(Self.readByte(fd, ms: 5000) == 0x16)
        _ = PrinterControl.handle("STATUS normal", printer: printer)
        Self.send(fd, Self.initialize + Array("PAID\n".utf8) + Self.fullCut)
        var iterator = paths.makeAsyncIterator()
        _ = try #require(await iterator.next())
        #expect(try String(contentsOfFile: dir + "/receipt-1.txt", encoding: .utf8) == "PAID\n")
        close(fd)
        try await channel.close()
    }

    @Test("PNG of a receipt through headless Chromium", .enabled(if: ReceiptRenderer.chromium != nil))
    func png() async throws {
        let (printer, paths, dir) = Self.printer(png: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        printer.decode(try Self.slip())
        var iterator = paths.makeAsyncIterator()
        _ = try #require(await iterator.next())
        let png = try Data(contentsOf: URL(fileURLWithPath: dir + "/receipt-1.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}
