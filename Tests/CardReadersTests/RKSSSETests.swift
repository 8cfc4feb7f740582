import CardReaders
import Foundation
import Synchronization
import Testing
import TerminalCore

/// A key holder that answers as told and remembers what it was asked.
final class FixedKeyHolder: RKSSSEKeyHolder {
    let provider = "key-service"
    private let reply: Result<RKSSSEAnswer, CardReadError>
    private let asked = Mutex<[RKSSSEChallenge]>([])

    init(_ reply: Result<RKSSSEAnswer, CardReadError>) { self.reply = reply }
    var challenges: [RKSSSEChallenge] { asked.withLock { $0 } }

    func answer(_ challenge: RKSSSEChallenge) async throws(CardReadError) -> RKSSSEAnswer {
        asked.withLock { $0.append(challenge) }
        return try reply.get()
    }
}

/// A 3.0 SM4 card as the public key-service APDU trace shows it (gdgly/SI_3rdCard,
/// docs/加密机方式指令流.txt): its FCI, card identifier, challenges, the internal-
/// authentication answer, and the key service's step-2 answer. Personal values are ours.
enum TraceCard {
    static let atr = "3B6D000000814A444686605199000001AC"
    static let fci = "6F1C840F7378312E73682EC9E7BBE1B1A3D5CFA50988011E9F0C03860103"
    static let cardIdentifier = "519900D15600000510000B26FFFFFFFF"
    static let step1 = "519900|00814A444686605199000001AC|03|519900D15600000510000B26FFFFFFFF|32D9E876ADB31BBF|DBF7A936D0D18C9E|98B4D293D091C331|E603E2CAADAF02B6|"
    static let step2 = "F4A0CF965BDCEA30DBF7A936D0D18C9E|774A08EDF447A1DEE603E2CAADAF02B6|"

    static let authentication: [(String, String)] = [
        ("0084000008", "DBF7A936D0D18C9E9000"),   // 原始信息 (internal)
        ("0084000008", "32D9E876ADB31BBF9000"),   // 过程因子 (internal)
        ("008800001032D9E876ADB31BBFDBF7A936D0D18C9E", "F4A0CF965BDCEA309000"),
        ("0084000008", "E603E2CAADAF02B69000"),   // 原始信息 (external)
        ("0084000008", "98B4D293D091C3319000"),   // 过程因子 (external)
    ]
    static let externalAuthenticate = "0082000A10774A08EDF447A1DEE603E2CAADAF02B6"

    static let ef05: [(String, String)] = [
        (SampleCard.readTag(0x01, 0x12), "0110" + cardIdentifier + "9000"),
        (SampleCard.readTag(0x02, 0x03), "0201339000"),
        (SampleCard.readTag(0x03, 0x06), "0304332E30309000"),
        (SampleCard.readTag(0x04, 0x0E), "040C5199000000000000000000019000"),
    ]
    static let locked: [(String, String)] = [(SampleCard.readTag(0x05, 0x06), "6982")]
    static let afterAuth: [(String, String)] = [
        (SampleCard.selectEF05, "9000"),
        (SampleCard.readTag(0x05, 0x06), "0504202106019000"),
        (SampleCard.readTag(0x06, 0x06), "0604203106019000"),
        (SampleCard.readTag(0x07, 0x0B), "0709" + "4D3531393930303031" + "9000"),   // "M51990001"
    ]

    static var prefix: [(String, String)] {
        [(SampleCard.selectSSSE, fci + "9000"), (SampleCard.selectEF05, "9000")] + ef05 + locked
    }
    static var ef06: [(String, String)] {
        [(SampleCard.selectEF06, "9000")] + SampleCard.ef06.map { (SampleCard.readTag($0.tag, $0.le), $0.tlv + "9000") }
    }
}

@Suite("RKSSSE authentication of 3.0 cards, from the public procedure and trace")
struct RKSSSETests {
    @Test("the public trace replayed: challenges, internal and external authentication, then the locked records")
    func publicTrace() async throws {
        let answer = try #require(KeyServiceKeyHolder.parseAnswer(TraceCard.step2, for: traceChallenge))
        let keys = FixedKeyHolder(.success(answer))
        let transport = ScriptedTransport(TraceCard.prefix + TraceCard.authentication
            + [(TraceCard.externalAuthenticate, "9000")] + TraceCard.afterAuth + TraceCard.ef06)
        let card = try await SocialSecurityCardReader(keyHolder: keys)
            .read(from: transport, atr: Hex.bytes(TraceCard.atr)!)
        #expect(transport.mismatches.isEmpty)
        #expect(transport.finished)
        #expect(card.access == .authenticated(provider: "key-service"))
        #expect(card.holder?.name == "欧阳淼")
        #expect(card.expiryDate?.iso == "2031-06-01")
        #expect(card.cardNumber == "M51990001")
        let asked = try #require(keys.challenges.first)
        #expect(KeyServiceKeyHolder.step1(asked) == TraceCard.step1)
        #expect(asked.algorithm == "03")
    }

