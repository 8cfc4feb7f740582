import Foundation
import Synchronization
import HardwareSim
import Logging
import Settlement
import TerminalCore

/// A simulated city core served over real HTTP on loopback (Hummingbird, in this process),
/// with its own ledger, and settlement clients with journals of their own.
package final class CoreFixture: Sendable {
    package let port: Int
    package let directory: String
    package let simulator: CoreSimulator
    package let server: CoreServer
    private let task: Task<Void, any Error>

    package static let root = ProcessRunner.packageRoot.path
    package static let institution = "H36040200017"

    /// The terminal's wait for an answer in tests whose subject is not a timeout. Generous on
    /// purpose: for the first ~20 s of a full run, fifty suites start processes at once and both
    /// cores stay saturated (vmstat: run queue 10–36, 0 % idle; a 50 ms sleep in this process
    /// woke up to 2.1 s late), so a 1–2 s timeout failed tests whose core was merely slow to be
    /// scheduled. Tests about timeouts pass their own (with a `delay:` fault longer than it).
    package static let timeoutMs = 10_000

    package let scheme: String

    /// The simulated national catalogue's drug rows in tests: small, so that a fresh machine
    /// generates it in well under a second (the demo and Benchmarks/catalogue use 150,000).
    package static let catalogueRows = 2_000

    private init(port: Int, directory: String, simulator: CoreSimulator, server: CoreServer, task: Task<Void, any Error>,
                 scheme: String) {
        self.scheme = scheme
        self.port = port
        self.directory = directory
        self.simulator = simulator
        self.server = server
        self.task = task
    }

    package static func start(faults: [String] = [], directory: String? = nil, port: Int = 0,
                      tls: (certificate: String, key: String)? = nil, profile: SimProfile = .national,
                      catalogueRows: Int = CoreFixture.catalogueRows) async throws -> CoreFixture {
        let directory = directory ?? NSTemporaryDirectory() + "cuntong-test-\(UUID().uuidString.prefix(8))"
        let simulator = try CoreSimulator(
            stateDirectory: directory + "/core", personsDirectory: root + "/hardware-sim/core/persons",
            policyPath: root + "/hardware-sim/core/policy/village-clinic.json", profile: profile,
            catalogueRows: catalogueRows)
        let server = CoreServer(simulator: simulator, faults: faults.compactMap(CoreFault.init(parsing:)))
        var logger = Logger(label: "test.core")
        logger.logLevel = .critical
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let failure = Mutex<(any Error)?>(nil)
        let task = Task {
            // A server that cannot start (its port taken) must end the wait below, not leave it hanging.
            defer { continuation.finish() }
            do {
                try await server.run(host: "127.0.0.1", port: port, logger: logger, handleSignals: false, tls: tls) {
                    continuation.yield($0)
                }
            } catch {
                failure.withLock { $0 = error }
                throw error
            }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            throw failure.withLock { $0 } ?? CancellationError()
        }
        return CoreFixture(port: port, directory: directory, simulator: simulator, server: server, task: task,
                           scheme: tls == nil ? "http" : "https")
    }

    package func stop() async {
        await halt()
        releasePort()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// While halted, the port stays bound (not listening) so that no other test's server
    /// gets it: a terminal asking there is refused at once, as with a core that is down.
    private let heldPort = Mutex<Int32>(-1)

    /// Binds the port without listening. Binding fails while a listener still has it, so
    /// this is also how `halt` learns that the listener is gone: no connection is made and
    /// nothing is parsed (reading /proc/net/tcp in a loop, with the thousands of lines a
    /// test run leaves there, kept both cooperative threads busy and stalled the run).
    @discardableResult
    private func holdPort() -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { close(fd); return false }
        heldPort.withLock { old in
            if old >= 0 { close(old) }
            old = fd
        }
        return true
    }

    private func releasePort() {
        heldPort.withLock { fd in
            if fd >= 0 { close(fd) }
            fd = -1
        }
    }

    /// Stops serving (the link is down) but keeps the ledger for `restart`. Returns once a
    /// connection to the port is refused: the server's task can end a moment before its
    /// listening socket is closed, and a terminal asking in that moment would wait, not fail.
    package func halt() async {
        // The listener first, directly: left to the server's own shutdown it could stay open
        // (not accepting) for a while, and connections would hang instead of being refused.
        await server.closeListener()
        task.cancel()
        // The server task may wait on connections a client keeps alive: bounded, so that a
        // halt never hangs a test (a hung test hit its time limit and took the run down).
        // (Awaiting a task's value does not stop on cancellation: hence two loose tasks.)
        let task = self.task
        let (ended, signal) = AsyncStream<Void>.makeStream()
        Task { _ = try? await task.value; signal.yield() }
        Task { try? await Task.sleep(for: .seconds(3)); signal.yield() }
        for await _ in ended { break }
        for _ in 0..<250 where !holdPort() {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The same core back on the same port with the same ledger. Between letting go of the
    /// port and binding it again, another test's outgoing connection may take it as its local
    /// port for a moment: then it tries again, for a few seconds, rather than fail the test.
    package func restart() async throws -> CoreFixture {
        var lastError: (any Error)?
        for _ in 0..<40 {
            releasePort()
            do {
                return try await CoreFixture.start(directory: directory, port: port, profile: simulator.profile)
            } catch {
                lastError = error
                holdPort()
                try await Task.sleep(for: .milliseconds(100))
            }
        }
        throw lastError ?? CancellationError()
    }

    package var url: String { "\(scheme)://127.0.0.1:\(port)" }

    package func settings(journal name: String = "journal", timeoutMs: Int = CoreFixture.timeoutMs, url: String? = nil, caFile: String? = nil,
                         profile: CoreProfile = .national, credentials: GatewayCredentials? = nil) -> CoreSettings {
        CoreSettings(institutionCode: Self.institution, institutionName: "濂溪区某某村卫生室", adminDivision: "360402",
                     deviceNumber: "CT-TEST", operatorCode: "D001", operatorName: "王医生", url: url ?? self.url,
                     timeoutMilliseconds: timeoutMs, caFile: caFile, profile: profile, credentials: credentials,
                     stateDirectory: directory + "/" + name)
    }

    /// A client with a journal of its own under this fixture's directory.
    package func client(journal name: String = "journal", timeoutMs: Int = CoreFixture.timeoutMs, url: String? = nil, caFile: String? = nil,
                profile: CoreProfile = .national, credentials: GatewayCredentials? = nil,
                retryDelays: [Duration] = [.milliseconds(50), .milliseconds(100)],
                now: @escaping @Sendable () -> Date = Date.init) throws -> SettlementClient {
        let settings = settings(journal: name, timeoutMs: timeoutMs, url: url, caFile: caFile, profile: profile,
                                credentials: credentials)
        var logger = Logger(label: "test.settlement")
        logger.logLevel = .critical
        return SettlementClient(settings: settings, journal: try Journal(directory: settings.stateDirectory),
                                transport: try HTTPCoreTransport(settings: settings), logger: logger,
                                retryDelays: retryDelays, now: now)
    }

    package func setFaults(_ faults: String...) async {
        await server.setFaults(faults.compactMap(CoreFault.init(parsing:)))
    }

    /// The core's settled totals today.
    package func totals() throws -> (count: Int, total: Int64) {
        let day = String(simulator.time(Date()).prefix(10))
        let data = try simulator.ledgerSettlements(day: day)
        let list = try JSONSerialization.jsonObject(with: data) as! [[String: String]]
        let settled = list.filter { $0["state"] == "settled" }
        return (settled.count, settled.reduce(0) { $0 + Money(yuan: $1["total"]!)!.fen })
    }

    /// A config file for the CLI pointing at this core and a journal under this fixture.
    /// `core` is more keys of [core]; `extra` is more TOML (sections after [storage]); the
    /// API socket is `<name>.sock` here.
    package func configFile(journal name: String = "cli-journal", timeoutMs: Int = CoreFixture.timeoutMs, core: String = "",
                           extra: String = "") throws -> String {
        let path = directory + "/\(name).toml"
        try """
            [institution]
            code = "\(Self.institution)"
            name = "濂溪区某某村卫生室"
            admdvs = "360402"
            [terminal]
            device_no = "CT-TEST"
            operator = "D001"
            operator_name = "王医生"
            [core]
            url = "\(url)"
            timeout_ms = \(timeoutMs)
            \(core)
            [storage]
            state_dir = "\(directory)/\(name)"
            [api]
            socket = "\(directory)/\(name).sock"
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

package enum Fixtures {
    package static func fees(_ name: String = "common-cold") throws -> FeeList {
        let data = try Data(contentsOf: URL(fileURLWithPath: CoreFixture.root + "/hardware-sim/core/fees/\(name).json"))
        return try JSONDecoder().decode(FeeList.self, from: data)
    }

    package static func feesFile(_ name: String = "common-cold") -> String {
        CoreFixture.root + "/hardware-sim/core/fees/\(name).json"
    }

    package static func idNumber(_ value: String) -> Credential {
        Credential(kind: .manualIDNumber, payload: value, source: "test")
    }

    package static let ouyang = "36040219850312106X"
    package static let zhangWei = "360102196207081010"
    package static let liuYan = "360402199001011017"
    package static let wangXiuying = "360421194709151003"
    package static let liNa = "360403200106301004"
    package static let paused = "360421195201011020"
    /// The simulated terminal's configuration, whose [credentials] rules name the simulated
    /// platform's codes.
    package static let simulatorConfig = CoreFixture.root + "/hardware-sim/core/cuntong-sim.toml"
    /// 孙建华, a retired cadre (insutype 340).
    package static let sunJianhua = "360402193003150013"
}

/// Each settlement test gets a fresh core and journal, so they may run side by side.
package func withCore<T>(faults: [String] = [], _ body: (CoreFixture) async throws -> T) async throws -> T {
    let core = try await CoreFixture.start(faults: faults)
    do {
        let value = try await body(core)
        await core.stop()
        return value
    } catch {
        await core.stop()
        throw error
    }
}

/// Gateway secrets for the province profiles' tests, in the format of `[core]
/// credentials_file`, written 0600 for both the client and the simulated core.
package enum GatewayFixture {
    package static let text = """
        [tif]
        paasid = "cuntong_test"
        token = "T0k3n-for-tests-only"

        [x-ca]
        app_key = "H36040200017"
        app_secret = "S3cret-for-tests-only"
        """

    package static func write(in directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/core-credentials.toml"
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        return path
    }

    /// A simulated core serving `profile`, with a client configured for it.
    package static func start(profile name: String) async throws -> (CoreFixture, SettlementClient) {
        let scratch = NSTemporaryDirectory() + "cuntong-gw-\(UUID().uuidString.prefix(8))"
        let credentialsFile = try write(in: scratch)
        let core = try await CoreFixture.start(profile: try SimProfile.load(name, credentialsFile: credentialsFile))
        let client = try core.client(profile: try CoreProfile.load(name),
                                     credentials: try GatewayCredentials.load(path: credentialsFile))
        return (core, client)
    }
}
