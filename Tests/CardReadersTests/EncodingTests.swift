import CardReaders
import Testing

@Suite("GBK / GB18030 names through iconv")
struct GBKTests {
    // Reference bytes from the GBK and GB18030 code tables.
    @Test("decodes GBK names, rare characters included", arguments: [
        ("C5B7D1F4EDB5", "欧阳淼"),
        ("D5C5CEB0", "张伟"),
        ("CDF5D0E3D3A2", "王秀英"),
        ("88D286B4", "堃喆"),
    ])
    func decode(hex: String, expected: String) {
        #expect(GBK.decode(Hex.bytes(hex)!) == expected)
    }

    @Test("decodes characters only GB18030 has (two- and four-byte forms)")
    func gb18030Superset() {
        #expect(GBK.decode(Hex.bytes("C1F5FE9F")!) == "刘䶮")
        #expect(GBK.decode(Hex.bytes("9534B235")!) == "𠮷")
    }

    @Test("encoding is the exact inverse")
    func encode() {
        #expect(GBK.encode("欧阳淼").map { Hex.string($0) } == "C5B7D1F4EDB5")
        #expect(GBK.encode("刘䶮").map { Hex.string($0) } == "C1F5FE9F")
    }

    @Test("invalid byte sequences are refused, not guessed")
    func invalid() {
        #expect(GBK.decode([0xC5]) == nil)          // lead byte with no trail
        #expect(GBK.decode([0xFF, 0xFF]) == nil)
    }

    @Test("padding of zeros and spaces is trimmed without cutting a character")
    func padding() {
        #expect(GBK.trimPadding(Hex.bytes("D5C5CEB0000000")!) == Hex.bytes("D5C5CEB0")!)
        #expect(GBK.trimPadding(Hex.bytes("D5C5CEB0202020")!) == Hex.bytes("D5C5CEB0")!)
        #expect(GBK.trimPadding([0, 0]) == [])
    }
}

@Suite("BCD and hex")
struct BCDTests {
    @Test("digits and dates")
    func digits() {
        #expect(BCD.digits([0x20, 0x31, 0x04, 0x16]) == "20310416")
        #expect(BCD.date([0x20, 0x31, 0x04, 0x16])?.iso == "2031-04-16")
        #expect(BCD.digits([0x36, 0x04, 0x00]) == "360400")
    }

    @Test("non-decimal nibbles and impossible dates are refused")
    func invalid() {
        #expect(BCD.digits([0x3A]) == nil)
        #expect(BCD.date([0x20, 0x23, 0x02, 0x30]) == nil)   // 30 February
        #expect(BCD.date([0x20, 0x23, 0x02]) == nil)         // too short
    }

    @Test("hex parsing tolerates spaces and case, refuses odd length")
    func hex() {
        #expect(Hex.bytes("3b 8c:80") == [0x3B, 0x8C, 0x80])
        #expect(Hex.bytes("ABC") == nil)
        #expect(Hex.bytes("GG") == nil)
        #expect(Hex.string([0x00, 0xFF]) == "00FF")
    }
}

@Suite("TLV records")
struct TLVTests {
    @Test("value of a well-formed record; trailing padding ignored")
    func value() throws {
        #expect(try TLV.value(in: [0x07, 0x02, 0x41, 0x42, 0xFF, 0xFF], tag: 0x07) == [0x41, 0x42])
        #expect(try TLV.value(in: [0x0B, 0x00], tag: 0x0B) == [])
    }

    @Test("a length that runs past the data is reported with both numbers")
    func truncated() {
        #expect(throws: TLV.ParseError.truncated(declared: 30, available: 4)) {
            try TLV.value(in: [0x09, 0x1E, 1, 2, 3, 4], tag: 0x09)
        }
        #expect(throws: TLV.ParseError.truncated(declared: 1, available: 0)) {
            try TLV.value(in: [0x09], tag: 0x09)
        }
    }

    @Test("wrong tag and empty records are refused")
    func wrongTag() {
        #expect(throws: TLV.ParseError.wrongTag(expected: 0x08, found: 0x09)) {
            try TLV.value(in: [0x09, 0x01, 0x00], tag: 0x08)
        }
        #expect(throws: TLV.ParseError.empty) { try TLV.value(in: [], tag: 0x08) }
    }
}
