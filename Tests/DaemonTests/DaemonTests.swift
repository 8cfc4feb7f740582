import Config
import Foundation
import HardwareSim
import Logging
import Settlement
import Synchronization
import TerminalCore
import Testing
import TestSupport

/// What systemd sees of cuntongd: READY=1 once it runs, STATUS= lines, WATCHDOG=1, a clean
/// exit on SIGTERM — and the settlement recovery it runs at start.
@Suite("cuntongd as a service", .timeLimit(.minutes(5)))
struct DaemonTests {
    /// The datagram socket systemd would own ($NOTIFY_SOCKET), read on a thread of its own.
    final class NotifyListener: Sendable {
        let path: String
        let fd: Int32
        let messages = Mutex<[String]>([])

        init(path: String) {
            self.path = path
            unlink(path)
            let sock = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            fd = sock
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            let box = Inbox(self)
            Thread.detachNewThread {
                var buffer = [UInt8](repeating: 0, count: 4096)
                while true {
                    let n = recv(sock, &buffer, buffer.count, 0)
                    if n <= 0 { return }
                    let text = String(decoding: buffer[0..<n], as: UTF8.self)
                    box.listener?.messages.withLock { $0.append(text) }
                }
            }
        }

        /// Waits (up to `timeout`) for a message containing `needle`.
        func wait(for needle: String, timeout: Duration = .seconds(20)) async -> String? {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let hit = messages.withLock({ $0.first { $0.contains(needle) } }) { return hit }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return nil
        }

        deinit {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
            unlink(path)
        }
    }

    /// A weak hold on the listener for its reading thread.
    final class Inbox: @unchecked Sendable {
        weak var listener: NotifyListener?
        init(_ l: NotifyListener) { listener = l }
    }

    /// A settlement left in doubt by a `cuntong settle` that has ended: its 2207 answer lost
    /// (drop:2207), the reversal impossible then (reset:2601).
    static func settleLeavingDoubt(_ configPath: String) async throws {
        let settle = try await ProcessRunner.run(ProcessRunner.executable("cuntong"), [
            "settle", "--config", configPath, "--id-number", "36040219850312106X",
            "--fees", ProcessRunner.packageRoot.path + "/hardware-sim/core/fees/common-cold.json"])
        #expect(settle.status == 3, "\(settle.stderr)")
        #expect(settle.stderr.contains("IN DOUBT"))
    }