    @Test("the key service's step-2 answer is found in any wrapping, and only for this read's challenges")
    func answerParsing() throws {
        let c = traceChallenge
        let expected = RKSSSEAnswer(internalResult: Hex.bytes("F4A0CF965BDCEA30")!, externalCryptogram: Hex.bytes("774A08EDF447A1DE")!)
        // Chengdu: SOAP result with <inst>; Lishui: ^-separated; Guangdong: two XML fields; plain.
        for wrapped in [
            "<result><code>1</code><output><inst>\(TraceCard.step2)</inst></output></result>",
            "^^\(TraceCard.step2)^",
            "{\"aaa315\":\"F4A0CF965BDCEA30DBF7A936D0D18C9E\",\"aaa316\":\"774a08edf447a1dee603e2caadaf02b6\"}",
            TraceCard.step2,
        ] {
            #expect(KeyServiceKeyHolder.parseAnswer(wrapped, for: c) == expected, "\(wrapped)")
        }
        // An answer for other challenges (a stale or foreign one) is not taken.
        #expect(KeyServiceKeyHolder.parseAnswer("F4A0CF965BDCEA300102030405060708|774A08EDF447A1DE0102030405060708|", for: c) == nil)
        #expect(KeyServiceKeyHolder.parseAnswer("error: 未找到密钥", for: c) == nil)
    }

    @Test("an internal-authentication answer that does not match: the card stays locked, no external authentication is sent")
    func internalMismatch() async throws {
        let keys = FixedKeyHolder(.success(RKSSSEAnswer(internalResult: Hex.bytes("0000000000000000")!,
                                                       externalCryptogram: Hex.bytes("774A08EDF447A1DE")!)))
        let transport = ScriptedTransport(TraceCard.prefix + TraceCard.authentication + [
            (SampleCard.selectEF05, "9000"),
            (SampleCard.readTag(0x06, 0x06), "6982"),
            (SampleCard.readTag(0x07, 0x0B), "0709" + "4D3531393930303031" + "9000"),
            (SampleCard.selectEF06, "9000"),
            (SampleCard.readTag(0x08, 0x14), "6982"),
        ])
        let card = try await SocialSecurityCardReader(keyHolder: keys).read(from: transport, atr: Hex.bytes(TraceCard.atr)!)
        #expect(transport.mismatches.isEmpty)
        #expect(transport.finished)
        #expect(card.access == .locked(.internalAuthenticationMismatch))
        #expect(card.holder == nil)
        #expect(card.expiryDate == nil)
        #expect(card.cardNumber == "M51990001")
    }

    @Test("the card refuses the terminal's cryptogram (63C2): locked, with the tries the card reported")
    func externalRefused() async throws {
        let answer = try #require(KeyServiceKeyHolder.parseAnswer(TraceCard.step2, for: traceChallenge))
        let transport = ScriptedTransport(TraceCard.prefix + TraceCard.authentication + [
            (TraceCard.externalAuthenticate, "63C2"),
            (SampleCard.selectEF05, "9000"),
            (SampleCard.readTag(0x06, 0x06), "6982"),
            (SampleCard.readTag(0x07, 0x0B), "0709" + "4D3531393930303031" + "9000"),
            (SampleCard.selectEF06, "9000"),
            (SampleCard.readTag(0x08, 0x14), "6982"),
        ])
        let card = try await SocialSecurityCardReader(keyHolder: FixedKeyHolder(.success(answer)))
            .read(from: transport, atr: Hex.bytes(TraceCard.atr)!)
        #expect(transport.mismatches.isEmpty)
        #expect(card.access == .locked(.externalAuthenticationRefused(StatusWord(0x63C2))))
        #expect(CardReadError.externalAuthenticationRefused(StatusWord(0x63C2)).message.contains("2 tries left"))
    }

    @Test("a key service that cannot be reached leaves the card locked; a card pulled during authentication ends the read")
    func failures() async throws {
        let down = FixedKeyHolder(.failure(.keyServiceUnreachable(detail: "no answer in time")))
        let transport = ScriptedTransport(TraceCard.prefix + TraceCard.authentication + [
            (SampleCard.selectEF05, "9000"), (SampleCard.readTag(0x06, 0x06), "6982"),
            (SampleCard.readTag(0x07, 0x0B), "0709" + "4D3531393930303031" + "9000"),
            (SampleCard.selectEF06, "9000"), (SampleCard.readTag(0x08, 0x14), "6982"),
        ])
        let card = try await SocialSecurityCardReader(keyHolder: down).read(from: transport, atr: Hex.bytes(TraceCard.atr)!)
        #expect(card.access == .locked(.keyServiceUnreachable(detail: "no answer in time")))

        let pulled = ScriptedTransport(TraceCard.prefix + Array(TraceCard.authentication.prefix(2)), thenFail: .cardRemoved)
        await #expect(throws: CardReadError.cardRemoved) {
            try await SocialSecurityCardReader(keyHolder: down).read(from: pulled, atr: Hex.bytes(TraceCard.atr)!)
        }
    }

    @Test("the algorithm comes from 9F0C's template 86; without it, DES (01)")
    func algorithm() {
        let auth = SSSEProfile.standard.authentication
        #expect(auth.algorithm(fci: Hex.bytes(TraceCard.fci)!) == "03")
        #expect(auth.algorithm(fci: Hex.bytes("6F11840F7378312E73682EC9E7BBE1B1A3D5CF")!) == "01")
        #expect(auth.algorithm(fci: []) == "01")
    }

    var traceChallenge: RKSSSEChallenge {
        RKSSSEChallenge(regionCode: "519900", atr: Hex.bytes(TraceCard.atr)!, algorithm: "03",
                        cardIdentifier: Hex.bytes(TraceCard.cardIdentifier)!,
                        internalFactor: Hex.bytes("32D9E876ADB31BBF")!, internalSource: Hex.bytes("DBF7A936D0D18C9E")!,
                        externalFactor: Hex.bytes("98B4D293D091C331")!, externalSource: Hex.bytes("E603E2CAADAF02B6")!)
    }
}

