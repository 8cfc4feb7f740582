import Config
import Foundation
import HardwareSim
import Settlement
import TerminalCore
import Testing
import TestSupport

/// The local API as clinic software uses it: JSON on the Unix socket, events as SSE.
@Suite("Local API", .timeLimit(.minutes(5)))
struct LocalAPITests {
    static var visitHeader: [String: Any] { [
        "department": ["code": "A03", "name": "全科"], "doctor": ["code": "D001", "name": "王医生"],
        "diagnosis": ["code": "J06.900", "name": "急性上呼吸道感染"],
    ] }
    static var items: [[String: Any]] { [
        ["code": "XN02BEA049A001010101445", "name": "对乙酰氨基酚片", "category": "drug", "unitPrice": "0.35", "quantity": 20],
        ["code": "001102000010000-110200001", "name": "一般诊疗费", "category": "service", "unitPrice": "10.00", "quantity": "1"],
    ] }

    @Test("Check-in, visit, fees, pre-settle, settle, journal and reversal, step by step on the Unix socket; events and metrics masked")
    func stepByStep() async throws {
        try await withCore { core in
            let daemon = try await DaemonFixture.start(core: core)
            let api = daemon.api
            let events = try await api.events()
            #expect(events.status == 200)
            #expect(events.contentType?.hasPrefix("text/event-stream") == true)

            let status = try await api.get("/v1/status").object()
            #expect(status["version"] as? String == "0.1.0")
            #expect((status["institution"] as? [String: Any])?["code"] as? String == CoreFixture.institution)
            #expect((status["core"] as? [String: Any])?["url"] as? String == core.url)
            #expect(status["checkinWaiting"] as? Bool == false)
            let mode = try FileManager.default.attributesOfItem(atPath: daemon.socket)[.posixPermissions] as? Int
            #expect(mode == 0o660, "the socket is 0660")

            // Check-in by typed ID number: masked unless asked.
            let checkin = try await api.post("/v1/checkins", ["idNumber": Fixtures.ouyang])
            #expect(checkin.status == 201, "\(checkin.text)")
            let c = checkin.object()
            let patient = c["patient"] as? [String: Any] ?? [:]
            #expect(patient["name"] as? String == "欧*淼")
            #expect(patient["idNumber"] as? String == "360402********106X")
            #expect(patient["masked"] as? Bool == true)
            #expect((patient["insurance"] as? [String: Any])?["type"] as? String == "310")
            #expect(c["credentialKind"] as? String == "manualIDNumber")
            let checkinId = try #require(c["id"] as? String)
            let revealed = try await api.get("/v1/checkins/\(checkinId)?reveal=true").object()
            #expect((revealed["patient"] as? [String: Any])?["name"] as? String == "欧阳淼")

            // Visit (2201), fees (2203/2204), pre-settle (2206), settle (2207).
            var visitBody = Self.visitHeader
            visitBody["checkinId"] = checkinId
            let visit = try await api.post("/v1/visits", visitBody)
            #expect(visit.status == 201, "\(visit.text)")
            #expect(visit.object()["state"] as? String == "registered")
            let visitId = try #require(visit.object()["id"] as? Int)
            let fees = try await api.request("PUT", "/v1/visits/\(visitId)/fees", json: ["items": Self.items])
            #expect(fees.status == 200, "\(fees.text)")
            #expect(fees.object()["state"] as? String == "uploaded")
            #expect(fees.object()["total"] as? String == "17.00")
            #expect((fees.object()["items"] as? [[String: Any]])?.map { $0["amount"] as? String } == ["7.00", "10.00"])
            let again = try await api.request("PUT", "/v1/visits/\(visitId)/fees", json: ["items": Self.items])
            #expect(again.status == 409)
            #expect(again.object()["code"] as? String == "SETTLE-NOT-ALLOWED")

            let pre = try await api.post("/v1/visits/\(visitId)/presettle")
            #expect(pre.status == 200, "\(pre.text)")
            let estimate = try #require(pre.object()["estimate"] as? [String: Any])
            #expect(estimate["total"] as? String == "17.00")
            let settled = try await api.post("/v1/visits/\(visitId)/settle")
            #expect(settled.status == 200, "\(settled.text)")
            let s = settled.object()
            let split = try #require(s["split"] as? [String: Any])
            #expect(split["total"] as? String == "17.00")
            for key in ["basicFund", "criticalIllness", "medicalAid", "personalAccount", "cash"] {
                #expect(split[key] as? String == estimate[key] as? String, "\(key): the settlement is what the pre-settlement showed")
            }
            #expect((s["patient"] as? [String: Any])?["name"] as? String == "欧*淼")
            #expect(try core.totals().count == 1)

            let twice = try await api.post("/v1/visits/\(visitId)/settle")
            #expect(twice.status == 409)
            #expect(twice.object()["code"] as? String == "VISIT-NOT-IN-PROGRESS")
            let journal = try await api.get("/v1/journal").object()
            let first = (journal["visits"] as? [[String: Any]])?.first
            #expect(first?["state"] as? String == "settled")
            #expect(first?["total"] as? String == "17.00")
            #expect((first?["psnNo"] as? String)?.contains("*") == true)

            // Reversal (2208).
            let reversed = try await api.post("/v1/visits/\(visitId)/reverse")
            #expect(reversed.status == 200, "\(reversed.text)")
            #expect(reversed.object()["state"] as? String == "reversed")
            #expect(try core.totals().count == 0)

            // Events: what happened, never the name or ID number in clear.
            let resolved = await events.wait(for: "identity.resolved")
            #expect((resolved?.data["patient"] as? [String: Any])?["name"] as? String == "欧*淼")
            let done = await events.wait(for: "settlement.done")
            #expect(done?.data["visitId"] as? Int == visitId)
            #expect((done?.data["split"] as? [String: Any])?["total"] as? String == "17.00")
            #expect(!events.all.contains { $0.raw.contains("欧阳淼") || $0.raw.contains(Fixtures.ouyang) })

            let metrics = try await api.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.text.contains(#"cuntong_checkins_total{kind="manualIDNumber",result="ok"} 1"#), "\(metrics.text)")
            #expect(metrics.text.contains(#"cuntong_settlements_total{result="settled"} 1"#))
            #expect(metrics.text.contains("cuntong_core_reachable 1"))
            #expect(!metrics.text.contains("360402"))
            #expect(!daemon.log.contains("欧阳淼") && !daemon.log.contains(Fixtures.ouyang), "the log is masked")

            events.cancel()
            #expect(await daemon.stop() == 0)
        }
    }

    @Test("Errors come with a code and plain words: bad ID number, unknown check-in, empty fees, a wait with nothing presented, one wait at a time")
    func errors() async throws {
        try await withCore { core in
            let daemon = try await DaemonFixture.start(core: core)
            let api = daemon.api
            let bad = try await api.post("/v1/checkins", ["idNumber": "360402199001011018"])
            #expect(bad.status == 422)
            #expect(bad.object()["code"] as? String == "CHECKIN-BAD-ID-NUMBER")
            #expect((bad.object()["message"] as? String)?.contains("mistyped") == true)
            let unknown = try await api.post("/v1/visits", Self.visitHeader.merging(["checkinId": "nope"]) { a, _ in a })
            #expect(unknown.status == 404)
            #expect(unknown.object()["code"] as? String == "CHECKIN-UNKNOWN")
            let noVisit = try await api.get("/v1/visits/999")
            #expect(noVisit.status == 404)

            let checkin = try await api.post("/v1/checkins", ["idNumber": Fixtures.liuYan]).object()
            var body = Self.visitHeader
            body["checkinId"] = checkin["id"]
            let visitId = try #require(try await api.post("/v1/visits", body).object()["id"] as? Int)
            let empty = try await api.request("PUT", "/v1/visits/\(visitId)/fees", json: ["items": [] as [Any]])
            #expect(empty.status == 422)
            #expect(empty.object()["code"] as? String == "FEES-EMPTY")
            let badPrice = try await api.request("PUT", "/v1/visits/\(visitId)/fees", json: ["items": [
                ["code": "X", "name": "x", "category": "drug", "unitPrice": "0.355", "quantity": 1]]])
            #expect(badPrice.status == 422)
            #expect((badPrice.object()["message"] as? String)?.contains("two decimals") == true)
            let early = try await api.post("/v1/visits/\(visitId)/presettle")
            #expect(early.status == 409)
            let cancelled = try await api.request("DELETE", "/v1/visits/\(visitId)")
            #expect(cancelled.object()["state"] as? String == "cancelled")

            let timeout = try await api.post("/v1/checkins", ["waitSeconds": 1])
            #expect(timeout.status == 408)
            #expect(timeout.object()["code"] as? String == "CHECKIN-TIMEOUT")

            async let waiting = api.post("/v1/checkins", ["waitSeconds": 30])
            try await Task.sleep(for: .milliseconds(300))
            let second = try await api.post("/v1/checkins", ["waitSeconds": 30])
            #expect(second.status == 409)
            #expect(second.object()["code"] as? String == "CHECKIN-BUSY")
            #expect((try await api.get("/v1/status").object())["checkinWaiting"] as? Bool == true)
            #expect(try await api.request("DELETE", "/v1/checkins/waiting").status == 204)
            let ended = try await waiting
            #expect(ended.status == 408)
            #expect(ended.object()["code"] as? String == "CHECKIN-CANCELLED")

            // `cuntong status` asks the running daemon; with none, exit 1 and why.
            let status = try await ProcessRunner.run(ProcessRunner.executable("cuntong"), ["status", "--config", daemon.configPath])
            #expect(status.status == 0, "\(status.stderr)")
            #expect(status.stdout.contains("Core        \(core.url)  reachable, signed in today"), "\(status.stdout)")
            #expect(status.stdout.contains("Journal     in doubt 0, queued 0"))
            #expect(await daemon.stop() == 0)
            let none = try await ProcessRunner.run(ProcessRunner.executable("cuntong"), ["status", "--config", daemon.configPath])
            #expect(none.status == 1)
            #expect(none.stderr.contains("cuntongd does not answer"))
        }
    }

    @Test("A waiting check-in takes the next scanned code; the scanner unplugged and plugged back while running is seen and read again")
    func scannerReplug() async throws {
        try await withCore { core in
            let dev = core.directory + "/scanners"
            try FileManager.default.createDirectory(atPath: dev, withIntermediateDirectories: true)
            let node = dev + "/ttyACM0"
            func plug() throws -> Int32 {
                let (master, device) = try SerialScannerPTY.open()
                try FileManager.default.createSymbolicLink(atPath: node, withDestinationPath: device)
                return master
            }
            func scan(_ master: Int32, _ code: String) {
                let bytes = Array((code + "\r\n").utf8)
                _ = bytes.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
            }
            let first = try plug()
            let daemon = try await DaemonFixture.start(core: core, extraConfig: """
                [scanner]
                device = "\(node)"
                mode = "serial"
                """)
            let api = daemon.api
            let events = try await api.events()
            func scanners() async throws -> [String] {
                ((try await api.get("/v1/status").object())["scanners"] as? [[String: Any]] ?? []).compactMap { $0["device"] as? String }
            }
            try await waitUntil { try await scanners() == [node] }

            async let waited = api.post("/v1/checkins", ["waitSeconds": 20])
            try await waitUntil { (try await api.get("/v1/status").object())["checkinWaiting"] as? Bool == true }
            scan(first, "ECQR:360400:0001:7f3a9c21d4e8b6a0")
            let c = try await waited
            #expect(c.status == 201, "\(c.text)")
            // No rule names the simulated platform's codes here: the platform still resolves it.
            #expect(c.object()["credentialKind"] as? String == "unclassifiedQRCode")
            #expect((c.object()["patient"] as? [String: Any])?["name"] as? String == "欧*淼")
            #expect(await events.wait(for: "code.scanned") != nil)

            // Unplugged: the line drops and udev removes the node.
            close(first)
            try FileManager.default.removeItem(atPath: node)
            #expect(await events.wait(for: "device.disconnected") { $0.data["device"] as? String == node } != nil)
            try await waitUntil { try await scanners().isEmpty }
            // A product barcode on the way back is refused, not a check-in.
            let second = try plug()
            #expect(await events.wait(for: "device.connected") { $0.data["device"] as? String == node } != nil)
            try await waitUntil { try await scanners() == [node] }
            scan(second, "6901234567892")
            let refused = await events.wait(for: "code.refused")
            #expect(refused?.data["code"] as? String == "SCAN-PRODUCT-BARCODE")
            async let again = api.post("/v1/checkins", ["waitSeconds": 20])
            try await waitUntil { (try await api.get("/v1/status").object())["checkinWaiting"] as? Bool == true }
            scan(second, "ECQR:360400:0003:5566778899aabbcc")
            let c2 = try await again
            #expect(c2.status == 201, "\(c2.text)")
            #expect(c2.object()["credentialKind"] as? String == "unclassifiedQRCode")
            close(second)
            events.cancel()
            #expect(await daemon.stop() == 0)
        }
    }

    @Test("The face terminal runs while a check-in waits: a no-match is shown to the patient, the match checks in; unplugged and back, it is reported and reconnected")
    func faceDuringWait() async throws {
        try await withCore { core in
            let module = FaceModuleSimulator(outcomes: [.noMatch, .matched], tokens: ["FACE-OY-0001", "FACE-OY-0002"],
                                             faceAfterMs: 50, resultAfterMs: 50)
            // On a pty, as a USB-serial face module: closing the simulator's end is unplugging it.
            let node = core.directory + "/ttyFACE0"
            let (line, _) = try await module.servePTY(link: node)
            let daemon = try await DaemonFixture.start(core: core, extraConfig: """
                [face]
                device = "\(node)"
                """)
            let api = daemon.api
            let events = try await api.events()
            func face() async throws -> [String: Any] {
                (try await api.get("/v1/status").object())["face"] as? [String: Any] ?? [:]
            }
            try await waitUntil { try await face()["connected"] as? Bool == true }
            let c = try await api.post("/v1/checkins", ["waitSeconds": 20])
            #expect(c.status == 201, "\(c.text)")
            #expect(c.object()["credentialKind"] as? String == "faceAuthToken")
            #expect((c.object()["patient"] as? [String: Any])?["certificateType"] as? String == "02", "confirmed by the platform; 1101 by ID number")
            let noMatch = await events.wait(for: "face.result") { $0.data["code"] as? String == "FACE-NO-MATCH" }
            #expect(noMatch?.data["message"] as? String == "未识别，请重试或刷卡")
            #expect(await events.wait(for: "face.result") { $0.data["code"] as? String == "FACE-MATCHED" } != nil)
            #expect(try await face()["lastResult"] as? String == "FACE-MATCHED")

            // Unplugged: reported, and the daemon keeps serving.
            try await line.close()
            #expect(await events.wait(for: "device.disconnected") { $0.data["device"] as? String == node } != nil)
            try await waitUntil { try await face()["connected"] as? Bool == false }
            #expect(try await api.post("/v1/checkins", ["idNumber": Fixtures.liuYan]).status == 201)
            // Back: connected again without a restart, and it scans.
            let again = FaceModuleSimulator(outcomes: [.matched], tokens: ["FACE-OY-0001"], faceAfterMs: 50, resultAfterMs: 50)
            let (line2, _) = try await again.servePTY(link: node)
            try await waitUntil(timeout: .seconds(30)) { try await face()["connected"] as? Bool == true }
            let c2 = try await api.post("/v1/checkins", ["waitSeconds": 20])
            #expect(c2.status == 201, "\(c2.text)")
            #expect(c2.object()["credentialKind"] as? String == "faceAuthToken")
            events.cancel()
            #expect(await daemon.stop() == 0)
            try await line2.close()
        }
    }

    @Test("cuntong doctor sees the face terminal and the daemon's API socket; a face terminal that is not there fails")
    func doctorSeesFaceAndDaemon() async throws {
        try await withCore { core in
            let module = FaceModuleSimulator(outcomes: [.matched], tokens: ["FACE-OY-0001"])
            let server = try await module.serveTCP(port: 0)
            let daemon = try await DaemonFixture.start(core: core, extraConfig: """
                [face]
                tcp = "127.0.0.1:\(server.localAddress!.port!)"
                """)
            let ok = try await ProcessRunner.run(ProcessRunner.executable("cuntong"), ["doctor", "--config", daemon.configPath])
            #expect(ok.stdout.contains("PASS  face terminal"), "\(ok.stdout)")
            #expect(ok.stdout.contains("PASS  local API socket"))
            #expect(await daemon.stop() == 0)
            try await server.close()
            let gone = try await ProcessRunner.run(ProcessRunner.executable("cuntong"), ["doctor", "--config", daemon.configPath])
            #expect(gone.status == 1)
            #expect(gone.stdout.contains("FAIL  face terminal"), "\(gone.stdout)")
            #expect(gone.stdout.contains("WARN  local API socket"))
        }
    }

    @Test("Loopback TCP needs the bearer token; the page itself is served without it")
    func loopbackToken() async throws {
        try await withCore { core in
            let port = try freePort()
            let (daemon, token) = try await DaemonFixture.startOnLoopback(core: core, port: port)
            let tcp = LocalAPIClient(tcp: "http://127.0.0.1:\(port)")
            try await waitUntil { (try? await tcp.get("/")) != nil }
            let denied = try await tcp.get("/v1/status")
            #expect(denied.status == 401)
            #expect(denied.object()["code"] as? String == "API-UNAUTHORIZED")
            #expect(try await tcp.get("/v1/status", headers: [("authorization", "Bearer wrong-\(token)")]).status == 401)
            let ok = try await tcp.get("/v1/status", headers: [("authorization", "Bearer \(token)")])
            #expect(ok.status == 200)
            let page = try await tcp.get("/")
            #expect(page.status == 200)
            #expect(page.text.contains("请插卡 / 扫码 / 刷脸"))
            #expect(try await tcp.get("/page/app.js").status == 200)
            await tcp.shutdown()
            #expect(await daemon.stop() == 0)
        }
    }

    @Test("SIGTERM during a settlement: the settlement finishes, is journaled, and the daemon exits 0")
    func sigtermDuringSettlement() async throws {
        try await withCore(faults: ["delay:1500:2207"]) { core in
            // The core's timeout well past the delay: the settlement must be in flight, not lost.
            let daemon = try await DaemonFixture.start(core: core, timeoutMs: 6000)
            let api = daemon.api
            let checkin = try await api.post("/v1/checkins", ["idNumber": Fixtures.ouyang]).object()
            var body = Self.visitHeader
            body["checkinId"] = checkin["id"]
            body["items"] = Self.items
            async let settlement = api.post("/v1/settlements", body)
            // SIGTERM while 2207 is at the core.
            try await Task.sleep(for: .milliseconds(900))
            kill(daemon.process.processIdentifier, SIGTERM)
            let answer = try await settlement
            #expect(answer.status == 200, "\(answer.text)\n\(daemon.log)")
            #expect(await daemon.stop() == 0)
            let settings = try TerminalConfig.loadSettings(daemon.configPath)
            let journal = try Journal(directory: settings.stateDirectory)
            #expect(try await journal.visits(limit: 5).map(\.state) == [.settled])
            #expect(try await journal.count(in: [.queued, .sending, .inDoubt]) == 0)
            let totals = try core.totals()
            #expect(totals.count == 1 && totals.total == 1700)
            #expect(!FileManager.default.fileExists(atPath: daemon.socket), "the socket is removed on exit")
        }
    }
}

/// Polls `condition` (a test helper; the daemon itself never polls).
func waitUntil(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("condition not met within \(timeout)")
}

func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

extension TerminalConfig {
    static func loadSettings(_ path: String) throws -> CoreSettings { try TerminalConfig.load(path: path).coreSettings() }
}
