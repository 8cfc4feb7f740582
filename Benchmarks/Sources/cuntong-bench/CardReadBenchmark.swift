import CardReaders
import Foundation

/// `cuntong-bench card-read RUNS [READER]`: full SSSE reads in one process (PC/SC context,
/// connect, transaction, every APDU, disconnect) against whatever card is in the reader;
/// prints the median and p95 in milliseconds. No process start, so what is left is the
/// PC/SC stack and the card.
enum CardReadBenchmark {
    static func run(_ args: [String]) async throws {
        let runs = args.count > 2 ? Int(args[2]) ?? 50 : 50
        let reader = args.count > 3 ? args[3] : "Virtual PCD 00 00"
        _ = try await CardSession.read(reader: reader)   // warm-up
        var times: [Double] = []
        for _ in 0..<runs {
            let start = ContinuousClock.now
            _ = try await CardSession.read(reader: reader)
            let d = ContinuousClock.now - start
            times.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
        }
        times.sort()
        let median = times[times.count / 2]
        let p95 = times[min(times.count - 1, Int(Double(times.count) * 0.95))]
        print(String(format: "in-process card read (%d runs)          median %7.1f ms   p95 %7.1f ms   min %7.1f ms",
                     runs, median, p95, times[0]))
    }
}
