import Foundation

/// Real headless Chromium (Debian's `chromium`) driven over the DevTools protocol on a pipe
/// (`--remote-debugging-pipe`: commands in on fd 3, answers out on fd 4, each a JSON text
/// ended by NUL). Keys are sent as the keyboard sends them, so a page test proves the page
/// works with the keyboard alone.
package final class HeadlessChromium: @unchecked Sendable {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    package static var executable: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    let pid: pid_t
    let commands: Int32
    let answers: Int32
    var nextId = 1
    var pending: [UInt8] = []
    var session: String?
    let lock = NSLock()

    package init(profile: String, width: Int = 1280, height: Int = 900) throws {
        guard let exe = Self.executable else { throw Failure(description: "chromium is not installed (apt-get install chromium)") }
        var toBrowser: [Int32] = [0, 0], fromBrowser: [Int32] = [0, 0]
        guard pipe(&toBrowser) == 0, pipe(&fromBrowser) == 0 else { throw Failure(description: "pipe: errno \(errno)") }
        for fd in toBrowser + fromBrowser { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toBrowser[0], 3)
        posix_spawn_file_actions_adddup2(&actions, fromBrowser[1], 4)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, profile + ".log", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let arguments = [exe, "--headless=new", "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                         "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--mute-audio",
                         "--user-data-dir=\(profile)", "--window-size=\(width),\(height)", "--lang=zh-CN", "about:blank"]
        // Through perl (Essential in Debian), which closes every other descriptor and then
        // becomes the browser (same pid). posix_spawn hands a child every descriptor of this
        // process not marked close-on-exec, and the browser kept the other tests' listening
        // sockets (in-process simulated cores): a core halted for an outage still accepted
        // connections in the browser's copy, and the terminal waited out its timeout instead
        // of being refused (a full run 60 s slower, several tests failing together).
        let closeOthers = #"opendir(my $d, "/proc/self/fd") or die; my @fds = grep { /^\d+$/ && $_ > 4 && $_ != fileno($d) } readdir($d); closedir($d); POSIX::close($_) for @fds; exec @ARGV or die "exec: $!""#
        let argv = (["/usr/bin/perl", "-MPOSIX", "-e", closeOthers] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, "/usr/bin/perl", &actions, nil, argv, environ)
        close(toBrowser[0])
        close(fromBrowser[1])
        guard rc == 0 else { throw Failure(description: "cannot start \(exe): \(rc)") }
        pid = child
        commands = toBrowser[1]
        answers = fromBrowser[0]
    }

    deinit {
        close(commands)
        close(answers)
        kill(pid, SIGKILL)
        // Reaped on a thread of its own: a deinit may run on a cooperative thread, and waiting
        // there for the browser to go would hold up the tests that share the pool.
        let pid = self.pid
        Thread.detachNewThread {
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }

    /// One DevTools command; the answer's `result`. To the page once `open` attached it.
    /// The pipe is read with blocking calls, so they run on a thread of their own: a
    /// cooperative thread blocked here would starve every other test in the process.
    @discardableResult
    package func send(_ method: String, _ params: [String: Any] = [:], toBrowser: Bool = false,
                     timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        let box = UncheckedBox(params)
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                do {
                    let result = try self.exchange(method, box.value, toBrowser: toBrowser, timeout: timeout)
                    continuation.resume(returning: UncheckedBox(result).value)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    func exchange(_ method: String, _ params: [String: Any], toBrowser: Bool, timeout: Duration) throws -> [String: Any] {
        lock.lock()
        defer { lock.unlock() }
        let id = nextId
        nextId += 1
        var message: [String: Any] = ["id": id, "method": method, "params": params]
        if !toBrowser, let session { message["sessionId"] = session }
        var bytes = [UInt8](try JSONSerialization.data(withJSONObject: message))
        bytes.append(0)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBufferPointer { write(commands, $0.baseAddress, $0.count) }
            guard n > 0 else { throw Failure(description: "the browser closed its command pipe") }
            written += n
        }
        let deadline = ContinuousClock.now + timeout
        while true {
            while let end = pending.firstIndex(of: 0) {
                let text = Data(pending[..<end])
                pending.removeSubrange(...end)
                guard let answer = try? JSONSerialization.jsonObject(with: text) as? [String: Any],
                      answer["id"] as? Int == id else { continue }
                if let error = answer["error"] as? [String: Any] {
                    throw Failure(description: "\(method): \(error["message"] ?? error)")
                }
                return answer["result"] as? [String: Any] ?? [:]
            }
            let left = deadline - .now
            guard left > .zero else { throw Failure(description: "\(method): no answer from the browser in \(timeout)") }
            var fds = pollfd(fd: answers, events: Int16(POLLIN), revents: 0)
            let ms = Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)
            guard poll(&fds, 1, max(ms, 1)) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = read(answers, &chunk, chunk.count)
            guard n > 0 else { throw Failure(description: "the browser closed its answer pipe") }
            pending += chunk[0..<n]
        }
    }

    /// Opens `url` in a new tab and attaches to it.
    package func open(_ url: String) async throws {
        let target = try await send("Target.createTarget", ["url": "about:blank"], toBrowser: true)
        guard let targetId = target["targetId"] as? String else { throw Failure(description: "no target") }
        let attached = try await send("Target.attachToTarget", ["targetId": targetId, "flatten": true], toBrowser: true)
        lock.withLock { session = attached["sessionId"] as? String }
        try await send("Page.enable")
        try await send("Runtime.enable")
        try await send("Page.navigate", ["url": url])
    }

    /// The value of a JavaScript expression (promises awaited).
    package func evaluate(_ expression: String) async throws -> Any? {
        let r = try await send("Runtime.evaluate", ["expression": expression, "returnByValue": true, "awaitPromise": true])
        if let exception = r["exceptionDetails"] as? [String: Any] {
            throw Failure(description: "\(expression): \((exception["exception"] as? [String: Any])?["description"] ?? exception)")
        }
        return (r["result"] as? [String: Any])?["value"]
    }

    package func text(_ selector: String) async throws -> String {
        try await evaluate("document.querySelector(\(Self.quoted(selector)))?.textContent ?? ''") as? String ?? ""
    }

    /// Waits until `expression` is truthy; the last value seen is in the error otherwise.
    package func wait(until expression: String, timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        var last: Any?
        while ContinuousClock.now < deadline {
            // An exception (the page not loaded yet, say) counts as not yet.
            do { last = try await evaluate(expression) } catch { last = error }
            if let b = last as? Bool, b { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw Failure(description: "not true within \(timeout): \(expression) (last: \(String(describing: last)))")
    }

    /// A key as the keyboard sends it: Enter, Tab, Escape, F1–F12, or one character.
    package func press(_ key: String, ctrl: Bool = false) async throws {
        let named: [String: (code: String, vk: Int, text: String?)] = [
            "Enter": ("Enter", 13, "\r"), "Tab": ("Tab", 9, nil), "Escape": ("Escape", 27, nil),
            "Backspace": ("Backspace", 8, nil),
        ]
        var spec: (code: String, vk: Int, text: String?)
        if let n = named[key] {
            spec = n
        } else if key.hasPrefix("F"), let n = Int(key.dropFirst()) {
            spec = (key, 111 + n, nil)
        } else {
            let c = key.uppercased().unicodeScalars.first!.value
            spec = ("Key" + key.uppercased(), Int(c), key)
        }
        var down: [String: Any] = ["type": spec.text == nil ? "rawKeyDown" : "keyDown", "key": key, "code": spec.code,
                                   "windowsVirtualKeyCode": spec.vk, "nativeVirtualKeyCode": spec.vk,
                                   "modifiers": ctrl ? 2 : 0]
        if let text = spec.text, !ctrl { down["text"] = text; down["unmodifiedText"] = text }
        try await send("Input.dispatchKeyEvent", down)
        try await send("Input.dispatchKeyEvent", ["type": "keyUp", "key": key, "code": spec.code, "windowsVirtualKeyCode": spec.vk,
                                            "nativeVirtualKeyCode": spec.vk, "modifiers": ctrl ? 2 : 0])
    }

    /// Text into the focused field, as typing (or an input method) puts it there.
    package func type(_ text: String) async throws { try await send("Input.insertText", ["text": text]) }

    package func screenshot(to path: String) async throws {
        let r = try await send("Page.captureScreenshot", ["format": "png"])
        guard let base64 = r["data"] as? String, let data = Data(base64Encoded: base64) else {
            throw Failure(description: "no screenshot data")
        }
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Carries JSON values (plain dictionaries and arrays) across the thread hop.
    struct UncheckedBox<T>: @unchecked Sendable {
        let value: T
        init(_ value: T) { self.value = value }
    }

    static func quoted(_ s: String) -> String {
        String(data: try! JSONSerialization.data(withJSONObject: [s]), encoding: .utf8)!.dropFirst().dropLast().description
    }
}
