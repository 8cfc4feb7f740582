import Crypto
import Foundation
import Settlement
import TestSupport
import Testing

@Suite("Personal values sealed inside a message, where they stand")
struct SealedJSONTests {
    let key = SymmetricKey(size: .bits256)

    /// A 1101 request and answer as the national platform writes them (field names from the
    /// spec's tables), with an escaped name, a number where a string is usual, a null, an
    /// empty value and exp_content as an object.
    static let request = Data("""
        {"infno":"1101","msgid":"H36040200017202612011200000001","mdtrtarea_admvs":"360402","insuplc_admdvs":"",\
        "recer_sys_code":"YBXT","dev_no":"CT-1","opter":"D001","opter_name":"\\u738b\\u533b\\u751f","sign_no":"S1",\
        "input":{"data":{"mdtrt_cert_type":"03","mdtrt_cert_no":"K36040001","card_sn":"360400D15600000599AABBCC11223344",\
        "begntime":"2026-12-01 12:00:00","psn_cert_type":"01","certno":"360402197708152041","psn_name":"王芳"}}}
        """.utf8)
    static let answer = Data("""
        {"infcode":0,"output":{"baseinfo":{"psn_no":36040000000000000010,"certno":"360402197708152041","psn_name":"王芳",\
        "gend":"2","exp_content":{"fam_acct_shar_flag":"1","note":"王芳 360402197708152041"},"emp_name":null,"brdy":""},\
        "insuinfo":[{"balc":123.45,"insutype":"390","psn_insu_stas":"1"}],"idetinfo":[]},"respond_time":"20261201120000123"}
        """.utf8)

    static let personal = ["360402197708152041", "王芳", "K36040001", "360400D15600000599AABBCC11223344",
                           "36040000000000000010", "\\u738b\\u533b\\u751f", "fam_acct_shar_flag"]

    @Test("sealed: no personal value is left in the bytes; codes, amounts and ids are; opened: the exact bytes")
    func roundTrip() throws {
        for message in [Self.request, Self.answer] {
            let sealed = try SealedJSON.seal(message, key: key, keyID: "2026-12-01")
            let text = String(decoding: sealed, as: UTF8.self)
            for value in Self.personal { #expect(!text.contains(value), "\(value) is still in \(text)") }
            #expect(try JSONSerialization.jsonObject(with: sealed) is [String: Any])
            #expect(SealedJSON.keyIDs(in: sealed) == ["2026-12-01"])
            let opened = try SealedJSON.unseal(sealed) { $0 == "2026-12-01" ? key : nil }
            #expect(opened == message)
        }
        let text = String(decoding: try SealedJSON.seal(Self.answer, key: key, keyID: "d"), as: UTF8.self)
        for kept in ["\"infcode\":0", "\"balc\":123.45", "\"insutype\":\"390\"", "\"emp_name\":null", "\"brdy\":\"\"", "\"gend\":\"2\""] {
            #expect(text.contains(kept), "\(kept)")
        }
        let request = String(decoding: try SealedJSON.seal(Self.request, key: key, keyID: "d"), as: UTF8.self)
        #expect(request.contains("\"msgid\":\"H36040200017202612011200000001\"") && request.contains("\"mdtrt_cert_type\":\"03\""))
    }

    @Test("without its key a sealed message says which key is missing; under another key it is damaged")
    func missingKey() throws {
        let sealed = try SealedJSON.seal(Self.request, key: key, keyID: "2026-12-01")
        #expect(throws: SealedJSON.Failure.keyMissing("2026-12-01")) { try SealedJSON.unseal(sealed) { _ in nil } }
        #expect(throws: SealedJSON.Failure.damaged) { try SealedJSON.unseal(sealed) { _ in SymmetricKey(size: .bits256) } }
    }

    @Test("redacted: the person is gone for good, the rest of the message stays and still parses")
    func redaction() throws {
        let redacted = SealedJSON.redact(try SealedJSON.seal(Self.answer, key: key, keyID: "d"), keyID: "d")
        let object = try #require(try JSONSerialization.jsonObject(with: redacted) as? [String: Any])
        let output = try #require(object["output"] as? [String: Any])
        let base = try #require(output["baseinfo"] as? [String: Any])
        #expect(base["certno"] as? String == "~redacted")
        #expect(base["exp_content"] as? String == "~redacted")
        #expect(base["gend"] as? String == "2")
        #expect(!SealedJSON.isSealed(redacted))
        #expect(try SealedJSON.unseal(redacted) { _ in nil } == redacted)
    }

    @Test("any message JSONSerialization writes comes back byte for byte", arguments: 0..<40)
    func anyMessage(seed: Int) throws {
        var generator = SeededGenerator(seed: UInt64(seed))
        let keys = ["certno", "psn_name", "infno", "balc", "psn_no", "exp_content", "data", "list", "extData", "x"]
        func value(_ depth: Int) -> Any {
            switch Int.random(in: 0..<(depth > 2 ? 4 : 6), using: &generator) {
            case 0: return "v\\\"\(Int.random(in: 0...999, using: &generator))王\n"
            case 1: return Int.random(in: -99999...99999, using: &generator)
            case 2: return NSNull()
            case 3: return Bool.random(using: &generator)
            case 4: return (0..<Int.random(in: 0...3, using: &generator)).map { _ in value(depth + 1) }
            default:
                return Dictionary((0..<Int.random(in: 0...4, using: &generator)).map { _ in
                    (keys.randomElement(using: &generator)!, value(depth + 1))
                }, uniquingKeysWith: { a, _ in a })
            }
        }
        let message = try JSONSerialization.data(withJSONObject: ["input": value(0), "certno": "x\(seed)"])
        let sealed = try SealedJSON.seal(message, key: key, keyID: "k")
        #expect(try SealedJSON.unseal(sealed) { _ in key } == message)
        #expect(try JSONSerialization.jsonObject(with: sealed) is [String: Any])
    }
}
