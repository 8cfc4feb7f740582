/// `cuntong-bench settlement …` (Benchmarks/settlement) or `cuntong-bench scan …` (Benchmarks/scan).
@main
struct Bench {
    static func main() async throws {
        let args = CommandLine.arguments
        switch args.dropFirst().first {
        case "scan": try await ScanBenchmark.run(args)
        case "settlement": try await SettlementBenchmark.run(args)
        default: print("usage: cuntong-bench settlement|scan [options]  (see Benchmarks/settlement and Benchmarks/scan)")
        }
    }
}
