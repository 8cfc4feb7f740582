import CardReaders
import Config
import Foundation
import HardwareSim
import Testing
import TestSupport

extension RealStack {
/// 3.0 cards with RKSSSE (a PSAM in the second vpcd slot, or the key service), long names,
/// second-generation cards: on pcscd + vpcd with the simulated cards, PSAM and key service.
@Suite("3.0 cards, RKSSSE, long names and second-generation cards")
struct ThirdGeneration {
    init() async throws {
        try await Harness.pcscdUp()
    }

    /// The simulated PSAM's SM4 environment, which only configuration can name.
    static let environments = PSAMKeyHolder.Settings.publishedEnvironments
        .merging(["03": ["7378332E73682EC9E7BBE1B1A3D5CF", "D15600000590"]]) { $1 }

    static func psam() -> PSAMKeyHolder {
        PSAMKeyHolder(settings: .init(reader: Harness.slot1, environments: environments))
    }

    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("a 3.0 SM4 card with the PSAM in the SAM slot: internal and external authentication, then the whole person")
    func psamAuthentication() async throws {
        let card = CardSimulator(holder: try Harness.holder("wang-fang-3.0-sm4"))
        let psam = CardSimulator(psamHost: "127.0.0.1", port: CardSimulator.port(slot: 1))
        try await Harness.insert(card)
        try await Harness.insert(psam)
        let result = await Result { () async throws(CardReadError) in
            try await CardSession.read(reader: Harness.slot0, applications: .standard(keyHolder: Self.psam()))
        }
        try await Harness.remove(card)
        try await Harness.remove(psam)
        let read = try result.get()
        #expect(read.card.access == .authenticated(provider: "psam"))
        #expect(read.card.holder?.name == "王芳")
        #expect(read.card.holder?.socialSecurityNumber.value == "360402197708152041")
        #expect(read.card.holder?.birthplace == "360402")
        #expect(read.card.expiryDate?.iso == "2033-09-01")
    }

    @Test("the same card through the key service, in both request formats")
    func keyService() async throws {
        try await withCore { core in
            let card = CardSimulator(holder: try Harness.holder("wang-fang-3.0-sm4"))
            try await Harness.insert(card)
            var outcomes: [Result<CardReadResult, CardReadError>] = []
            for format in KeyServiceKeyHolder.Format.allCases {
                let holder = KeyServiceKeyHolder(settings: .init(url: core.url + KeyServiceSimulator.path, format: format))
                outcomes.append(await Result { () async throws(CardReadError) in
                    try await CardSession.read(reader: Harness.slot0, applications: .standard(keyHolder: holder))
                })
            }
            try await Harness.remove(card)
            for outcome in outcomes {
                let read = try outcome.get()
                #expect(read.card.access == .authenticated(provider: "key-service"))
                #expect(read.card.holder?.name == "王芳")
            }
        }
    }

    @Test("without PSAM or key service the card is still read: number and identifier, the person locked; an unreachable key service says so")
    func lockedPersonalFile() async throws {
        let card = CardSimulator(holder: try Harness.holder("wang-fang-3.0-sm4"))
        try await Harness.insert(card)
        let none = await Result { () async throws(CardReadError) in try await CardSession.read(reader: Harness.slot0) }
        let down = KeyServiceKeyHolder(settings: .init(url: "http://127.0.0.1:9/key-service", timeout: .seconds(2)))
        let unreachable = await Result { () async throws(CardReadError) in
            try await CardSession.read(reader: Harness.slot0, applications: .standard(keyHolder: down))
        }
        // The PSAM slot is empty: the PSAM is missing.
        let noPSAM = await Result { () async throws(CardReadError) in
            try await CardSession.read(reader: Harness.slot0, applications: .standard(keyHolder: Self.psam()))
        }
        try await Harness.remove(card)

        let locked = try none.get().card
        #expect(locked.holder == nil)
        #expect(locked.cardNumber == "K36040001")
        #expect(locked.cardIdentifier == "360400D15600000599AABBCC11223344")
        #expect(locked.expiryDate == nil)
        #expect(locked.access == .locked(.authenticationRequired(file: "SSSE")))
        #expect(try unreachable.get().card.access.lockReason?.code == "CARD-KEY-SERVICE-DOWN")
        #expect(try noPSAM.get().card.access.lockReason?.code == "CARD-PSAM-MISSING")
    }

