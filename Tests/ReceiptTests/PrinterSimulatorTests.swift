import Foundation
import Receipt
import Settlement
import TerminalCore
import Testing
import TestSupport

/// `cuntong-sim printer` (hardware-sim/Sources/HardwareSim/Printer), written separately from
/// the public command list: a real sheet printed to it over raw TCP, read back decoded.
struct SimulatedPrinter {
    let process: Process
    let device: String
    let out: String

    static func start(width: Int, status: String = "normal") async throws -> SimulatedPrinter {
        let dir = NSTemporaryDirectory() + "cuntong-printer-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessRunner.executable("cuntong-sim"))
        process.arguments = ["printer", "--tcp", "127.0.0.1:0", "--port-file", dir + "/port", "--width", String(width),
                             "--status", status, "--out", dir + "/out", "--no-png"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessRunner.spawn(process)
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: dir + "/port", encoding: .utf8),
               let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
                return SimulatedPrinter(process: process, device: "tcp:127.0.0.1:\(port)", out: dir + "/out")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        process.terminate()
        throw CancellationError()
    }

    /// The decoded receipts written so far (receipt-N.json), oldest first.
    func receipts() -> [[String: Any]] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? [])
            .filter { $0.hasPrefix("receipt-") && $0.hasSuffix(".json") }.sorted()
        return names.compactMap { name in
            FileManager.default.contents(atPath: out + "/" + name)
                .flatMap { try? JSONSerialization.jsonObject(with: $0) as? [String: Any] }
        }
    }

    func stop() {
        process.terminate()
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: (out as NSString).deletingLastPathComponent)
    }
}

@Suite("End to end: a real sheet on the simulated printer")
struct PrinterSimulatorTests {
    @Test("printed over TCP and decoded back: every line within the width, the amounts, the QR code, the cut",
          arguments: [58, 80])
    func printed(_ width: Int) async throws {
        guard FileManager.default.isExecutableFile(atPath: ProcessRunner.executable("cuntong-sim")) else { return }
        try await withCore { core in
            let (client, outcome, sheet) = try await settledSheet(core)
            let printer = try await SimulatedPrinter.start(width: width)
            defer { printer.stop() }
            let paper = PaperWidth(millimetres: width)!
            let result = try await ReceiptPrinter(device: printer.device).print(SheetESCPOS.render(sheet, paper: paper))
            #expect(result.status != nil, "the simulator answers DLE EOT")
            var receipts: [[String: Any]] = []
            for _ in 0..<200 {
                receipts = printer.receipts()
                if !receipts.isEmpty { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            let receipt = try #require(receipts.first, "the simulator decoded no receipt")
            let lines = (receipt["lines"] as? [[String: Any]]) ?? []
            let texts = lines.compactMap { $0["text"] as? String }
            #expect(lines.allSatisfy { ($0["overflow"] as? Bool) != true }, "no line over \(paper.columns) columns")
            #expect((receipt["unknownCommands"] as? [Any])?.isEmpty ?? true, "\(receipt["unknownCommands"] ?? "")")
            #expect((receipt["unexpectedBytes"] as? [Any])?.isEmpty ?? true, "\(receipt["unexpectedBytes"] ?? "")")
            #expect(texts.contains { $0.contains("医疗保险门诊结算单") })
            #expect(texts.contains { $0.contains("现金支付") && $0.hasSuffix(outcome.split.cash.yuan) })
            #expect(texts.contains { $0.contains("统筹基金") && $0.hasSuffix(outcome.split.basicFund.yuan) })
            #expect(texts.contains { $0.contains("对乙酰氨基酚片") })
            let qr = (receipt["qrCodes"] as? [[String: Any]])?.first
            #expect(qr?["content"] as? String == outcome.setlId)
            #expect(receipt["cut"] != nil)
            await client.shutdown()
        }
    }

    @Test("the simulator out of paper: PRINTER-NO-PAPER, and nothing of the sheet printed")
    func paperOut() async throws {
        guard FileManager.default.isExecutableFile(atPath: ProcessRunner.executable("cuntong-sim")) else { return }
        let printer = try await SimulatedPrinter.start(width: 58, status: "paper-out")
        defer { printer.stop() }
        var p = ESCPOS()
        p.initialize(); p.text("test"); p.lineFeed(); p.cut()
        await #expect(throws: ReceiptError.noPaper) { try await ReceiptPrinter(device: printer.device).print(p.bytes) }
    }
}