@Suite("The PSAM's commands for RKSSSE")
struct PSAMKeyHolderTests {
    let challenge = RKSSSEChallenge(
        regionCode: "519900", atr: Hex.bytes(TraceCard.atr)!, algorithm: "01",
        cardIdentifier: Hex.bytes(TraceCard.cardIdentifier)!,
        internalFactor: Hex.bytes("1111111111111111")!, internalSource: Hex.bytes("2222222222222222")!,
        externalFactor: Hex.bytes("3333333333333333")!, externalSource: Hex.bytes("4444444444444444")!)
    // Card: historical bytes 6–13; city: "519900" + "sx"; province: "51" + "0000sh".
    let factors = "8660519900000 1AC".replacingOccurrences(of: " ", with: "") + "3531393930307378" + "3531303030307368"

    @Test("DES environment (part 9 §5): select sx1 and D15600000590, deliver the session key with three levels, encipher")
    func des() async throws {
        let psam = ScriptedTransport([
            ("00A404000F7378312E73682EC9E7BBE1B1A3D5CF", "9000"),
            ("00A4040006D15600000590", "9000"),
            ("BFDE670820" + factors + "1111111111111111", "9000"),
            ("80FA00000822222222222222220 8".replacingOccurrences(of: " ", with: ""), "AAAAAAAAAAAAAAAA9000"),
            ("BFDE670A20" + factors + "3333333333333333", "9000"),
            ("80FA0000084444444444444444 08".replacingOccurrences(of: " ", with: ""), "BBBBBBBBBBBBBBBB9000"),
        ])
        let answer = try await PSAMKeyHolder(settings: .init(reader: "SAM")).answer(challenge, on: psam)
        #expect(psam.mismatches.isEmpty)
        #expect(psam.finished)
        #expect(answer == RKSSSEAnswer(internalResult: Hex.bytes("AAAAAAAAAAAAAAAA")!, externalCryptogram: Hex.bytes("BBBBBBBBBBBBBBBB")!))
    }

    @Test("SM4 (16-byte blocks): inputs padded with 8 × 00, the result folded left ⊕ right; a 6A80 tries fewer levels")
    func sm4() async throws {
        var c = challenge
        c.algorithm = "03"
        c.externalFactor = nil
        c.externalSource = nil
        let settings = PSAMKeyHolder.Settings(reader: "SAM", environments: ["03": ["DF03"]])
        let psam = ScriptedTransport([
            ("00A4000002DF03", "9000"),
            ("BFDE670828" + factors + "1111111111111111" + "0000000000000000", "6A80"),
            ("BFDE470820" + factors.prefix(32) + "1111111111111111" + "0000000000000000", "9000"),
            ("80FA000010" + "2222222222222222" + "0000000000000000" + "10", "0102030405060708F0F0F0F0F0F0F0F09000"),
        ])
        let answer = try await PSAMKeyHolder(settings: settings).answer(c, on: psam)
        #expect(psam.mismatches.isEmpty)
        #expect(answer.internalResult == Hex.bytes("F1F2F3F4F5F6F7F8")!)
        #expect(answer.externalCryptogram == nil)
    }

    @Test("no environment for the card's algorithm, or a PSAM that refuses: a clear error naming the setting")
    func refusals() async {
        var c = challenge
        c.algorithm = "03"
        await #expect(throws: CardReadError.self) {
            try await PSAMKeyHolder(settings: .init(reader: "SAM")).answer(c, on: ScriptedTransport([]))
        }
        let psam = ScriptedTransport([("00A404000F7378312E73682EC9E7BBE1B1A3D5CF", "6A82")])
        await #expect(throws: CardReadError.psamRefused(command: "SELECT 7378312E73682EC9E7BBE1B1A3D5CF", sw: StatusWord(0x6A82))) {
            try await PSAMKeyHolder(settings: .init(reader: "SAM")).answer(challenge, on: psam)
        }
    }
}