    /// cuntongd on `configPath`, telling systemd's part to a listener of its own in `dir`.
    static func startDaemon(configPath: String, in dir: String, recoverInterval: Int,
                            environment extra: [String: String] = [:]) throws -> (Process, NotifyListener) {
        let listener = NotifyListener(path: dir + "/notify.sock")
        let devDir = dir + "/dev"
        try FileManager.default.createDirectory(atPath: devDir, withIntermediateDirectories: true)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: ProcessRunner.executable("cuntongd"))
        daemon.arguments = ["--config", configPath, "--recover-interval", "\(recoverInterval)", "--dev-directory", devDir]
        var env = ProcessInfo.processInfo.environment
        env["NOTIFY_SOCKET"] = listener.path
        env.removeValue(forKey: "WATCHDOG_PID")
        env.merge(extra) { $1 }
        daemon.environment = env
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try ProcessRunner.spawn(daemon)
        return (daemon, listener)
    }

    /// SIGTERM, and whether it exited 0.
    static func stop(_ daemon: Process) async -> Bool {
        daemon.terminate()
        let exited: Bool = await withCheckedContinuation { c in
            Thread.detachNewThread { daemon.waitUntilExit(); c.resume(returning: true) }
        }
        return exited && daemon.terminationReason == .exit && daemon.terminationStatus == 0
    }

    @Test("READY=1 and STATUS, WATCHDOG=1 pings, the in-doubt settlement reversed at start, SIGHUP reloads, SIGTERM exits 0")
    func lifecycle() async throws {
        let core = try await CoreFixture.start(faults: ["drop:2207:3", "reset:2601:0"])
        let dir = core.directory
        let configPath = try core.configFile(journal: "state")

        try await Self.settleLeavingDoubt(configPath)
        await core.setFaults()
        let settings = try TerminalConfig.load(path: configPath).coreSettings()
        let (daemon, listener) = try Self.startDaemon(configPath: configPath, in: dir, recoverInterval: 1,
                                                      environment: ["WATCHDOG_USEC": "1000000"])

        let ready = await listener.wait(for: "READY=1")
        #expect(ready?.contains("STATUS=") == true)
        #expect(await listener.wait(for: "WATCHDOG=1") != nil)
        #expect(await listener.wait(for: "core reachable, in doubt 0") != nil, "\(listener.messages.withLock { $0 })")

        let journal = try Journal(directory: settings.stateDirectory)
        // "In doubt 0" comes once 2601 is answered; the visit is reversed when the
        // cancellations that follow it (2205, 2202) are answered too, a moment later.
        var state = try await journal.visit(1)?.state
        for _ in 0..<100 where state != .reversed {
            try await Task.sleep(for: .milliseconds(100))
            state = try await journal.visit(1)?.state
        }
        #expect(state == .reversed, "the daemon's recovery reversed the in-doubt settlement")

        // SIGHUP: a broken configuration is reported and the old one kept; a good one is taken.
        let good = try String(contentsOfFile: configPath, encoding: .utf8)
        try good.replacingOccurrences(of: "url = \"http", with: "url = \"ftp").write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await listener.wait(for: "configuration reload FAILED") != nil)
        #expect(daemon.isRunning)
        try good.write(toFile: configPath, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        #expect(await listener.wait(for: "; configuration reloaded") != nil)

        #expect(await Self.stop(daemon), "SIGTERM: exit 0")
        #expect(await listener.wait(for: "STOPPING=1", timeout: .seconds(5)) != nil)
        await core.stop()
    }

    @Test("READY's STATUS counts the settlements the journal holds in doubt, before any recovery pass (core down)")
    func readyCountsWhatIsInDoubt() async throws {
        let core = try await CoreFixture.start(faults: ["drop:2207:3", "reset:2601:0"])
        let configPath = try core.configFile(journal: "state")
        try await Self.settleLeavingDoubt(configPath)
        // Down, so that no pass can resolve it before READY: what READY says is the journal's count
        // (the 2207 whose answer was lost, and the 2601 that could not undo it).
        await core.halt()
        let settings = try TerminalConfig.load(path: configPath).coreSettings()
        let inDoubt = try await Journal(directory: settings.stateDirectory).count(in: [.inDoubt, .sending])
        #expect(inDoubt >= 1)

        let (daemon, listener) = try Self.startDaemon(configPath: configPath, in: core.directory, recoverInterval: 60)
        let ready = await listener.wait(for: "READY=1")
        #expect(ready?.contains("in doubt \(inDoubt), queued 0") == true, "\(ready ?? "no READY")")
        #expect(await Self.stop(daemon), "SIGTERM: exit 0")
        await core.stop()
    }

    @Test("A missing configuration: exit 1 with the reason")
    func missingConfig() async throws {
        let r = try await ProcessRunner.run(ProcessRunner.executable("cuntongd"), ["--config", "/nonexistent/cuntong.toml"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("[CONFIG-MISSING]"))
    }

    @Test("Under systemd's journal (JOURNAL_STREAM set) each log line carries its syslog priority and no timestamp")
    func journalFriendlyLogs() async throws {
        var env = ProcessInfo.processInfo.environment
        env["JOURNAL_STREAM"] = "8:12345"
        let r = try await ProcessRunner.run(ProcessRunner.executable("cuntongd"),
                                            ["--config", "/nonexistent/cuntong.toml"], environment: env)
        #expect(r.status == 1)
        #expect(r.stderr.contains("<2>cuntongd: cannot start error=There is no configuration at /nonexistent/cuntong.toml"), "\(r.stderr)")
        #expect(!r.stderr.contains("+0000"), "no timestamp of its own: \(r.stderr)")
    }
}
