import Foundation
import TerminalCore
import Testing

@Suite("Money in fen")
struct MoneyTests {
    @Test("Yuan text to fen and back", arguments: [
        ("12.34", 1234), ("12.3", 1230), ("12", 1200), ("0.05", 5), ("-0.50", -50), ("0", 0), ("100000000.00", 10_000_000_000),
    ] as [(String, Int64)])
    func parse(text: String, fen: Int64) throws {
        let money = try #require(Money(yuan: text))
        #expect(money.fen == fen)
        #expect(Money(yuan: money.yuan) == money)
    }

    @Test("Refused rather than rounded", arguments: ["12.345", "1e3", " 1", "", ".", "1.", ".5", "1,00", "¥1", "--1", "NaN"])
    func refused(text: String) {
        #expect(Money(yuan: text) == nil)
    }

    @Test("Formatting: two decimals always")
    func format() {
        #expect(Money(fen: 5).yuan == "0.05")
        #expect(Money(fen: -1234).yuan == "-12.34")
        #expect(Money(fen: 120_000).description == "¥1200.00")
    }

    @Test("Ratios round half away from zero to the fen")
    func scaled() {
        #expect(Money(fen: 3428).scaled(6500, over: 10_000) == Money(fen: 2228))  // 22.282
        #expect(Money(fen: 7).scaled(6500, over: 10_000) == Money(fen: 5))        // 4.55
        #expect(Money(fen: -7).scaled(6500, over: 10_000) == Money(fen: -5))
        #expect(Money(fen: 1).scaled(4999, over: 10_000) == .zero)
    }

    @Test("JSON: written as a string, read from a string or a number")
    func json() throws {
        #expect(String(decoding: try JSONEncoder().encode([Money(fen: 2228)]), as: UTF8.self) == #"["22.28"]"#)
        let decoded = try JSONDecoder().decode([Money].self, from: Data(#"["22.28", 22.28, 7, 0.1]"#.utf8))
        #expect(decoded.map(\.fen) == [2228, 2228, 700, 10])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([Money].self, from: Data(#"[1.234]"#.utf8)) }
    }
}

@Suite("Fee lists")
struct FeeListTests {
    let sample = #"""
        {"department": {"code": "A03", "name": "全科"}, "doctor": {"code": "D001", "name": "王医生"},
         "diagnosis": {"code": "J06.900", "name": "急性上呼吸道感染"},
         "items": [{"code": "XN02BEA049A001010101445", "name": "对乙酰氨基酚片", "category": "drug",
                    "unitPrice": "0.35", "quantity": 20},
                   {"code": "X2", "name": "半片", "category": "drug", "unitPrice": "0.33", "quantity": "0.5"}]}
        """#

    @Test("DESIGN.md's format: yuan strings to fen, quantities with decimals, totals to the fen")
    func decode() throws {
        let fees = try JSONDecoder().decode(FeeList.self, from: Data(sample.utf8)).validated()
        #expect(fees.items[0].amount == Money(fen: 700))
        #expect(fees.items[1].quantity.description == "0.5")
        #expect(fees.items[1].amount == Money(fen: 17))  // 0.165 rounds to 0.17
        #expect(fees.total == Money(fen: 717))
    }

    @Test("Bad lists are refused with the item named")
    func invalid() throws {
        let zero = sample.replacingOccurrences(of: #""0.35""#, with: #""0.00""#)
        let fees = try JSONDecoder().decode(FeeList.self, from: Data(zero.utf8))
        #expect(throws: FeeList.Problem.badItem(index: 0, reason: "its unit price must be more than 0")) { try fees.validated() }
        let empty = FeeList(department: .init(code: "A", name: "A"), doctor: .init(code: "D", name: "D"),
                            diagnosis: .init(code: "J", name: "J"), items: [])
        #expect(throws: FeeList.Problem.empty) { try empty.validated() }
        let badPrice = sample.replacingOccurrences(of: #""0.35""#, with: #""0.355""#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(FeeList.self, from: Data(badPrice.utf8)) }
    }
}
