import Foundation
import TestSupport
import Testing

/// systemd/: the unit verifies clean with an exposure of at most 2.0, and the sysusers and
/// tmpfiles files create the user and the directories with the modes the daemon relies on.
@Suite("systemd files")
struct ServiceFilesTests {
    static let systemd = ProcessRunner.packageRoot.path + "/systemd"

    /// The unit with ExecStart pointing at the built binary (verify checks it exists).
    func unitUnderTest() throws -> String {
        let dir = NSTemporaryDirectory() + "cuntong-unit-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = try String(contentsOfFile: Self.systemd + "/cuntongd.service", encoding: .utf8)
            .replacingOccurrences(of: "/usr/bin/cuntongd", with: ProcessRunner.executable("cuntongd"))
        try text.write(toFile: dir + "/cuntongd.service", atomically: true, encoding: .utf8)
        return dir + "/cuntongd.service"
    }

    @Test("systemd-analyze verify is clean; Type=notify with a watchdog")
    func verify() async throws {
        let unit = try unitUnderTest()
        let r = try await ProcessRunner.run("/usr/bin/systemd-analyze", ["verify", unit])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        for line in ["Type=notify", "WatchdogSec=", "Restart=on-failure", "User=cuntong", "StateDirectory=cuntong",
                     "ProtectSystem=strict", "NoNewPrivileges=yes", "ExecReload=/bin/kill -HUP $MAINPID", "After=network-online.target pcscd.socket"] {
            #expect(text.contains(line), "\(line)")
        }
    }

    @Test("systemd-analyze security --offline: exposure at most 2.0")
    func exposure() async throws {
        let r = try await ProcessRunner.run("/usr/bin/systemd-analyze", ["security", "--offline=true", try unitUnderTest()])
        let output = r.stdout + r.stderr
        let match = try #require(output.range(of: #"Overall exposure level for cuntongd\.service: ([0-9.]+)"#, options: .regularExpression))
        let level = try #require(Double(output[match].split(separator: " ").last!))
        #expect(level <= 2.0, "\(output.suffix(300))")
    }

    @Test("sysusers creates the cuntong user; tmpfiles the state (0700), config (0750) and runtime (0750) directories")
    func usersAndDirectories() async throws {
        let root = NSTemporaryDirectory() + "cuntong-root-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root + "/etc", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let users = try await ProcessRunner.run("/usr/bin/systemd-sysusers", ["--root=" + root, Self.systemd + "/cuntong.sysusers.conf"])
        #expect(users.status == 0, "\(users.stderr)")
        let passwd = try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8)
        let entry = try #require(passwd.split(separator: "\n").first { $0.hasPrefix("cuntong:") })
        let uid = Int(entry.split(separator: ":")[2])!
        #expect(entry.hasSuffix(":/var/lib/cuntong:/usr/sbin/nologin"))
        let dirs = try await ProcessRunner.run("/usr/bin/systemd-tmpfiles", ["--create", "--root=" + root, Self.systemd + "/cuntong.tmpfiles.conf"])
        #expect(dirs.status == 0, "\(dirs.stderr)")
        for (path, mode, owner) in [("/var/lib/cuntong", 0o700, uid), ("/etc/cuntong", 0o750, 0), ("/run/cuntong", 0o750, uid)] {
            let attributes = try FileManager.default.attributesOfItem(atPath: root + path)
            #expect(attributes[.posixPermissions] as? Int == mode, "\(path)")
            #expect((attributes[.ownerAccountID] as? NSNumber)?.intValue == owner, "\(path)")
        }
    }
}
