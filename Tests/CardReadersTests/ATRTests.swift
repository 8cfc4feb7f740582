import CardReaders
import Testing

@Suite("ATR parsing (ISO 7816-3)")
struct ATRTests {
    @Test("a T=0/T=1 ATR with historical bytes and TCK")
    func simulatorATR() throws {
        let atr = try ATR(Hex.bytes("3B8C800143554E544F4E472D5353433118")!)
        #expect(atr.convention == .direct)
        #expect(atr.protocols == [0, 1])
        #expect(String(decoding: atr.historicalBytes, as: UTF8.self) == "CUNTONG-SSC1")
        #expect(atr.hasCheckByte)
    }

    @Test("PC/SC part 3 storage-card ATR (TA1, TD1, TD2, 15 historical bytes, TCK)")
    func storageCard() throws {
        let atr = try ATR(Hex.bytes("3B8F8001804F0CA000000306030001000000006A")!)
        #expect(atr.protocols == [0, 1])
        #expect(atr.historicalBytes.count == 15)
    }

    @Test("a T=0-only ATR needs no TCK")
    func t0Only() throws {
        let atr = try ATR(Hex.bytes("3B6500002063CB6600")!)
        #expect(atr.protocols == [0])
        #expect(!atr.hasCheckByte)
        #expect(atr.historicalBytes == Hex.bytes("2063CB6600"))
    }

    @Test("bad TS, truncation and a wrong TCK are refused")
    func invalid() {
        #expect(throws: ATR.ParseError.badInitialCharacter(0x3C)) { try ATR([0x3C, 0x00]) }
        #expect(throws: ATR.ParseError.tooShort) { try ATR([0x3B]) }
        #expect(throws: ATR.ParseError.truncated) { try ATR(Hex.bytes("3B8C8001435554")!) }
        #expect(throws: ATR.ParseError.checkByteMismatch) {
            try ATR(Hex.bytes("3B8C800143554E544F4E472D5353433119")!)
        }
    }

    @Test("the built-in table names the simulated cards and nothing else")
    func table() {
        #expect(ATRTable.builtIn.match(Hex.bytes("3B8C800143554E544F4E472D5353433118")!)?.kind == "simulator")
        #expect(ATRTable.builtIn.match(Hex.bytes("3B6500002063CB6600")!) == nil)
    }
}
