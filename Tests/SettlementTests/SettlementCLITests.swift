import Config
import Foundation
import HardwareSim
import NIOCore
import Scanners
import Settlement
import TerminalCore
import Testing
import TestSupport

/// `cuntong checkin | settle | journal | reconcile` as a doctor or a script runs them: what
/// goes to stdout, what to stderr, and the exit status.
@Suite("Settlement commands", .timeLimit(.minutes(5)))
struct SettlementCLITests {
    func cuntong(_ args: [String], stdin: Data? = nil) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run(ProcessRunner.executable("cuntong"), args, stdin: stdin)
    }

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("checkin --json: the contract's keys, masked by default, plain with --reveal")
    func checkinJSON() async throws {
        try await withCore { core in
            let config = try core.configFile()
            let masked = try await cuntong(["checkin", "--config", config, "--id-number", Fixtures.zhangWei, "--json"])
            #expect(masked.status == 0, "\(masked.stderr)")
            let m = try object(masked.stdout)
            for key in ["psnNo", "name", "idNumber", "insurance", "identities"] { #expect(m[key] != nil, "key \(key)") }
            #expect(m["name"] as? String == "张*")
            #expect(m["idNumber"] as? String == "360102********1010")
            let insurance = try #require(m["insurance"] as? [String: Any])
            #expect(insurance["type"] as? String == "310")
            #expect(insurance["region"] as? String == "360102")
            #expect(insurance["balance"] as? String == "860.00")
            #expect(insurance["crossRegion"] as? Bool == true)
            #expect(!masked.stdout.contains("张伟") && !masked.stderr.contains("张伟"))

            let plain = try await cuntong(["checkin", "--config", config, "--id-number", Fixtures.zhangWei, "--json", "--reveal"])
            let p = try object(plain.stdout)
            #expect(p["name"] as? String == "张伟")
            #expect(p["idNumber"] as? String == Fixtures.zhangWei)
        }
    }

    @Test("checkin text: a cross-region patient and a medical-aid identity are called out")
    func checkinText() async throws {
        try await withCore { core in
            let config = try core.configFile()
            let zhang = try await cuntong(["checkin", "--config", config, "--id-number", Fixtures.zhangWei])
            #expect(zhang.stdout.contains("异地参保"))
            let liu = try await cuntong(["checkin", "--config", config, "--id-number", Fixtures.liuYan])
            #expect(liu.stdout.contains("医疗救助第二类"))
        }
    }

    @Test("checkin --scan reads the code a wedge scanner types; garbage is refused in words")
    func checkinScan() async throws {
        try await withCore { core in
            let config = try core.configFile()
            let ok = try await cuntong(["checkin", "--config", config, "--scan", "--scanner", "-", "--json"],
                                       stdin: Data("ECQR:360400:0003:5566778899aabbcc\n".utf8))
            #expect(ok.status == 0, "\(ok.stderr)")
            #expect(try object(ok.stdout)["certificateType"] as? String == "01")
            let reused = try await cuntong(["checkin", "--config", config, "--scan", "--code", "ECQR:360400:0003:5566778899aabbcc"])
            #expect(reused.status == 1)
            #expect(reused.stderr.contains("[EC-REFUSED]"))
            let garbage = try await cuntong(["checkin", "--config", config, "--scan", "--scanner", "-"], stdin: Data("\u{7}\u{1b}[A\n".utf8))
            #expect(garbage.status == 1)
            #expect(garbage.stderr.contains("[SCAN-GARBAGE]"))
            #expect(garbage.stdout.isEmpty)
        }
    }

    @Test("checkin --face: one scan at the face terminal (simulated, TCP), confirmed by the platform, 1101 by ID number")
    func checkinFace() async throws {
        try await withCore { core in
            let config = try core.configFile()
            let module = FaceModuleSimulator(outcomes: [.noMatch, .matched], tokens: ["FACE-WX-0001", "FACE-WX-0002"],
                                             faceAfterMs: 50, resultAfterMs: 50)
            let server = try await module.serveTCP(port: 0)
            let address = "127.0.0.1:\(server.localAddress!.port!)"
            let refused = try await cuntong(["checkin", "--config", config, "--face", "--face-tcp", address])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("未识别，请重试或刷卡"))
            #expect(refused.stderr.contains("[FACE-NO-MATCH]"))
            let r = try await cuntong(["checkin", "--config", config, "--face", "--face-tcp", address, "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let o = try object(r.stdout)
            #expect(o["name"] as? String == "王*英")
            #expect(o["certificateType"] as? String == "02", "the platform confirmed the face; 1101 went by the ID number")
            #expect(r.stderr.contains("请正对摄像头"))
            try await server.close()
        }
    }

    @Test("checkin --scan reads the USB scanner (HID POS, emulated by umockdev) and the core resolves the code")
    func checkinScanner() async throws {
        try await withCore { core in
            let config = try core.configFile()
            let dir = core.directory + "/scanner"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let scanner = VirtualScanner(mode: .hidpos)
            try scanner.umockdevDevice().write(toFile: dir + "/s.umockdev", atomically: true, encoding: .utf8)
            try scanner.script(codes: ["ECQR:360400:0005:c0ffee00c0ffee00"]).write(toFile: dir + "/s.script", atomically: true, encoding: .utf8)
            let r = try await ProcessRunner.run("/usr/bin/umockdev-run", [
                "--device", dir + "/s.umockdev", "--script", "/dev/hidraw0=" + dir + "/s.script", "--",
                ProcessRunner.executable("cuntong"), "checkin", "--config", config, "--scan", "--json", "--timeout", "10"])
            #expect(r.status == 0, "\(r.stderr)")
            let o = try object(r.stdout)
            #expect(o["name"] as? String == "李*")
            #expect(o["certificateType"] as? String == "01")
        }
    }

    @Test("checkin needs exactly one credential; a bad ID number is refused before anything is sent")
    func checkinUsage() async throws {
        let none = try await cuntong(["checkin", "--config", "/nonexistent.toml"])
        #expect(none.status == 64)
        #expect(none.stderr.contains("exactly one of"))
        let bad = try await cuntong(["checkin", "--config", "/nonexistent.toml", "--id-number", "360402198503121060"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("not a valid ID number"))
        let missing = try await cuntong(["checkin", "--config", "/nonexistent.toml", "--id-number", Fixtures.ouyang])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("[CONFIG-MISSING]"))
    }

    @Test("settle --json prints the core's split; journal list shows the visit settled; reconcile agrees")
    func settleJSON() async throws {
        try await withCore { core in
            let config = try core.configFile()
            let r = try await cuntong(["settle", "--config", config, "--id-number", Fixtures.liNa, "--fees", Fixtures.feesFile(), "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let o = try object(r.stdout)
            let split = try #require(o["split"] as? [String: String])
            #expect(split["total"] == "48.70")
            #expect(split["basicFund"] == "22.28")
            #expect(split["cash"] == "26.42")
            #expect(Set(split.keys) == ["total", "basicFund", "criticalIllness", "medicalAid", "otherFunds", "fundTotal",
                                        "personalAccount", "familyAccount", "cash", "balanceAfter"])
            #expect((o["setlId"] as? String)?.hasPrefix("S") == true)

            let list = try await cuntong(["journal", "list", "--config", config, "--json"])
            let visits = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [[String: Any]])
            #expect(visits.first?["state"] as? String == "settled")
            #expect(visits.first?["total"] as? String == "48.70")

            let rec = try await cuntong(["reconcile", "--config", config])
            #expect(rec.status == 0)
            #expect(rec.stdout.contains("平 agrees"))
        }
    }

    @Test("A lost 2207 answer: exit 3, stdout empty, stderr says it was reversed; never a plain success")
    func settleInDoubt() async throws {
        try await withCore(faults: ["drop:2207:3"]) { core in
            let config = try core.configFile()
            let r = try await cuntong(["settle", "--config", config, "--id-number", Fixtures.ouyang, "--fees", Fixtures.feesFile()])
            #expect(r.status == 3)
            #expect(r.stdout.isEmpty)
            #expect(r.stderr.contains("[SETTLE-IN-DOUBT]"))
            #expect(r.stderr.contains("reversed at the core (冲正)"))
            #expect(try core.totals() == (0, 0))
        }
    }

    @Test("A fee list that is not right is refused with the reason, nothing sent")
    func badFees() async throws {
        try await withCore { core in
            let config = try core.configFile()
            let file = core.directory + "/bad-fees.json"
            try #"{"department": {"code": "A03", "name": "全科"}, "doctor": {"code": "D001", "name": "王医生"},"#
                .appending(#""diagnosis": {"code": "J06.900", "name": "x"}, "items": [{"code": "X", "name": "x", "category": "drug", "unitPrice": "1.005", "quantity": 1}]}"#)
                .write(toFile: file, atomically: true, encoding: .utf8)
            let r = try await cuntong(["settle", "--config", config, "--id-number", Fixtures.ouyang, "--fees", file])
            #expect(r.status == 1)
            #expect(r.stderr.contains("[FEES-UNREADABLE]"))
            #expect(r.stderr.contains("items.Index 0.unitPrice") || r.stderr.contains("unitPrice"))
            #expect(!FileManager.default.fileExists(atPath: core.directory + "/cli-journal/journal.sqlite"))
        }
    }

    @Test("journal show masks personal data unless --reveal; export writes a private file of JSON lines")
    func showAndExport() async throws {
        try await withCore { core in
            let config = try core.configFile()
            _ = try await cuntong(["settle", "--config", config, "--id-number", Fixtures.ouyang, "--fees", Fixtures.feesFile()])
            let journal = try Journal(directory: core.directory + "/cli-journal")
            let person = try #require(try await journal.messages(in: [.answered]).first { $0.infno == "1101" })
            let shown = try await cuntong(["journal", "show", "--config", config, person.msgid])
            #expect(shown.status == 0)
            #expect(shown.stdout.contains("360402********106X"))
            #expect(!shown.stdout.contains(Fixtures.ouyang))
            #expect(!shown.stdout.contains("欧阳淼"))
            let revealed = try await cuntong(["journal", "show", "--config", config, person.msgid, "--reveal"])
            #expect(revealed.stdout.contains("欧阳淼"))

            let file = core.directory + "/export.jsonl"
            let exported = try await cuntong(["journal", "export", "--config", config, "--output", file])
            #expect(exported.status == 0)
            let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == (try await journal.messages(in: MessageState.allCases).count))
            #expect(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int == 0o600)
            #expect(!lines.joined().contains(Fixtures.ouyang))
        }
    }

    @Test("The core unreachable: checkin fails in words with exit 1")
    func unreachable() async throws {
        try await withCore { core in
            let config = try core.configFile()
            await core.halt()
            let r = try await cuntong(["checkin", "--config", config, "--id-number", Fixtures.ouyang])
            #expect(r.status == 1)
            #expect(r.stderr.contains("[CORE-UNREACHABLE]"))
            #expect(r.stderr.contains("cannot be reached"))
        }
    }

    @Test("doctor: the core reachable and signed in, the clock, the journal; a report file; the core down fails")
    func doctor() async throws {
        try await withCore { core in
            let config = try core.configFile()
            let report = core.directory + "/doctor.txt"
            let ok = try await cuntong(["doctor", "--config", config, "--report", report])
            #expect(ok.stdout.contains("PASS  city core"), "\(ok.stdout)")
            #expect(ok.stdout.contains("PASS  clock"))
            #expect(ok.stdout.contains("PASS  journal integrity"))
            let schemaLine = ok.stdout.split(separator: "\n").first { $0.hasPrefix("PASS  journal schema ") } ?? ""
            #expect(schemaLine.hasSuffix("5 steps, last “v5: the cuntong versions that have opened this journal (upgrades, support)”; opened by cuntong \(CuntongVersion.string)"), "\(ok.stdout)")
            #expect(ok.stdout.contains("PASS  journal key") && ok.stdout.contains("private (0600)"), "\(ok.stdout)")
            #expect(ok.stdout.contains("personal data kept"))
            let written = try String(contentsOfFile: report, encoding: .utf8)
            #expect(written.contains("PASS  city core"))
            #expect(try FileManager.default.attributesOfItem(atPath: report)[.posixPermissions] as? Int == 0o600)
            await core.halt()
            let down = try await cuntong(["doctor", "--config", config, "--report", report])
            #expect(down.status == 1)
            #expect(down.stdout.contains("FAIL  city core"))
            // Refused, or (a halted test server whose listener lingers under load) no answer:
            // either way the technician reads that the core is down.
            #expect(down.stdout.contains("[CORE-UNREACHABLE]") || down.stdout.contains("[CORE-TIMEOUT]"), "\(down.stdout)")

            // Without --report: under the state directory, never in the working directory.
            let before = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.currentDirectoryPath)
            let plain = try await cuntong(["doctor", "--config", config])
            let day = String(ISO8601DateFormatter().string(from: Date()).prefix(10))
            let expected = core.directory + "/cli-journal/doctor/cuntong-doctor-\(day).txt"
            #expect(plain.stderr.contains("report written to \(expected)"), "\(plain.stderr)")
            #expect(try String(contentsOfFile: expected, encoding: .utf8).contains("FAIL  city core"))
            let after = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.currentDirectoryPath)
            #expect(Set(after).subtracting(before).filter { $0.hasPrefix("cuntong-doctor") }.isEmpty)
        }
    }

    @Test("provision --non-interactive into a scratch root: user, directories, 0600 config owned by cuntong, unit, rules, sign-in")
    func provision() async throws {
        try await withCore { core in
            let root = core.directory + "/root"
            let args = ["provision", "--non-interactive", "--institution-code", "H36040200017", "--institution-name", "濂溪区某某村卫生室",
                        "--admdvs", "360402", "--device-no", "CT-0042", "--operator", "D001", "--operator-name", "王医生",
                        "--root", root, "--files", ProcessRunner.packageRoot.path + "/systemd"]
            let r = try await cuntong(args + ["--core-url", core.url, "--page-port", "8742"])
            #expect(r.status == 0, "\(r.stderr)")
            for step in 1...7 { #expect(r.stderr.contains("[\(step)/7]")) }
            #expect(r.stderr.contains("sign_no"))
            let config = root + "/etc/cuntong/cuntong.toml"
            let attributes = try FileManager.default.attributesOfItem(atPath: config)
            #expect(attributes[.posixPermissions] as? Int == 0o600)
            let passwd = try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8)
            let uid = Int(passwd.split(separator: "\n").first { $0.hasPrefix("cuntong:") }!.split(separator: ":")[2])!
            #expect((attributes[.ownerAccountID] as? NSNumber)?.intValue == uid)
            let parsed = try TerminalConfig.load(path: config)
            #expect(parsed.institution.code == "H36040200017")
            #expect(parsed.core.url == core.url)
            // --page-port: the page on loopback, with a fresh token only the daemon can read.
            #expect(parsed.api?.listen == "127.0.0.1:8742")
            #expect(parsed.api?.token_file == "/etc/cuntong/api.token")
            let token = try String(contentsOfFile: root + "/etc/cuntong/api.token", encoding: .utf8)
            #expect(token.trimmingCharacters(in: .newlines).count == 48)
            #expect(try FileManager.default.attributesOfItem(atPath: root + "/etc/cuntong/api.token")[.posixPermissions] as? Int == 0o600)
            #expect(!r.stderr.contains(token.trimmingCharacters(in: .newlines)), "the token is not printed")
            #expect(r.stderr.contains("check-in page on http://127.0.0.1:8742/"))
            // The journal key: in /etc/cuntong, apart from the journal, 0600, owned by cuntong, named by the config.
            #expect(parsed.storage?.key_file == "/etc/cuntong/journal.key")
            let key = try FileManager.default.attributesOfItem(atPath: root + "/etc/cuntong/journal.key")
            #expect(key[.posixPermissions] as? Int == 0o600)
            #expect((key[.ownerAccountID] as? NSNumber)?.intValue == uid)
            #expect(!FileManager.default.fileExists(atPath: root + "/var/lib/cuntong/journal.key"))
            #expect(FileManager.default.fileExists(atPath: root + "/etc/systemd/system/cuntongd.service"))
            #expect(try String(contentsOfFile: root + "/etc/udev/rules.d/70-cuntong-scanners.rules", encoding: .utf8) == UdevRules.generate())

            let bad = try await cuntong(args + ["--core-url", "http://127.0.0.1:9", "--root", root + "2"])
            #expect(bad.status == 1)
            #expect(bad.stderr.contains("Provisioning stopped at “signing in to the city core (9001) as proof”"))
            #expect(bad.stderr.contains("[CORE-UNREACHABLE]"))
        }
    }

    @Test("provision over the Debian package's files uses them where they are: no copy shadows the packaged unit or rules")
    func provisionOverThePackage() async throws {
        try await withCore { core in
            let root = core.directory + "/packaged"
            let fm = FileManager.default
            let repo = ProcessRunner.packageRoot.path
            // As packaging/build-deb lays them out, with /usr/share/cuntong/systemd as symlinks.
            let packaged = [("systemd/cuntongd.service", "/usr/lib/systemd/system/cuntongd.service", "cuntongd.service"),
                            ("systemd/cuntong.sysusers.conf", "/usr/lib/sysusers.d/cuntong.conf", "cuntong.sysusers.conf"),
                            ("systemd/cuntong.tmpfiles.conf", "/usr/lib/tmpfiles.d/cuntong.conf", "cuntong.tmpfiles.conf"),
                            ("udev/70-cuntong-scanners.rules", "/usr/lib/udev/rules.d/70-cuntong-scanners.rules", nil)]
            try fm.createDirectory(atPath: root + "/usr/share/cuntong/systemd", withIntermediateDirectories: true)
            for (source, target, link) in packaged {
                try fm.createDirectory(atPath: root + (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try fm.copyItem(atPath: repo + "/" + source, toPath: root + target)
                if let link { try fm.createSymbolicLink(atPath: root + "/usr/share/cuntong/systemd/" + link, withDestinationPath: root + target) }
            }
            let r = try await cuntong(["provision", "--non-interactive", "--institution-code", "H36040200017",
                                       "--institution-name", "濂溪区某某村卫生室", "--admdvs", "360402", "--device-no", "CT-0042",
                                       "--operator", "D001", "--operator-name", "王医生", "--root", root,
                                       "--files", root + "/usr/share/cuntong/systemd", "--core-url", core.url])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("the packaged /usr/lib/systemd/system/cuntongd.service"), "\(r.stderr)")
            #expect(r.stderr.contains("the packaged /usr/lib/udev/rules.d/70-cuntong-scanners.rules"))
            #expect(!fm.fileExists(atPath: root + "/etc/systemd/system/cuntongd.service"))
            #expect(!fm.fileExists(atPath: root + "/etc/udev/rules.d/70-cuntong-scanners.rules"))
            // The packaged files are untouched (still the package's, not a copy over a symlink).
            for (source, target, _) in packaged {
                #expect(fm.contents(atPath: root + target) == fm.contents(atPath: repo + "/" + source), "\(target)")
            }
            #expect((try? fm.destinationOfSymbolicLink(atPath: root + "/usr/share/cuntong/systemd/cuntongd.service")) != nil)
            #expect(try String(contentsOfFile: root + "/etc/passwd", encoding: .utf8).contains("cuntong:"))
        }
    }
}
