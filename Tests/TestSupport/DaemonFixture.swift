import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization

/// A running cuntongd for the integration tests: its own configuration against a core
/// fixture, its stderr in a file, and an HTTP client for its local API.
package final class DaemonFixture: Sendable {
    package let process: Process
    package let configPath: String
    package let socket: String
    package let logPath: String
    package let api: LocalAPIClient

    /// Starts cuntongd with `core.configFile(journal: name, extra:)` and waits until its API answers.
    package static func start(core: CoreFixture, name: String = "daemon", timeoutMs: Int = CoreFixture.timeoutMs, coreConfig: String = "",
                             extraConfig: String = "", arguments: [String] = [],
                             environment: [String: String] = [:], wrapper: [String] = []) async throws -> DaemonFixture {
        let configPath = try core.configFile(journal: name, timeoutMs: timeoutMs, core: coreConfig, extra: extraConfig)
        let socket = core.directory + "/\(name).sock"
        let logPath = core.directory + "/\(name).log"
        let devDir = core.directory + "/\(name)-dev"
        try FileManager.default.createDirectory(atPath: devDir, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        // A wrapper (umockdev-run … --) runs the daemon inside it; signals reach the daemon through it.
        let command = wrapper + [ProcessRunner.executable("cuntongd"), "--config", configPath, "--dev-directory", devDir] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "NOTIFY_SOCKET")
        env.removeValue(forKey: "WATCHDOG_USEC")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        try ProcessRunner.spawn(process)
        let fixture = DaemonFixture(process: process, configPath: configPath, socket: socket, logPath: logPath,
                                    api: LocalAPIClient(socket: socket))
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if FileManager.default.fileExists(atPath: socket), let r = try? await fixture.api.get("/v1/status"), r.status == 200 {
                return fixture
            }
            guard process.isRunning else { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let log = fixture.log
        await fixture.stop()
        throw DaemonFixtureError(description: "cuntongd did not answer on \(socket):\n\(log)")
    }

    /// Started with the API also on loopback (`[api] listen`) behind a fresh bearer token.
    package static func startOnLoopback(core: CoreFixture, port: Int, extraAPIConfig: String = "") async throws
        -> (daemon: DaemonFixture, token: String) {
        let token = "token-\(UUID().uuidString)"
        let tokenFile = core.directory + "/api.token"
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let daemon = try await start(core: core, extraConfig: """
            listen = "127.0.0.1:\(port)"
            token_file = "\(tokenFile)"
            \(extraAPIConfig)
            """)
        return (daemon, token)
    }

    init(process: Process, configPath: String, socket: String, logPath: String, api: LocalAPIClient) {
        self.process = process
        self.configPath = configPath
        self.socket = socket
        self.logPath = logPath
        self.api = api
    }

    package var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// A test that failed before `stop()` leaves no daemon behind.
    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// SIGTERM, then waits for the exit; returns the exit status (-1 if killed by a signal).
    @discardableResult
    package func stop(signal: Int32 = SIGTERM) async -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        let process = self.process
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                process.waitUntilExit()
                c.resume()
            }
        }
        await api.shutdown()
        return process.terminationReason == .exit ? process.terminationStatus : -1
    }
}

package struct DaemonFixtureError: Error, CustomStringConvertible {
    package let description: String
}

/// Plain HTTP to the local API, over its Unix socket or TCP: the tests read the JSON as
/// clinic software would, by its keys.
package final class LocalAPIClient: Sendable {
    package struct Answer: Sendable {
        package let status: Int
        package let body: Data
        package let contentType: String?
        package var text: String { String(decoding: body, as: UTF8.self) }
        package func object() -> [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    let base: String
    /// The process-wide client: nothing to shut down, so a test that fails half-way cannot
    /// leave one behind.
    var client: HTTPClient { .shared }

    package init(socket: String) {
        base = "http+unix://" + socket.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }

    package init(tcp base: String) { self.base = base }

    package func shutdown() async {}

    package func get(_ path: String, headers: [(String, String)] = []) async throws -> Answer {
        try await request("GET", path, headers: headers)
    }

    package func post(_ path: String, _ json: Any? = nil) async throws -> Answer { try await request("POST", path, json: json) }

    package func request(_ method: String, _ path: String, json: Any? = nil, headers: [(String, String)] = [],
                        timeout: Duration = .seconds(120)) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = .init(rawValue: method)
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        if let json {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let response = try await client.execute(request, timeout: .seconds(timeout.components.seconds))
        let body = try await response.body.collect(upTo: 16 << 20)
        return Answer(status: Int(response.status.code), body: Data(buffer: body),
                      contentType: response.headers.first(name: "content-type"))
    }

    /// Follows `GET /v1/events` and keeps what arrives, for `EventRecorder.wait`.
    package func events(headers: [(String, String)] = []) async throws -> EventRecorder {
        var request = HTTPClientRequest(url: base + "/v1/events")
        for (k, v) in headers { request.headers.add(name: k, value: v) }
        let response = try await client.execute(request, timeout: .seconds(600))
        let recorder = EventRecorder(status: Int(response.status.code), contentType: response.headers.first(name: "content-type"))
        recorder.task.withLock {
            $0 = Task {
                do {
                    for try await chunk in response.body { recorder.feed(String(buffer: chunk)) }
                } catch {}
            }
        }
        return recorder
    }
}

/// Server-sent events as they arrive: `event:` name and the JSON of `data:`.
package final class EventRecorder: Sendable {
    package struct Event: @unchecked Sendable {
        package let type: String
        package let data: [String: Any]
        package let raw: String
    }
    package let status: Int
    package let contentType: String?
    let buffer = Mutex("")
    let received = Mutex<[Event]>([])
    let task = Mutex<Task<Void, Never>?>(nil)

    init(status: Int, contentType: String?) {
        self.status = status
        self.contentType = contentType
    }

    func feed(_ text: String) {
        let blocks: [String] = buffer.withLock { b in
            b += text
            var out: [String] = []
            while let range = b.range(of: "\n\n") {
                out.append(String(b[..<range.lowerBound]))
                b.removeSubrange(..<range.upperBound)
            }
            return out
        }
        for block in blocks {
            var type = "", data = ""
            for line in block.split(separator: "\n") {
                if line.hasPrefix("event: ") { type = String(line.dropFirst(7)) }
                if line.hasPrefix("data: ") { data += line.dropFirst(6) }
            }
            guard !type.isEmpty else { continue }
            let object = (try? JSONSerialization.jsonObject(with: Data(data.utf8))) as? [String: Any] ?? [:]
            received.withLock { $0.append(Event(type: type, data: object, raw: block)) }
        }
    }

    package var all: [Event] { received.withLock { $0 } }

    /// Waits (up to `timeout`) for an event of `type` that satisfies `match`.
    package func wait(for type: String, timeout: Duration = .seconds(20),
                     where match: @Sendable (Event) -> Bool = { _ in true }) async -> Event? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let hit = all.first(where: { $0.type == type && match($0) }) { return hit }
            try? await Task.sleep(for: .milliseconds(25))
        }
        return nil
    }

    package func cancel() { task.withLock { $0?.cancel() } }
}
