import Foundation
@testable import Settlement
import TerminalCore
import TestSupport
import Testing

/// The wire's pieces on their own: exact numbers out, liberal numbers in, times, msgids,
/// the transaction table, profiles and the gateways' signatures against published vectors
/// and OpenSSL.
@Suite("Wire format")
struct WireTests {
    func text(_ data: Data) -> String { String(decoding: data, as: UTF8.self) }

    @Test("Amounts go out as numbers with two decimals; quantities and prices with their exact digits")
    func numbersOut() throws {
        struct Row: Encodable {
            var det_item_fee_sumamt: WireNumber
            var cnt: WireNumber
            var pric: WireNumber
            var name: String
        }
        let row = Row(det_item_fee_sumamt: WireNumber(Money(yuan: "12.3")!), cnt: WireNumber(Quantity(text: "0.5")!),
                      pric: WireNumber(price: Money(yuan: "24.60")!), name: "对乙酰氨基酚片")
        #expect(text(try WireJSON.encode(row)) == #"{"cnt":0.5,"det_item_fee_sumamt":12.30,"name":"对乙酰氨基酚片","pric":24.6}"#)
        #expect(text(try WireJSON.encode([WireNumber(Money(fen: -5)), WireNumber(Quantity(text: "20")!)])) == "[-0.05,20]")
        // Text stays text, even text that starts like a number or holds control characters.
        #expect(text(try WireJSON.encode(["x": "12.30", "y": "\u{1}12"])) == #"{"x":"12.30","y":"\u000112"}"#)
    }

