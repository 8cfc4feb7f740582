import AsyncHTTPClient
import Catalogue
import Foundation
import NIOCore

/// Figures for the catalogue (Benchmarks/catalogue): `cuntong catalogue sync --list 1301`
/// as a technician runs it (download with 9102 and import, rows/s, the process's peak RSS),
/// then search latency in process and through cuntongd's local API.
enum CatalogueBenchmark {
    static let queries = ["a", "am", "amxl", "amxljn", "dyx", "ffgc", "tbkl", "阿莫", "阿莫西林", "片", "胶囊", "头孢克洛", "对乙酰氨基酚",
                          "复方甘草", "维生素", "XJ01", "XN02BE", "XJ01CAA040E001010101445", "J06", "高血压", "不存在的药"]

    static func run(_ args: [String]) async throws {
        func value(_ flag: String, _ fallback: String) -> String {
            guard let i = args.firstIndex(of: flag), i + 1 < args.count else { return fallback }
            return args[i + 1]
        }
        let bin = value("--bin", ".build/release")
        let url = value("--url", "http://127.0.0.1:8443")
        let searches = Int(value("--searches", "2000"))!
        let dir = value("--dir", NSTemporaryDirectory() + "cuntong-bench-catalogue-\(getpid())")
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/dev", withIntermediateDirectories: true)
        let socket = dir + "/api.sock"
        let config = dir + "/cuntong.toml"
        try """
            [institution]
            code = "H36040200017"
            name = "濂溪区某某村卫生室"
            admdvs = "360402"
            [terminal]
            device_no = "CT-BENCH"
            operator = "D001"
            operator_name = "王医生"
            [core]
            url = "\(url)"
            timeout_ms = 60000
            [api]
            socket = "\(socket)"
            catalogue = "\(FileManager.default.currentDirectoryPath)/hardware-sim/clinic/catalogue.json"
            [storage]
            state_dir = "\(dir)/state"
            """.write(toFile: config, atomically: true, encoding: .utf8)

        // 1. Download and import 1301 in a process of its own: its peak RSS is the figure.
        let started = ContinuousClock.now
        let pid = try DaemonBenchmark.spawn(bin + "/cuntong", ["catalogue", "sync", "--config", config, "--list", "1301", "--json"], env: [:],
                            log: dir + "/sync.log")
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        let elapsed = ContinuousClock.now - started
        guard status == 0 else { throw BenchError("catalogue sync failed (status \(status)); see \(dir)/sync.log") }
        let store = try CatalogueStore(path: dir + "/state/catalogue.sqlite")
        let rows = try await store.state("1301")?.rows ?? 0
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(String(format: "1301 sync (9102 download + import, %d rows): %.1f s, %.0f rows/s; peak RSS of the syncing process %d MiB",
                     rows, seconds, Double(rows) / seconds, usage.ru_maxrss / 1024))
        let size = (try? FileManager.default.attributesOfItem(atPath: dir + "/state/catalogue.sqlite")[.size] as? Int) ?? 0
        print("catalogue file: \(size / 1_048_576) MiB for \(rows) rows")

        // 2. Search in process, over the whole catalogue.
        var inProcess: [Duration] = []
        for i in 0..<searches {
            let q = queries[i % queries.count]
            let t = ContinuousClock.now
            _ = try await store.search(q, limit: 20)
            inProcess.append(ContinuousClock.now - t)
        }
        print("search in process (\(searches) queries): " + percentiles(inProcess))
        for q in ["a", "片", "amxl", "XJ01"] {
            var times: [Duration] = []
            for _ in 0..<50 {
                let t = ContinuousClock.now
                _ = try await store.search(q, limit: 20)
                times.append(ContinuousClock.now - t)
            }
            print("    \"\(q)\": " + percentiles(times))
        }

        // 3. Search through cuntongd's API on its Unix socket.
        let daemon = try DaemonBenchmark.spawn(bin + "/cuntongd", ["--config", config, "--dev-directory", dir + "/dev"], env: [:], log: dir + "/cuntongd.log")
        defer { kill(daemon, SIGTERM); var s: Int32 = 0; waitpid(daemon, &s, 0) }
        let base = "http+unix://" + socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let client = HTTPClient.shared
        func get(_ path: String) async throws -> Int {
            let response = try await client.execute(HTTPClientRequest(url: base + path), timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 22)
            return Int(response.status.code)
        }
        for _ in 0..<300 {
            if (try? await get("/v1/status")) == 200 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        var viaAPI: [Duration] = []
        for i in 0..<searches {
            let q = queries[i % queries.count].addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let t = ContinuousClock.now
            guard try await get("/v1/catalogue/search?q=\(q)&limit=20") == 200 else { throw BenchError("search failed") }
            viaAPI.append(ContinuousClock.now - t)
        }
        print("search through the API (\(searches) queries, Unix socket): " + percentiles(viaAPI))
    }

    static func percentiles(_ values: [Duration]) -> String {
        let sorted = values.sorted()
        func at(_ p: Double) -> Duration { sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        return "p50 \(DaemonBenchmark.ms(at(0.5))), p99 \(DaemonBenchmark.ms(at(0.99))), max \(DaemonBenchmark.ms(sorted.last!))"
    }
}
