import Foundation
/// `cuntong-bench settlement|scan|daemon|card-read|catalogue …`: the measuring program of Benchmarks/settlement, scan and daemon.
@main
struct Bench {
    static func main() async throws {
        let args = CommandLine.arguments
        switch args.dropFirst().first {
        case "scan": try await ScanBenchmark.run(args)
        case "settlement": try await SettlementBenchmark.run(args)
        case "daemon": try await DaemonBenchmark.run(args)
        case "card-read": try await CardReadBenchmark.run(args)
        case "catalogue": try await CatalogueBenchmark.run(args)
        case "idle":
            // The baseline of Benchmarks/daemon: a Swift process that has run one task and
            // now does nothing at all.
            await Task.detached { print("idle") }.value
            while true { sleep(1000) }
        default: print("usage: cuntong-bench settlement|scan|daemon|card-read|catalogue [options]  (see Benchmarks/settlement, scan, daemon, card-read and catalogue)")
        }
    }
}