    @Test("Numbers come in as numbers or numeric strings, with exact digits; rounding is refused")
    func numbersIn() throws {
        #expect(Money(yuan: "12.3400") == Money(fen: 1234))
        #expect(Money(yuan: "12.345") == nil && Money(yuan: "1e2") == nil && Money(yuan: " 1") == nil)
        #expect(UnitPrice(text: "99999999.000000")?.units == 99_999_999_000_000)
        #expect(UnitPrice(text: "0.123456")?.description == "0.123456" && UnitPrice(text: "0.1234567") == nil)
        #expect(Ratio(text: "0.1000") == Ratio(text: "0.1") && Ratio(text: "1")?.units == 10_000)
        #expect(Ratio(text: "0.12345") == nil)
        struct Box: Decodable { var v: [Ratio] }
        let box = try JSONDecoder().decode(Box.self, from: Data(#"{"v": [0.05, "0.0500", 1.0000, 0]}"#.utf8))
        #expect(box.v.map(\.units) == [500, 500, 10_000, 0])
        let header = try WireJSON.decode(AnswerHeader.self, from: Data(#"{"infcode":"-1","err_msg":null,"inf_refmsgid":12}"#.utf8))
        #expect(header.infcode == -1 && header.err_msg == nil && header.inf_refmsgid == "12")
        #expect(throws: (any Error).self) { try WireJSON.decode(AnswerHeader.self, from: Data(#"{"err_msg":"x"}"#.utf8)) }
    }

    @Test("An output that will not read names the field, never its value")
    func unreadableNamesTheField() throws {
        let data = Data(#"{"infcode":0,"output":{"setlinfo":{"mdtrt_id":"M1","medfee_sumamt":"十二元"}}}"#.utf8)
        do {
            _ = try WireJSON.decode(AnswerOutput<SettleOutput>.self, from: data)
            Issue.record("an amount in words must not decode")
        } catch {
            let detail = SettlementClient.describe(error)
            #expect(detail == "output.setlinfo.medfee_sumamt is malformed")
            #expect(!detail.contains("十二元"))
        }
    }

    @Test("Times the platform writes: respond_time with milliseconds, inf_time, China time")
    func times() throws {
        let a = try #require(WireTime.parse("20261201090000301"))
        let b = try #require(WireTime.parse("2026-12-01 09:00:00"))
        #expect(abs(a.timeIntervalSince(b) - 0.301) < 0.0005)
        #expect(WireTime.parse("20261301090000301") == nil && WireTime.parse("2026-12-01") == nil)
    }

    @Test("A stale sign_no is replaced; every other byte of the journaled request stays")
    func restamp() throws {
        let request = Data(#"{"input":{"signOut":{"sign_no":"SN1","n":12.30}},"sign_no":"SN1","x":"sign_no"}"#.utf8)
        let out = try SettlementClient.restamp(request, signNo: "SN22")
        #expect(text(out) == #"{"input":{"signOut":{"sign_no":"SN1","n":12.30}},"sign_no":"SN22","x":"sign_no"}"#)
    }

    @Test("msgid: institution, second, the terminal's slot, then its own sequence; ipt_otp_no: device, second, sequence, within 30")
    func identifiers() async throws {
        let dir = NSTemporaryDirectory() + "cuntong-wire-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let journal = try Journal(directory: dir)
        let now = Date()
        let a = try await journal.recordMessage(infno: "1101", institutionCode: "H36040200017", slot: 3, visitId: nil, now: now) { _ in Data("{}".utf8) }
        let b = try await journal.recordMessage(infno: "1101", institutionCode: "H36040200017", slot: 3, visitId: nil, now: now) { _ in Data("{}".utf8) }
        #expect(a.msgid.count == 30 && a.msgid.hasSuffix("3001") && b.msgid.hasSuffix("3002"))
        #expect(a.msgid.dropLast(4) == "H36040200017" + WireTime.stamp(now))
        // ipt_otp_no: the device's letters and digits, the second, then the journal's own
        // sequence of that second: two visits opened in one second never share one.
        let prefix = SettlementClient.visitNumberPrefix(device: "CT-0042-卫生室-EAST-WING-TERMINAL-7", stamp: WireTime.stamp(now))
        func visit() -> JournalVisit {
            JournalVisit(id: nil, psnNo: "P1", certType: "02", certNo: "C1", insutype: "310", insuplcAdmdvs: "360402",
                         iptOtpNo: "", mdtrtId: nil, chrgBchno: nil, setlId: nil, state: .open, medfeeSumamt: nil,
                         fundPaySumamt: nil, acctPay: nil, cashPay: nil, setlDay: nil, clrType: nil, clrOptins: nil,
                         ownerPid: getpid(), createdAt: now.timeIntervalSince1970, updatedAt: now.timeIntervalSince1970, note: nil)
        }
        var numbers: [String] = []
        for _ in 0..<3 { numbers.append(try await journal.insertVisit(visit(), numberPrefix: prefix).iptOtpNo) }
        #expect(numbers == ["0001", "0002", "0003"].map { "CT0042EASTWI" + WireTime.stamp(now) + $0 })
        #expect(numbers.allSatisfy { $0.count <= 30 })
    }

    @Test("Every transaction states its role; none is guessed")
    func roles() {
        let roles = Dictionary(uniqueKeysWithValues: Transaction.allCases.map { ($0.infno, $0.role) })
        #expect(roles == [
            "9001": .query, "9002": .query, "1101": .query, "2206": .query, "3201": .query,
            "2201": .idempotentUpload, "2202": .idempotentUpload, "2203": .idempotentUpload,
            "2204": .idempotentUpload, "2205": .idempotentUpload,
            "2207": .changesMoney, "2208": .undoesMoney, "2601": .undoesMoney,
            // The catalogue: downloads and queries change nothing; the mapping and file uploads
            // are safe to send again under their msgid.
            "1301": .query, "1302": .query, "1305": .query, "1306": .query, "1307": .query, "1312": .query,
            "1317": .query, "1318": .query, "1319": .query, "1901": .query, "9102": .query,
            "3301": .idempotentUpload, "3302": .idempotentUpload, "9101": .idempotentUpload])
        #expect(MessageRole(infno: "2207A") == nil && MessageRole(infno: "9999") == nil)
    }

    @Test("recer_sys_code: YBXT, and LXXT for a retired cadre's settling messages only")
    func receiverCode() {
        let national = CoreProfile.national
        #expect(national.receiverSystemCode(.settle, insutype: "340") == "LXXT")
        #expect(national.receiverSystemCode(.register, insutype: "340") == "LXXT")
        #expect(national.receiverSystemCode(.personInfo, insutype: "340") == "YBXT")
        #expect(national.receiverSystemCode(.settle, insutype: "310") == "YBXT")
        #expect(national.path(.settle) == "/fsi/api/rsfComIfsService/callService")
    }

    @Test("Shipped profiles: paths, variants and versions as their sources write them")
    func shippedProfiles() throws {
        let gd = try CoreProfile.load("guangdong")
        #expect(gd.path(.personInfo) == "/ebus/gdyb_api/prd/hsa/hgs/1101" && gd.gateway == .tif && !gd.signatureHexUppercase)
        let zj = try CoreProfile.load("zhejiang")
        #expect(zj.wireInfno(.settle) == "2207A" && zj.path(.settle) == "/fsi/api/outpatientSettleService/saveSettletmentA")
        #expect(zj.path(.reconcile) == "/fsi/api/ybSettlementStmtService/stmt" && zj.infver == "1.0" && zj.gateway == .xca)
        // One path per service for what Zhejiang's sources name; the catalogue's transactions
        // (no public Zhejiang source names their paths) go to the service path, overridable.
        let named = Transaction.allCases.filter { zj.paths[$0.infno] != nil }
        #expect(named.count == 13 && Set(named.map { zj.path($0) }).count == named.count, "one path per service")
        #expect(zj.path(.drugCatalogue) == "/fsi/api/rsfComIfsService/callService")
    }

    @Test("A profile or credentials file that is wrong is refused in words")
    func badProfiles() throws {
        #expect(throws: SettlementError.self) { try CoreProfile.parse("name = \"x\"\n[infno]\n\"2303\" = \"2303A\"\n", origin: "t") }
        #expect(throws: SettlementError.self) { try CoreProfile.parse("name = \"x\"\n[gateway]\nauth = \"hmac\"\n", origin: "t") }
        #expect(throws: SettlementError.self) { try CoreProfile.parse("name = \"x\"\n[paths]\nservice = \"fsi\"\n", origin: "t") }
        #expect(throws: SettlementError.self) { try CoreProfile.load("shanghai") }
        let dir = NSTemporaryDirectory() + "cuntong-cred-\(UUID().uuidString.prefix(8))"
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = try GatewayFixture.write(in: dir)
        #expect(try GatewayCredentials.load(path: path).paasid == "cuntong_test")
        chmod(path, 0o644)
        do {
            _ = try GatewayCredentials.load(path: path)
            Issue.record("a credentials file others may read must be refused")
        } catch {
            #expect(error.message.contains("make it 0600"))
            #expect(!error.message.contains("T0k3n"))
        }
        let settings = CoreSettings(institutionCode: "H36040200017", institutionName: "x", adminDivision: "360402",
                                    deviceNumber: "d", operatorCode: "o", operatorName: "n", url: "http://127.0.0.1:1",
                                    profile: try CoreProfile.load("zhejiang"), stateDirectory: dir)
        #expect(throws: SettlementError.self) { try settings.validated() }
    }

    @Test("SM3 and HMAC-SM3 agree with the standard's examples and with OpenSSL")
    func sm3() throws {
        func hex(_ b: [UInt8]) -> String { b.map { String(format: "%02x", $0) }.joined() }
        // GB/T 32905-2016, examples A.1 and A.2.
        #expect(hex(SM3.hash(Array("abc".utf8))) == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
        #expect(hex(SM3.hash(Array(String(repeating: "abcd", count: 16).utf8)))
                == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
        for (key, message) in [("S3cret", "1700000000\n{\"infno\":\"9001\"}"), (String(repeating: "k", count: 100), "")] {
            let ours = hex(SM3.hmac(key: Array(key.utf8), message: Array(message.utf8)))
            let r = try ProcessRunnerSync.run("/usr/bin/openssl", ["dgst", "-sm3", "-hmac", key, "-hex"], stdin: Data(message.utf8))
            #expect(r.hasSuffix(ours), "OpenSSL: \(r)")
        }
    }

    @Test("Gateway signatures: the tif vector and Zhejiang's x-ca-signature")
    func gatewaySignatures() throws {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        // SHA-256("1700000000" + "TESTTOKEN" + "abcdef123456" + "1700000000"), by Python's hashlib.
        let tif = Dictionary(uniqueKeysWithValues: GatewaySigner.tif(paasid: "p", token: "TESTTOKEN", now: now, nonce: "abcdef123456", uppercase: false))
        #expect(tif["x-tif-signature"] == "52cf4c8625615b9a18d4c56a34624af70042eeb2f5d52da311463d99da566129")
        #expect(tif["x-tif-timestamp"] == "1700000000" && tif["x-tif-paasid"] == "p" && tif["x-tif-nonce"] == "abcdef123456")
        // HMAC-SM3("TESTSECRET", "1700000000\n" + body), by `openssl dgst -sm3 -hmac`.
        let zj = Dictionary(uniqueKeysWithValues: GatewaySigner.zhejiangSM3(key: "H33018300564", secret: "TESTSECRET",
                                                                              body: Data(#"{"infno":"9001"}"#.utf8), now: now))
        #expect(zj["x-ca-signature"] == "1700000000:E4C9E2F1F9D82A2E8650B29715E1AD416F877B5D79C7A076BC050F5CA2DE71F2")
        #expect(zj["x-ca-key"] == "H33018300564")
    }
}

/// A short command's stdout, for the crypto cross-checks.
enum ProcessRunnerSync {
    static func run(_ path: String, _ args: [String], stdin: Data) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        try p.run()
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
