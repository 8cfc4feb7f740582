import Foundation
import Logging
import Settlement
import TerminalCore

/// Figures for the settlement client against a running simulated core (Benchmarks/settlement):
/// settlement latency, durable journal writes per second, replay of a queued backlog.
enum SettlementBenchmark {
    static func run(_ args: [String]) async throws {
        func value(_ flag: String, _ fallback: String) -> String {
            guard let i = args.firstIndex(of: flag), i + 1 < args.count else { return fallback }
            return args[i + 1]
        }
        let url = value("--url", "http://127.0.0.1:8443")
        let runs = Int(value("--runs", "200"))!
        let writes = Int(value("--journal-writes", "2000"))!
        let backlog = Int(value("--replay", "10000"))!
        let fees = try JSONDecoder().decode(FeeList.self, from: Data(contentsOf: URL(fileURLWithPath: value("--fees", "hardware-sim/core/fees/common-cold.json"))))
        let state = value("--state-dir", NSTemporaryDirectory() + "cuntong-bench-\(getpid())")
        try? FileManager.default.removeItem(atPath: state)

        let settings = CoreSettings(
            institutionCode: "H36040200017", institutionName: "濂溪区某某村卫生室", adminDivision: "360402",
            deviceNumber: "CT-BENCH", operatorCode: "D001", operatorName: "王医生", url: url,
            timeoutMilliseconds: 5000, stateDirectory: state)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let journal = try Journal(directory: state)
        let client = SettlementClient(settings: settings, journal: journal, transport: try HTTPCoreTransport(settings: settings),
                                      logger: logger)
        let clock = ContinuousClock()

        // 1. Settlement: 2201 → 2203 → 2204 → 2206 → 2207, each journaled with FULL sync.
        let patient = try await client.checkIn(Credential(kind: .manualIDNumber, payload: "36040219850312106X", source: "bench"))
        _ = try await client.settle(patient, fees: fees)  // warm-up: connection, sign-in
        var latencies: [Duration] = []
        for _ in 0..<runs {
            let start = clock.now
            _ = try await client.settle(patient, fees: fees)
            latencies.append(clock.now - start)
        }
        latencies.sort()
        func ms(_ d: Duration) -> String { String(format: "%.1f ms", Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000) }
        print("settlement (1101 excluded; 2201-2207, 5 messages, journaled): runs \(runs), p50 \(ms(latencies[runs / 2])), p99 \(ms(latencies[min(runs - 1, runs * 99 / 100)]))")

        // 2. Durable journal writes: one message row per transaction, synchronous=FULL.
        let body = Data(#"{"infno":"9999"}"#.utf8)
        let writeStart = clock.now
        for i in 0..<writes {
            _ = try await journal.recordMessage(infno: "9999", institutionCode: "H36040200017", visitId: nil,
                                          now: Date(timeIntervalSince1970: 1_000_000_000 + Double(i / 9000))) { _ in body }
        }
        let writeSeconds = Double((clock.now - writeStart).components.attoseconds) / 1e18 + Double((clock.now - writeStart).components.seconds)
        print(String(format: "journal: %d durable writes in %.2f s = %.0f writes/s (WAL, synchronous=FULL)", writes, writeSeconds, Double(writes) / writeSeconds))
        for m in try await journal.messages(in: [.queued]) where m.infno == "9999" { try await journal.setState(m.msgid, .abandoned) }

        // 3. Backlog replay: uploads queued while the link was down, sent in order when it is back.
        let settled = try await client.settle(patient, fees: fees)
        let visit = try await journal.visit(settled.visitId)!
        let replayClient = SettlementClient(settings: settings, journal: journal, transport: try HTTPCoreTransport(settings: settings),
                                            logger: logger)
        let queued = try await replayClient.queueVisitInfoCopies(of: visit, fees: fees, count: backlog)
        let replayStart = clock.now
        let sent = try await replayClient.flushQueue()
        let replay = clock.now - replayStart
        let replaySeconds = Double(replay.components.attoseconds) / 1e18 + Double(replay.components.seconds)
        print(String(format: "replay: %d queued uploads (2203) sent in order in %.2f s = %.0f messages/s (%d answered)",
                     queued, replaySeconds, Double(sent) / replaySeconds, sent))
        await client.shutdown()
        await replayClient.shutdown()
        try? FileManager.default.removeItem(atPath: state)
    }
}
