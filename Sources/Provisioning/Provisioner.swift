import Config
import Foundation
import Logging
import Scanners
import Settlement
import TerminalCore

/// `cuntong provision`: everything a technician does on the one visit, in order, each step
/// reported as it goes. Works on a scratch root (`root`) as well as on `/`.
package struct Provisioner: Sendable {
    package struct Failure: TerminalError {
        package let step: String
        package let why: String
        package var code: String { "PROVISION-FAILED" }
        package var message: String { "Provisioning stopped at “\(step)”: \(why)" }
    }

    package let root: String
    /// Where the packaged files are: systemd/cuntongd.service, cuntong.sysusers.conf, cuntong.tmpfiles.conf.
    package let filesDirectory: String
    package let configPath: String
    let progress: @Sendable (String) -> Void

    package init(root: String, filesDirectory: String, configPath: String = TerminalConfig.defaultPath,
                progress: @escaping @Sendable (String) -> Void) {
        self.root = root == "/" ? "" : root
        self.filesDirectory = filesDirectory
        self.configPath = configPath
        self.progress = progress
    }

    /// The configuration file's text, as DESIGN.md lays it out.
    package static let tokenPath = "/etc/cuntong/api.token"
    /// The terminal key that seals patient data in the journal: apart from the journal.
    package static let journalKeyPath = "/etc/cuntong/journal.key"

    /// `profile` and `credentialsFile` as the technician named them (a built-in profile's
    /// name or a profile file's path).
    package static func configText(_ a: CoreSettings, pagePort: Int? = nil, profile: String? = nil,
                                  credentialsFile: String? = nil) -> String {
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
        return """
            # Written by `cuntong provision`.
            [institution]
            code = \(q(a.institutionCode))
            name = \(q(a.institutionName))
            admdvs = \(q(a.adminDivision))

            [terminal]
            device_no = \(q(a.deviceNumber))
            operator = \(q(a.operatorCode))
            operator_name = \(q(a.operatorName))
            msgid_slot = \(a.msgidSlot)   # 0–9, different on each terminal of this institution

            [core]
            url = \(q(a.url))
            timeout_ms = \(a.timeoutMilliseconds)
            \(a.caFile.map { "ca_file = \(q($0))" } ?? "# ca_file = \"/etc/cuntong/core-ca.pem\"")
            profile = \(q(profile ?? a.profile.name))   # national, guangdong, zhejiang, or a profile file
            \(credentialsFile.map { "credentials_file = \(q($0))" } ?? "# credentials_file = \"/etc/cuntong/core-credentials.toml\"   # 0600: the gateway's secrets")

            [api]
            socket = "/run/cuntong/api.sock"
            \(pagePort.map { "listen = \"127.0.0.1:\($0)\"\ntoken_file = \(q(tokenPath))" } ?? "# listen = \"127.0.0.1:8742\"   # the check-in page on loopback; needs token_file")
            # catalogue = "/etc/cuntong/catalogue.json"   # the price list the check-in page offers

            [storage]
            state_dir = \(q(a.stateDirectory))
            key_file = \(q(journalKeyPath))   # 0600: seals patient data in the journal; keep it apart from the journal
            # redact_after_days = 30   # a reconciled day's patient data is erased after this many days

            """
    }

    func run(_ step: String, _ number: Int, _ total: Int, _ body: () async throws -> String) async throws(Failure) {
        progress("[\(number)/\(total)] \(step)…")
        do {
            let detail = try await body()
            progress("      done: \(detail)")
        } catch let f as Failure {
            throw f
        } catch {
            throw Failure(step: step, why: "\(error)")
        }
    }

    static func shell(_ path: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard p.terminationStatus == 0 else { throw Failure(step: (path as NSString).lastPathComponent, why: text) }
        return text
    }

    /// Where the Debian package puts the files that a source install copies in: a packaged
    /// file is used where it is (an upgrade replaces it), never shadowed by a copy in /etc.
    static let packaged = (unit: "/usr/lib/systemd/system/cuntongd.service",
                           udevRules: "/usr/lib/udev/rules.d/70-cuntong-scanners.rules")

    func isPackaged(_ path: String) -> Bool { FileManager.default.fileExists(atPath: root + path) }

    /// Copies `source` to `destination` under the root, unless the same bytes are already
    /// there (the package's own file, which `--files` may name through a symlink).
    func install(_ source: String, _ destination: String, mode: Int) throws {
        let target = root + destination
        if let have = FileManager.default.contents(atPath: target), have == FileManager.default.contents(atPath: source) {
            return
        }
        try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: target)
        try FileManager.default.copyItem(atPath: source, toPath: target)
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: target)
    }

    /// Progress is the technician's view; the client's own lines stay out of it.
    var quietLogger: Logger {
        var logger = Logger(label: "cuntong.provision") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .error
        return logger
    }

    /// The cuntong user's uid and gid in the target root's /etc/passwd.
    func serviceUser() -> (uid: Int, gid: Int)? {
        guard let passwd = try? String(contentsOfFile: root + "/etc/passwd", encoding: .utf8),
            let line = passwd.split(separator: "\n").first(where: { $0.hasPrefix("cuntong:") })
        else { return nil }
        let f = line.split(separator: ":", omittingEmptySubsequences: false)
        guard f.count > 3, let uid = Int(f[2]), let gid = Int(f[3]) else { return nil }
        return (uid, gid)
    }

    /// `answers` as the terminal will use them (paths as seen from `/`).
    /// `pagePort`: also serve the API and the check-in page on 127.0.0.1:PORT, with a new
    /// bearer token in /etc/cuntong/api.token (0600, owner cuntong).
    package func provision(_ answers: CoreSettings, startService: Bool, pagePort: Int? = nil, profile: String? = nil,
                          credentialsFile: String? = nil) async throws(Failure) {
        let total = 7
        // The same settings, with their paths under the root being provisioned.
        var settings = answers
        settings.caFile = answers.caFile.map { root + $0 }
        settings.stateDirectory = root + answers.stateDirectory
        do { settings = try settings.validated() } catch {
            throw Failure(step: "checking the answers", why: error.message)
        }
        try await run("creating the service user cuntong (sysusers)", 1, total) {
            try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
            try install(filesDirectory + "/cuntong.sysusers.conf", "/usr/lib/sysusers.d/cuntong.conf", mode: 0o644)
            _ = try Self.shell("/usr/bin/systemd-sysusers", (root.isEmpty ? [] : ["--root=" + root]) + [root + "/usr/lib/sysusers.d/cuntong.conf"])
            guard let user = serviceUser() else { throw Failure(step: "sysusers", why: "the user cuntong was not created") }
            return "uid \(user.uid)"
        }
        try await run("creating the state, configuration and runtime directories (tmpfiles)", 2, total) {
            try install(filesDirectory + "/cuntong.tmpfiles.conf", "/usr/lib/tmpfiles.d/cuntong.conf", mode: 0o644)
            _ = try Self.shell("/usr/bin/systemd-tmpfiles", ["--create"] + (root.isEmpty ? [] : ["--root=" + root]) + [root + "/usr/lib/tmpfiles.d/cuntong.conf"])
            return "/var/lib/cuntong 0700, /etc/cuntong 0750, /run/cuntong 0750"
        }
        try await run("writing the configuration \(configPath) (0600, owner cuntong)", 3, total) {
            let target = root + configPath
            try FileManager.default.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: target, contents: Data(Self.configText(answers, pagePort: pagePort, profile: profile, credentialsFile: credentialsFile).utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw Failure(step: "configuration", why: "cannot write \(target)")
            }
            if let user = serviceUser() { chown(target, uid_t(user.uid), gid_t(user.gid)) }
            guard let pagePort else { return target }
            // The page's token: random, readable by the daemon only; the kiosk is given it.
            var bytes = [UInt8](repeating: 0, count: 24)
            guard getentropy(&bytes, bytes.count) == 0 else { throw Failure(step: "API token", why: "no randomness (getentropy)") }
            let token = bytes.map { String(format: "%02x", $0) }.joined()
            let tokenFile = root + Self.tokenPath
            guard FileManager.default.createFile(atPath: tokenFile, contents: Data((token + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw Failure(step: "API token", why: "cannot write \(tokenFile)")
            }
            if let user = serviceUser() { chown(tokenFile, uid_t(user.uid), gid_t(user.gid)) }
            return "\(target); check-in page on http://127.0.0.1:\(pagePort)/?token=… (the token is in \(Self.tokenPath))"
        }
        try await run("installing the systemd unit and the udev rules", 4, total) {
            var done: [String] = []
            if isPackaged(Self.packaged.unit) {
                done.append("the packaged \(Self.packaged.unit)")
            } else {
                try install(filesDirectory + "/cuntongd.service", "/etc/systemd/system/cuntongd.service", mode: 0o644)
                done.append("/etc/systemd/system/cuntongd.service")
            }
            if isPackaged(Self.packaged.udevRules) {
                done.append("the packaged \(Self.packaged.udevRules)")
            } else {
                let rules = root + "/etc/udev/rules.d/70-cuntong-scanners.rules"
                try FileManager.default.createDirectory(atPath: (rules as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try UdevRules.generate().write(toFile: rules, atomically: true, encoding: .utf8)
                done.append("/etc/udev/rules.d/70-cuntong-scanners.rules")
            }
            return done.joined(separator: ", ")
        }
        try await run("signing in to the city core (9001) as proof", 5, total) {
            let journal = try Journal(directory: settings.stateDirectory, keyFile: root + Self.journalKeyPath)
            if let user = serviceUser() { chown(root + Self.journalKeyPath, uid_t(user.uid), gid_t(user.gid)) }
            let client = SettlementClient(settings: settings, journal: journal,
                                          transport: try HTTPCoreTransport(settings: settings),
                                          logger: quietLogger, retryDelays: [.milliseconds(500)])
            let signNo: String, skew: Duration?
            do { (signNo, skew) = try await client.probe() } catch {
                await client.shutdown()
                throw error
            }
            await client.shutdown()
            if let user = serviceUser() {
                for file in (try? FileManager.default.contentsOfDirectory(atPath: settings.stateDirectory)) ?? [] {
                    chown(settings.stateDirectory + "/" + file, uid_t(user.uid), gid_t(user.gid))
                }
            }
            let seconds = skew.map { abs(Double($0.components.seconds)) } ?? 0
            return "sign_no \(Masking.identifier(signNo)); clock \(Int(seconds)) s off the core's"
        }
        try await run("reloading udev and systemd", 6, total) {
            guard root.isEmpty, startService else { return "skipped (scratch root or --no-start)" }
            _ = try? Self.shell("/usr/bin/udevadm", ["control", "--reload-rules"])
            _ = try? Self.shell("/usr/bin/udevadm", ["trigger"])
            _ = try Self.shell("/usr/bin/systemctl", ["daemon-reload"])
            return "reloaded"
        }
        try await run("starting cuntongd", 7, total) {
            guard root.isEmpty, startService else { return "skipped: start it with `systemctl enable --now cuntongd`" }
            _ = try Self.shell("/usr/bin/systemctl", ["enable", "--now", "cuntongd"])
            return "enabled and started"
        }
    }
}