    @Test("cuntong card read on a locked card: what it could read, a plain sentence, exit status 3")
    func cliLocked() async throws {
        let card = CardSimulator(holder: try Harness.holder("wang-fang-3.0-sm4"))
        try await Harness.insert(card)
        let jsonRun = try await Harness.cuntong("card", "read", "--json", "--config", "/nonexistent/cuntong.toml")
        let textRun = try await Harness.cuntong("card", "read", "--config", "/nonexistent/cuntong.toml")
        try await Harness.remove(card)

        #expect(jsonRun.status == 3, "stderr: \(jsonRun.stderr)")
        let object = try json(jsonRun.stdout)
        #expect(object["personalFileLocked"] as? Bool == true)
        #expect(object["access"] as? String == "locked")
        #expect(object["name"] is NSNull)
        #expect(object["cardNumber"] as? String == "K3*****01")
        #expect((object["lockedReason"] as? [String: Any])?["code"] as? String == "CARD-AUTH-REQUIRED")
        #expect(textRun.status == 3)
        #expect(textRun.stdout.contains("needs PSAM or key-service authentication"))
    }

    @Test("cuntong checkin --card: a locked card checks in through the core by card number; with the PSAM by the whole read")
    func checkin() async throws {
        try await withCore { core in
            let card = CardSimulator(holder: try Harness.holder("wang-fang-3.0-sm4"))
            let psam = CardSimulator(psamHost: "127.0.0.1", port: CardSimulator.port(slot: 1))
            let plain = try core.configFile(journal: "locked")
            let withPSAM = try core.configFile(journal: "psam", extra: """
                [card]
                auth = "psam"
                psam_reader = "\(Harness.slot1)"
                psam_environments = { "03" = ["7378332E73682EC9E7BBE1B1A3D5CF", "D15600000590"] }
                """)
            try await Harness.insert(card)
            let locked = try await Harness.cuntong("checkin", "--card", "--config", plain, "--json", "--reveal", "--timeout", "10")
            try await Harness.insert(psam)
            let authenticated = try await Harness.cuntong("checkin", "--card", "--config", withPSAM, "--json", "--reveal", "--timeout", "10")
            try await Harness.remove(card)
            try await Harness.remove(psam)
            for run in [locked, authenticated] {
                #expect(run.status == 0, "stderr: \(run.stderr)")
                let object = try json(run.stdout)
                #expect(object["name"] as? String == "王芳")
                #expect(object["idNumber"] as? String == "360402197708152041")
            }
        }
    }

    @Test("the daemon: a locked 3.0 card checks the patient in through the core; the PSAM's slot is never read as a patient's card")
    func daemon() async throws {
        try await withCore { core in
            let daemon = try await DaemonFixture.start(core: core, name: "card-daemon", extraConfig: """
                [card]
                auth = "psam"
                psam_reader = "\(Harness.slot1)"
                """, arguments: ["--simulator"])
            let events = try await daemon.api.events()
            let psam = CardSimulator(psamHost: "127.0.0.1", port: CardSimulator.port(slot: 1))
            try await Harness.insert(psam)
            let card = CardSimulator(holder: try Harness.holder("wang-fang-3.0-sm4"))
            async let checkin = daemon.api.post("/v1/checkins", ["waitSeconds": 20])
            try await Task.sleep(for: .milliseconds(500))
            try await Harness.insert(card)
            let answer = try await checkin
            try await Harness.remove(card)
            try await Harness.remove(psam)
            events.cancel()
            let log = daemon.log
            _ = await daemon.stop()

            // The simulated PSAM has no SM4 environment this configuration names: the card
            // stays locked (CARD-PSAM-REFUSED) and the core names the patient from the card.
            #expect(answer.status == 200 || answer.status == 201, "\(String(decoding: answer.body, as: UTF8.self))")
            let patient = try #require(answer.object()["patient"] as? [String: Any])
            #expect(patient["idNumber"] as? String != nil)
            #expect(answer.object()["credentialKind"] as? String == "socialSecurityCard")
            #expect(log.contains("CARD-PSAM-REFUSED"))
            #expect(!log.contains("王芳") && !log.contains("360402197708152041"))
            #expect(!events.all.contains { $0.type == "card.failed" }, "\(events.all.map(\.type))")
        }
    }

    @Test("cuntong doctor names the PSAM and the key environments it found, and the missing SM4 setting")
    func doctor() async throws {
        try await withCore { core in
            let psam = CardSimulator(psamHost: "127.0.0.1", port: CardSimulator.port(slot: 1))
            let withPSAM = try core.configFile(journal: "doctor-psam", extra: """
                [card]
                auth = "psam"
                psam_reader = "\(Harness.slot1)"
                """)
            let withService = try core.configFile(journal: "doctor-ks", extra: """
                [card]
                auth = "key-service"
                key_service_url = "\(core.url)\(KeyServiceSimulator.path)"
                """)
            try await Harness.insert(psam)
            let present = try await Harness.cuntong("doctor", "--config", withPSAM)
            try await Harness.remove(psam)
            let absent = try await Harness.cuntong("doctor", "--config", withPSAM)
            let service = try await Harness.cuntong("doctor", "--config", withService)
            let line = { (run: Harness.Result) in run.stdout.split(separator: "\n").first { $0.contains("card authentication") } ?? "" }
            #expect(line(present).contains("PASS") && line(present).contains("01 ok"), "\(present.stdout)")
            #expect(present.stdout.contains("PSAM SM4"))
            #expect(line(absent).contains("FAIL") && line(absent).contains("not in the SAM slot"), "\(absent.stdout)")
            #expect(line(service).contains("PASS") && line(service).contains("answers"), "\(service.stdout)")
        }
    }

