import CardReaders
import Testing

@Suite("APDU encoding and T=0 status-word handling")
struct APDUTests {
    @Test("command encodings match ISO 7816-4 and the card specification")
    func encodings() {
        #expect(Hex.string(CommandAPDU.selectByName(Hex.bytes("7378312E73682EC9E7BBE1B1A3D5CF")!).bytes)
                == "00A404000F7378312E73682EC9E7BBE1B1A3D5CF")
        #expect(Hex.string(CommandAPDU.selectFile([0xEF, 0x05], p1: 0x00).bytes) == "00A4000002EF05")
        #expect(Hex.string(CommandAPDU.readRecord(7).bytes) == "00B2070400")
        #expect(Hex.string(CommandAPDU.readRecord(7, le: 11).bytes) == "00B207040B")
        #expect(Hex.string(CommandAPDU.getResponse(0x20).bytes) == "00C0000020")
    }

    @Test("6Cxx: the command is sent again with Le = xx")
    func wrongLength() async throws {
        let transport = ScriptedTransport([
            ("00B2070400", "6C0B"),
            ("00B207040B", "07094A33363034383233319000"),
        ])
        let response = try await transport.send(.readRecord(7))
        #expect(response.isSuccess)
        #expect(response.data == Hex.bytes("07094A3336303438323331"))
        #expect(transport.mismatches.isEmpty)
    }

    @Test("61xx: the rest is fetched with GET RESPONSE, across several rounds")
    func moreData() async throws {
        let transport = ScriptedTransport([
            ("00B2010400", "6104"),
            ("00C0000004", "011036046102"),
            ("00C0000002", "ABCD9000"),
        ])
        let response = try await transport.send(.readRecord(1))
        #expect(response.isSuccess)
        #expect(response.data == Hex.bytes("01103604ABCD"))
        #expect(transport.mismatches.isEmpty)
    }

    @Test("a reply without a status word is an error, not a crash")
    func shortReply() async {
        let transport = ScriptedTransport([("00B2010400", "90")])
        await #expect(throws: CardReadError.malformedResponse(command: "00B20104", length: 1)) {
            try await transport.send(.readRecord(1))
        }
    }

    @Test("status words carry their ISO meaning for messages")
    func meanings() {
        #expect(StatusWord(0x6982).meaning == "security status not satisfied")
        #expect(StatusWord(0x6A82).meaning == "file or application not found")
        #expect(StatusWord(0x63C2).meaning == "verification failed, 2 tries left")
        #expect(StatusWord(0x9000).description == "9000")
    }
}
