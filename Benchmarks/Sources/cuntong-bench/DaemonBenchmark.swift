import AsyncHTTPClient
import Foundation
import NIOCore

/// Figures for cuntongd itself (Benchmarks/daemon): start to READY=1, idle RSS, wake-ups
/// while idle, and check-in / settlement latency through the local API.
enum DaemonBenchmark {
    static func run(_ args: [String]) async throws {
        func value(_ flag: String, _ fallback: String) -> String {
            guard let i = args.firstIndex(of: flag), i + 1 < args.count else { return fallback }
            return args[i + 1]
        }
        let bin = value("--bin", ".build/release")
        let url = value("--url", "http://127.0.0.1:8443")
        let runs = Int(value("--runs", "200"))!
        let starts = Int(value("--starts", "10"))!
        let idleSeconds = Int(value("--idle", "10"))!
        let settleSeconds = max(4, Int(value("--settle", "33"))!)
        let dir = value("--dir", NSTemporaryDirectory() + "cuntong-bench-daemon-\(getpid())")
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
            [api]
            socket = "\(socket)"
            [storage]
            state_dir = "\(dir)/state"
            """.write(toFile: config, atomically: true, encoding: .utf8)

        // 1. Start to READY=1 (the API listening), as systemd measures it.
        var startTimes: [Duration] = []
        var daemon: (pid: pid_t, notify: NotifySocket)?
        for i in 0..<starts {
            let notify = try NotifySocket(path: dir + "/notify-\(i).sock")
            let began = ContinuousClock.now
            let pid = try spawn(bin + "/cuntongd", ["--config", config, "--dev-directory", dir + "/dev"],
                                env: ["NOTIFY_SOCKET": notify.path], log: dir + "/cuntongd.log")
            guard notify.wait(for: "READY=1", timeout: 30) else {
                throw BenchError("cuntongd sent no READY=1; see \(dir)/cuntongd.log")
            }
            startTimes.append(ContinuousClock.now - began)
            if i < starts - 1 {
                kill(pid, SIGTERM)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
            } else {
                daemon = (pid, notify)
            }
        }
        startTimes.sort()
        print("start to READY=1: \(starts) starts, median \(ms(startTimes[starts / 2])), min \(ms(startTimes[0])), max \(ms(startTimes[starts - 1]))")
        guard let (pid, _) = daemon else { return }

        // 2. Idle: memory, and how often any of its threads wakes up when nothing happens.
        // Memory twice: 3 s after READY, and once cuntongd has given back the pages of its
        // executable that are not in use (--release-idle-pages, 30 s of quiet by default).
        try await Task.sleep(for: .seconds(3))
        let startRSS = statusField(pid, "VmRSS")
        try await Task.sleep(for: .seconds(settleSeconds - 3))
        let rss = statusField(pid, "VmRSS")
        let idleMemory = MemoryMap(pid: pid)
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task").count) ?? 0
        let before = contextSwitches(pid)
        try await Task.sleep(for: .seconds(idleSeconds))
        let after = contextSwitches(pid)
        // The same count for a Swift process that does nothing: what the runtime itself costs
        // (on Linux, libdispatch's workqueue monitor ticks once a second in every process).
        let baselinePid = try spawn(CommandLine.arguments[0], ["idle"], env: [:], log: dir + "/idle.log")
        try await Task.sleep(for: .seconds(2))
        let b0 = contextSwitches(baselinePid)
        try await Task.sleep(for: .seconds(idleSeconds))
        let b1 = contextSwitches(baselinePid)
        kill(baselinePid, SIGKILL)
        var reaped: Int32 = 0
        waitpid(baselinePid, &reaped, 0)
        print("RSS 3 s after READY: \(startRSS / 1024) MiB (\(startRSS) KiB)")
        print("idle (\(settleSeconds) s after READY, unused pages given back): RSS \(rss / 1024) MiB (\(rss) KiB), \(threads) threads; where it goes:")
        for line in idleMemory.report() { print(line) }
        print("wake-ups over \(idleSeconds) s idle (context switches, all threads): cuntongd \(wakeups(before, after)); "
              + "an empty Swift process \(wakeups(b0, b1)); cuntongd's own \(max(0, wakeups(before, after) - wakeups(b0, b1)))")

        // 3. Latency through the API on the Unix socket.
        let client = HTTPClient.shared
        let base = "http+unix://" + socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        func post(_ path: String, _ body: String) async throws -> (Int, Data) {
            var request = HTTPClientRequest(url: base + path)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await client.execute(request, timeout: .seconds(30))
            return (Int(response.status.code), Data(buffer: try await response.body.collect(upTo: 1 << 20)))
        }
        let fees = try String(contentsOfFile: value("--fees", "hardware-sim/core/fees/common-cold.json"), encoding: .utf8)
        var checkins: [Duration] = [], settlements: [Duration] = []
        for i in 0...runs {
            let start = ContinuousClock.now
            let (status, body) = try await post("/v1/checkins", #"{"idNumber": "36040219850312106X"}"#)
            guard status == 201, let id = (try JSONSerialization.jsonObject(with: body) as? [String: Any])?["id"] as? String else {
                throw BenchError("check-in failed: \(status) \(String(decoding: body, as: UTF8.self))")
            }
            let checkedIn = ContinuousClock.now
            var request = try JSONSerialization.jsonObject(with: Data(fees.utf8)) as! [String: Any]
            request["checkinId"] = id
            let (s2, b2) = try await post("/v1/settlements", String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self))
            guard s2 == 200 else { throw BenchError("settlement failed: \(s2) \(String(decoding: b2, as: UTF8.self))") }
            if i > 0 {  // the first warms the connections and signs in
                checkins.append(checkedIn - start)
                settlements.append(ContinuousClock.now - checkedIn)
            }
        }
        checkins.sort()
        settlements.sort()
        func p(_ list: [Duration], _ q: Int) -> String { ms(list[min(list.count - 1, list.count * q / 100)]) }
        print("check-in through the API (POST /v1/checkins, 1101 at the core): runs \(runs), p50 \(p(checkins, 50)), p99 \(p(checkins, 99))")
        print("settlement through the API (POST /v1/settlements, 2201-2207 journaled): runs \(runs), p50 \(p(settlements, 50)), p99 \(p(settlements, 99))")
        print("right after the runs: RSS \(statusField(pid, "VmRSS") / 1024) MiB; where it goes:")
        for line in MemoryMap(pid: pid).report(top: 4) { print(line) }
        try await Task.sleep(for: .seconds(settleSeconds))
        let idleAgain = statusField(pid, "VmRSS")
        print("idle again (\(settleSeconds) s after the runs): RSS \(idleAgain / 1024) MiB (\(idleAgain) KiB); where it goes:")
        for line in MemoryMap(pid: pid).report(top: 4) { print(line) }
        // What giving the pages back costs the next visit: its code is read back on first use.
        let firstStart = ContinuousClock.now
        let (firstStatus, _) = try await post("/v1/checkins", #"{"idNumber": "36040219850312106X"}"#)
        print("first check-in after that: \(ms(ContinuousClock.now - firstStart)) (status \(firstStatus); p50 above)")

        kill(pid, SIGTERM)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        print("SIGTERM: exit status \(status >> 8)")
        try? FileManager.default.removeItem(atPath: dir)
    }

    static func ms(_ d: Duration) -> String {
        String(format: "%.1f ms", Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
    }

    /// A field of /proc/PID/status in kB.
    static func statusField(_ pid: pid_t, _ name: String) -> Int {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    /// Voluntary + involuntary context switches per thread: each wake-up counts.
    static func contextSwitches(_ pid: pid_t) -> [String: Int] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        var counts: [String: Int] = [:]
        for task in tasks {
            let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/status", encoding: .utf8)) ?? ""
            for line in text.split(separator: "\n") where line.hasPrefix("voluntary_ctxt_switches") || line.hasPrefix("nonvoluntary_ctxt_switches") {
                counts[task, default: 0] += Int(line.split(separator: "\t").last?.trimmingCharacters(in: .whitespaces) ?? "0") ?? 0
            }
        }
        return counts
    }

    /// Wake-ups between two samples: of the threads alive at the second, what each did since
    /// the first (a thread started in between counts from zero, plus one for its start).
    static func wakeups(_ before: [String: Int], _ after: [String: Int]) -> Int {
        after.reduce(0) { sum, entry in sum + entry.value - (before[entry.key] ?? -1) }
    }

    /// Starts a program with no signals blocked (so SIGTERM reaches it), stderr to `log`.
    static func spawn(_ path: String, _ arguments: [String], env extra: [String: String], log: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var environment = ProcessInfo.processInfo.environment
        environment.removeValue(forKey: "WATCHDOG_USEC")
        for (k, v) in extra { environment[k] = v }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw BenchError("cannot start \(path): \(rc)") }
        return pid
    }
}

/// The datagram socket systemd would own ($NOTIFY_SOCKET).
final class NotifySocket {
    let path: String
    let fd: Int32

    init(path: String) throws {
        self.path = path
        unlink(path)
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard rc == 0 else { throw BenchError("cannot bind \(path)") }
    }

    /// Blocks (up to `timeout` seconds) until a message containing `needle` arrives.
    func wait(for needle: String, timeout: Int) -> Bool {
        let deadline = Date().addingTimeInterval(Double(timeout))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            var fds = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&fds, 1, Int32(max(1, deadline.timeIntervalSinceNow * 1000))) > 0 else { continue }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0, String(decoding: buffer[0..<n], as: UTF8.self).contains(needle) { return true }
        }
        return false
    }

    deinit {
        close(fd)
        unlink(path)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