    @Test("a 17-character name continues into 4E; a second-generation card without 4E is read by record number")
    func namesAndGenerations() async throws {
        let long = CardSimulator(holder: try Harness.holder("abdurehim-long-name"))
        try await Harness.insert(long)
        let longRead = await Result { () async throws(CardReadError) in try await CardSession.read(reader: Harness.slot0) }
        try await Harness.remove(long)
        let old = CardSimulator(holder: try Harness.holder("zhao-lei-2.0"))
        try await Harness.insert(old)
        let oldRead = await Result { () async throws(CardReadError) in try await CardSession.read(reader: Harness.slot0) }
        try await Harness.remove(old)

        #expect(try longRead.get().card.holder?.name == "阿卜杜热合曼·买买提明·艾合买提江")
        #expect(try longRead.get().card.holder?.birthplace == "650102")
        #expect(try oldRead.get().card.holder?.name == "赵磊")
        #expect(try oldRead.get().card.specVersion == "2.00")
        #expect(try oldRead.get().card.access == .open)
    }
}
}

extension Result where Failure == CardReadError {
    init(catching body: () async throws(CardReadError) -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}

extension CardAccess {
    var lockReason: CardReadError? {
        if case .locked(let reason) = self { return reason }
        return nil
    }
}

/// `[card]` settings a technician may get wrong, refused with a sentence that names the key.
@Suite("[card] configuration")
struct CardConfiguration {
    func load(_ card: String, credentials: (text: String, mode: Int)? = nil) throws -> (TerminalConfig, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cuntong-card-config-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var card = card
        if let credentials {
            let file = dir + "/key-service.toml"
            FileManager.default.createFile(atPath: file, contents: Data(credentials.text.utf8),
                                           attributes: [.posixPermissions: credentials.mode])
            card += "\nkey_service_credentials = \"\(file)\""
        }
        let path = dir + "/cuntong.toml"
        try """
            [institution]
            code = "H36040200017"
            name = "村卫生室"
            admdvs = "360402"
            [terminal]
            device_no = "CT-1"
            operator = "D001"
            operator_name = "王医生"
            [core]
            url = "http://127.0.0.1:1"
            [card]
            \(card)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return (try TerminalConfig.load(path: path), path)
    }

    @Test("an unknown auth, a PSAM without its reader, a bad key, a key service without a URL")
    func refused() throws {
        for (card, words) in [
            ("auth = \"hsm\"", "[card] auth must be \"psam\", \"key-service\" or \"none\""),
            ("auth = \"psam\"", "needs psam_reader"),
            ("auth = \"psam\"\npsam_reader = \"SAM\"\npsam_rkssse_key = \"0A\"", "psam_rkssse_key must be 4 hex digits"),
            ("auth = \"key-service\"", "needs key_service_url"),
            ("auth = \"key-service\"\nkey_service_url = \"https://k\"\nkey_service_format = \"soap\"", "key_service_format must be"),
        ] {
            let (config, path) = try load(card)
            #expect(throws: TerminalConfig.Problem.self) { try config.cardApplications(path: path) }
            do { _ = try config.cardApplications(path: path) } catch {
                #expect(error.message.contains(words), "\(error.message)")
            }
        }
    }

    @Test("the key service's credentials file must be private, and becomes the Authorization header")
    func credentials() throws {
        let open = try load("auth = \"key-service\"\nkey_service_url = \"https://k\"", credentials: ("token = \"abc\"", 0o644))
        do { _ = try open.0.cardApplications(path: open.1); Issue.record("a world-readable credentials file was taken") } catch {
            #expect(error.message.contains("make it 0600"))
            #expect(!error.message.contains("abc"))
        }
        let closed = try load("auth = \"key-service\"\nkey_service_url = \"https://k\"", credentials: ("username = \"u\"\npassword = \"p\"", 0o600))
        let holder = try #require(try closed.0.cardApplications(path: closed.1).applications.first as? SocialSecurityCardReader)
        let service = try #require(holder.keyHolder as? KeyServiceKeyHolder)
        #expect(service.settings.headers["Authorization"] == "Basic dTpw")
        #expect(closed.0.reservedReaders.isEmpty)
        let psam = try load("auth = \"psam\"\npsam_reader = \"Virtual PCD 00 01\"")
        #expect(psam.0.reservedReaders == ["Virtual PCD 00 01"])
    }
}
