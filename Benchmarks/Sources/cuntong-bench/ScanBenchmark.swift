import Foundation
import HardwareSim
import Scanners

/// Figures for the scanner path (Benchmarks/scan): time from a code's last report to its
/// credential event through the real reader (a FIFO standing for hidraw, a pty for a serial
/// scanner: the same open/poll/read path), and codes per second through each decoder.
enum ScanBenchmark {
    static let code = "ECQR:360400:0001:7f3a9c21d4e8b6a0"

    static func run(_ args: [String]) async throws {
        let samples = Int(args.firstIndex(of: "--samples").map { args[$0 + 1] } ?? "300")!
        let codes = Int(args.firstIndex(of: "--codes").map { args[$0 + 1] } ?? "100000")!
        for mode in [ScanMode.keyboard, .hidpos] { try await latency(mode: mode, samples: samples) }
        try await serialLatency(samples: samples)
        for mode in ScanMode.allCases { throughput(mode: mode, codes: codes) }
    }

    static func report(_ label: String, _ values: [Duration]) {
        let sorted = values.sorted()
        func us(_ d: Duration) -> String {
            String(format: "%.0f µs", Double(d.components.seconds) * 1e6 + Double(d.components.attoseconds) / 1e12)
        }
        print("latency \(label): n \(sorted.count), p50 \(us(sorted[sorted.count / 2])), p99 \(us(sorted[sorted.count * 99 / 100])), max \(us(sorted.last!))")
    }

    /// Distinct codes so the repeat filter lets each through.
    static func code(_ i: Int) -> String { String(format: "ECQR:360400:0001:%016x", i) }

    static func latency(mode: ScanMode, samples: Int) async throws {
        let fifo = NSTemporaryDirectory() + "cuntong-bench-\(getpid())-\(mode.rawValue)"
        unlink(fifo)
        guard mkfifo(fifo, 0o600) == 0 else { throw CocoaError(.fileWriteUnknown) }
        defer { unlink(fifo) }
        let reader = ScannerReader(path: fifo, options: .init(mode: mode, repeatWindow: .zero))
        var events = reader.events().makeAsyncIterator()
        let writer = open(fifo, O_WRONLY)
        defer { close(writer) }
        let scanner = VirtualScanner(mode: mode)
        var latencies: [Duration] = []
        for i in 0..<samples {
            var reports = scanner.reports(for: code(i))
            // A keyboard code ends with Enter pressed, then released: the press completes it.
            let trailing = mode == .keyboard ? [reports.removeLast()] : []
            let last = reports.removeLast()
            let bytes = reports.flatMap { $0 }
            _ = bytes.withUnsafeBufferPointer { write(writer, $0.baseAddress, $0.count) }
            try await Task.sleep(for: .milliseconds(2))
            let start = ContinuousClock.now
            _ = last.withUnsafeBufferPointer { write(writer, $0.baseAddress, $0.count) }
            guard case .credential = await events.next() else { throw CocoaError(.fileReadUnknown) }
            latencies.append(ContinuousClock.now - start)
            for r in trailing { _ = r.withUnsafeBufferPointer { write(writer, $0.baseAddress, $0.count) } }
        }
        report("\(mode.rawValue) (FIFO as hidraw), last report → credential", latencies)
    }

    static func serialLatency(samples: Int) async throws {
        let (master, device) = try SerialScannerPTY.open()
        defer { close(master) }
        let reader = ScannerReader(path: device, options: .init(mode: .serial, baud: 115200, repeatWindow: .zero))
        var events = reader.events().makeAsyncIterator()
        try await Task.sleep(for: .milliseconds(100))
        var latencies: [Duration] = []
        for i in 0..<samples {
            let line = Array((code(i) + "\r\n").utf8)
            _ = line.dropLast(2).withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
            try await Task.sleep(for: .milliseconds(2))
            let start = ContinuousClock.now
            _ = [UInt8](arrayLiteral: 13, 10).withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
            guard case .credential = await events.next() else { throw CocoaError(.fileReadUnknown) }
            latencies.append(ContinuousClock.now - start)
        }
        report("serial (pty), terminator → credential", latencies)
    }

    static func throughput(mode: ScanMode, codes: Int) {
        let scanner = VirtualScanner(mode: mode)
        let reports = scanner.reports(for: code)
        var decoder = ScannerReader.Options(mode: mode).decoder()
        var decoded = 0
        let start = ContinuousClock.now
        for _ in 0..<codes {
            for r in reports { decoded += decoder.feed(r).count }
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "decoder %@: %d codes (%d reports each) in %.2f s = %.0f codes/s", mode.rawValue, decoded,
                     reports.count, seconds, Double(decoded) / seconds))
    }
}
