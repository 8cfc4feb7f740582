import Config
import Foundation
import HardwareSim
import Logging
import TerminalCore
import Testing
import TestSupport
@testable import Settlement

/// The e-credential platform as public integrations write it: the decode of a scanned code
/// (`ec.query`) and the face confirmation (`cn.nhsa.ec.auth`, `cn.nhsa.auth.check`), then
/// 1101 with what the platform returned.
@Suite("Conformance with the e-credential platform", .serialized, .timeLimit(.minutes(5)))
struct ECredentialTests {
    static let corpus = CoreFixture.root + "/Tests/Conformance/corpus/ec"

    func file(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: "\(Self.corpus)/\(name).json")) }

    func object(_ data: Data) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test("The platform's answers are read with data as an object or as a string; null, \"\" and \"null\" are absent")
    func answers() throws {
        let asObject = try WireJSON.decode(ECAnswer<ECHolder>.self, from: try file("ec.query-answer-object"))
        #expect(asObject.code == 0 && asObject.data?.ecToken == "360000ecnqssaor2nj7a2a480a0000a4cef57c")
        #expect(asObject.data?.insuOrg == "360402" && asObject.data?.authNo == nil)
        let asString = try WireJSON.decode(ECAnswer<ECHolder>.self, from: try file("ec.query-answer-string"))
        #expect(asString.code == 0 && asString.data?.idNo == "360102196207081010" && asString.data?.userName == "张伟")
        let refused = try WireJSON.decode(ECAnswer<ECHolder>.self, from: try file("ec.query-refused"))
        #expect(refused.code == -1 && refused.data == nil && refused.message == "电子凭证二维码已过期，请刷新二维码后重试")
        let auth = try WireJSON.decode(ECAnswer<ECAuthResult>.self, from: try file("cn.nhsa.ec.auth-answer"))
        #expect(auth.data?.authNo == "ano3728680187894374401360000")
        let check = try WireJSON.decode(ECAnswer<ECHolder>.self, from: try file("cn.nhsa.auth.check-answer"))
        #expect(check.data?.idNo == "360421194709151003" && check.data?.authNo == "ano3728680187894374401360000")
    }

    /// A client on the simulated core whose transport keeps every request.
    func recordingClient(_ core: CoreFixture) throws -> (SettlementClient, RecordingTransport) {
        let settings = core.settings(journal: "ec")
        let transport = try RecordingTransport(settings: settings)
        var logger = Logger(label: "test.ec")
        logger.logLevel = .critical
        return (SettlementClient(settings: settings, journal: try Journal(directory: settings.stateDirectory),
                                 transport: transport, logger: logger, retryDelays: [.milliseconds(50)]), transport)
    }

    @Test("A code of any shape the platform issued checks a patient in: ec.query as published, then 1101 with 01 + ecToken")
    func codeOfAnyShape() async throws {
        try await withCore { core in
            let (client, transport) = try recordingClient(core)
            let code = "ECQR:360400:0005:c0ffee00c0ffee00"
            let patient = try await client.checkIn(Credential(kind: .unclassifiedQRCode, payload: code, source: "scanner"))
            #expect(patient.identity.name == "李娜")

            let decode = try #require(transport.requests.first { $0.path == "/localcfc/api/hsecfc/localQrCodeQuery" })
            let request = try object(decode.body)
            #expect(Set(request.keys) == ["orgId", "transType", "data"])
            #expect(request["transType"] as? String == "ec.query" && request["orgId"] as? String == CoreFixture.institution)
            let data = try #require(request["data"] as? [String: Any])
            #expect(Set(data.keys) == ["orgId", "businessType", "operatorId", "operatorName", "officeId", "officeName",
                                       "deviceType", "ecQrCode"])
            #expect(data["businessType"] as? String == "01101" && data["ecQrCode"] as? String == code)

            let m1101 = try #require(try await client.journal.messages(limit: 10).first { $0.infno == "1101" })
            let input = try #require((try object(m1101.request))["input"] as? [String: Any])
            let body = try #require(input["data"] as? [String: Any])
            #expect(body["mdtrt_cert_type"] as? String == "01")
            #expect(body["mdtrt_cert_no"] as? String == patient.certificate.number)
            #expect((body["mdtrt_cert_no"] as? String)?.count == 38)
            #expect(body["psn_cert_type"] as? String == "01" && body["certno"] as? String == Fixtures.liNa)
            await client.shutdown()
        }
    }

    @Test("cuntong checkin --scan: a code of a shape no rule names goes to the platform and checks the patient in; a product barcode does not")
    func checkinAnyShape() async throws {
        try await withCore { core in
            let config = try core.configFile()
            let cuntong = ProcessRunner.executable("cuntong")
            let r = try await ProcessRunner.run(cuntong, ["checkin", "--config", config, "--scan", "--code",
                                                          "3601K7HQ0Z.EC/9f8e7d6c5b4a39281706~v2+XQ", "--json"])
            #expect(r.status == 0, "\(r.stderr)")
            let o = try object(Data(r.stdout.utf8))
            #expect(o["name"] as? String == "张*" && o["certificateType"] as? String == "01")
            let barcode = try await ProcessRunner.run(cuntong, ["checkin", "--config", config, "--scan", "--code", "6901234567892"])
            #expect(barcode.status == 1 && barcode.stdout.isEmpty)
            #expect(barcode.stderr.contains("[SCAN-PRODUCT-BARCODE]"))
        }
    }

    @Test("1101 that names no insurance division: the platform's insuOrg stands in")
    func insuOrgFallback() throws {
        let answer = Data(#"{"baseinfo":{"psn_no":"P1","certno":"360403200106301004","psn_name":"李娜"},"insuinfo":[{"insutype":"390","balc":0}]}"#.utf8)
        let out = try WireJSON.decode(PersonInfoOutput.self, from: answer)
        #expect(out.identity(clinicRegion: "360402", fallbackRegion: "360403").primaryInsurance?.region == "360403")
        #expect(out.identity(clinicRegion: "360402").primaryInsurance?.region == "", "no guess where nothing says")
    }

    @Test("[credentials] essc_decoder = \"refuse\": a 电子社保卡 code is refused in words, nothing sent")
    func esscRefused() async throws {
        try await withCore { core in
            var settings = core.settings(journal: "essc")
            settings.codes.esscDecoder = .refuse
            let transport = try RecordingTransport(settings: settings)
            let client = SettlementClient(settings: settings, journal: try Journal(directory: settings.stateDirectory),
                                          transport: transport)
            await #expect(throws: SettlementError.self) {
                _ = try await client.checkIn(Credential(kind: .electronicSocialSecurityQRCode, payload: "ESSC:360400:abc", source: "x"))
            }
            #expect(transport.requests.isEmpty)
            await client.shutdown()
        }
        let bad = try FileManager.default.temporaryDirectory.appendingPathComponent("essc-\(UUID().uuidString).toml")
        try String(contentsOfFile: CoreFixture.root + "/hardware-sim/core/cuntong-sim.toml", encoding: .utf8)
            .replacingOccurrences(of: #"essc_decoder = "ec.query""#, with: #"essc_decoder = "tecsun""#)
            .write(to: bad, atomically: true, encoding: .utf8)
        #expect(throws: SettlementError.self) { try TerminalConfig.load(path: bad.path).coreSettings() }
    }

    @Test("A code the platform refuses ends with its message word for word, and nothing is sent to the core")
    func refusedCodes() async throws {
        try await withCore { core in
            let (client, _) = try recordingClient(core)
            for (code, words) in [("ECQR:360400:0001:0ld0ld0ld0ld0ld0", "电子凭证二维码已过期，请刷新二维码后重试"),
                                  ("https://example.com/not-issued", "电子凭证二维码无效")] {
                await #expect {
                    _ = try await client.checkIn(Credential(kind: .unclassifiedQRCode, payload: code, source: "scanner"))
                } throws: { error in
                    guard let e = error as? SettlementError, case .codeRefused(let reason) = e else { return false }
                    return e.code == "EC-REFUSED" && reason.hasPrefix(words) && e.message.contains(words)
                }
            }
            #expect(try await client.journal.messages(limit: 10).allSatisfy { $0.infno == "9001" }, "no 1101 for a refused code")
            await client.shutdown()
        }
    }

    @Test("A face: cn.nhsa.ec.auth with a unique outBizNo and the terminal's result, cn.nhsa.auth.check with authNo, 1101 with 02")
    func face() async throws {
        try await withCore { core in
            let (client, transport) = try recordingClient(core)
            let patient = try await client.checkIn(Credential(kind: .faceAuthToken, payload: "FACE-LY-0001", source: "face"))
            #expect(patient.identity.name == "刘䶮")
            let calls = try transport.requests.filter { $0.path.hasSuffix("localQrCodeQuery") }.map { try object($0.body) }
            #expect(calls.map { $0["transType"] as? String } == ["cn.nhsa.ec.auth", "cn.nhsa.auth.check"])
            let auth = try #require(calls[0]["data"] as? [String: Any])
            let check = try #require(calls[1]["data"] as? [String: Any])
            #expect(Set(auth.keys) == ["orgId", "outBizNo", "businessType", "operatorId", "operatorName", "officeId",
                                       "officeName", "extData"])
            #expect((auth["extData"] as? String)?.contains("FACE-LY-0001") == true)
            let first = try #require(auth["outBizNo"] as? String), second = try #require(check["outBizNo"] as? String)
            #expect(first != second && first.count <= 64 && second.count <= 64, "outBizNo is unique per request")
            #expect((check["authNo"] as? String)?.hasPrefix("ano") == true)
            let m1101 = try #require(try await client.journal.messages(limit: 10).first { $0.infno == "1101" })
            let body = try #require(((try object(m1101.request))["input"] as? [String: Any])?["data"] as? [String: Any])
            #expect(body["mdtrt_cert_type"] as? String == "02" && body["mdtrt_cert_no"] as? String == Fixtures.liuYan)
            #expect(body["psn_name"] as? String == "刘䶮")
            await client.shutdown()
        }
    }
}
