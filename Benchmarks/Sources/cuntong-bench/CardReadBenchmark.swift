import CardReaders
import Foundation

/// `cuntong-bench card-read RUNS [READER]`: full SSSE reads in one process (PC/SC context,
/// connect, transaction, every APDU, disconnect) against whatever card is in the reader;
/// prints the median and p95 in milliseconds, and where the time goes (median per phase).
/// No process start, so what is left is the PC/SC stack and the card.
enum CardReadBenchmark {
    static func run(_ args: [String]) async throws {
        let runs = args.count > 2 ? Int(args[2]) ?? 50 : 50
        let reader = args.count > 3 ? args[3] : "Virtual PCD 00 00"
        // The first read of a fresh process, and what it loads on first use.
        var clock = ContinuousClock.now
        func since() -> Double { let now = ContinuousClock.now; defer { clock = now }; return ms(now - clock) }
        _ = SSSEProfile.standard
        let profile = since()
        _ = ATRTable.builtIn
        let atrTable = since()
        _ = GBK.decode([0xD5, 0xC5])
        let iconv = since()
        _ = try await CardSession.read(reader: reader)
        let first = since()
        print(String(format: "first read in a fresh process %7.1f ms (after loading the card profile %.1f ms, the ATR table %.1f ms, iconv's GB18030 %.1f ms)",
                     first, profile, atrTable, iconv))
        var totals: [Double] = []
        var phases: [String: [Double]] = [:]
        for _ in 0..<runs {
            var last = ContinuousClock.now
            let start = last
            func lap(_ name: String) {
                let now = ContinuousClock.now
                phases[name, default: []].append(ms(now - last))
                last = now
            }
            let context = try await PCSCContext.establish()
            lap("establish context")
            let connection = try await context.connect(reader: reader)
            lap("connect")
            try await connection.beginTransaction()
            lap("begin transaction")
            _ = try await CardApplications.standard().read(from: connection, atr: connection.atr)
            lap("APDUs (SSSE read)")
            await connection.close()
            await context.release()
            lap("disconnect, release")
            totals.append(ms(ContinuousClock.now - start))
        }
        func median(_ v: [Double]) -> Double { v.sorted()[v.count / 2] }
        let sorted = totals.sorted()
        let p95 = sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
        print(String(format: "in-process card read (%d runs)          median %7.1f ms   p95 %7.1f ms   min %7.1f ms",
                     runs, median(totals), p95, sorted[0]))
        for name in ["establish context", "connect", "begin transaction", "APDUs (SSSE read)", "disconnect, release"] {
            print("    " + name.padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: " median %6.1f ms", median(phases[name] ?? [0])))
        }
    }

    static func ms(_ d: Duration) -> Double {
        Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
    }
}
