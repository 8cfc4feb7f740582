import Foundation
import TerminalCore

/// Read access to a JSON object by the spec's field names. The simulator reads messages
/// this way, independently of the terminal's Codable structs, so a misspelt field in the
/// terminal is refused here as a real core would.
struct JSONObject {
    let raw: [String: Any]

    init(_ raw: [String: Any]) { self.raw = raw }

    init?(data: Data) {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { return nil }
        raw = object
    }

    func string(_ key: String) throws(CoreRefusal) -> String {
        if let s = raw[key] as? String { return s }
        if let n = raw[key] as? NSNumber { return n.stringValue }
        throw CoreRefusal("缺少必填字段或类型错误: \(key)")
    }

    func optionalString(_ key: String) -> String? {
        if let s = raw[key] as? String { return s }
        if let n = raw[key] as? NSNumber { return n.stringValue }
        return nil
    }

    func object(_ key: String) throws(CoreRefusal) -> JSONObject {
        guard let o = raw[key] as? [String: Any] else { throw CoreRefusal("缺少节点: \(key)") }
        return JSONObject(o)
    }

    func array(_ key: String) throws(CoreRefusal) -> [JSONObject] {
        guard let a = raw[key] as? [[String: Any]] else { throw CoreRefusal("缺少节点: \(key)") }
        return a.map(JSONObject.init)
    }

    /// A yuan amount written as a string or a number, with at most two decimals.
    func money(_ key: String) throws(CoreRefusal) -> Money {
        let text = try string(key)
        guard let m = Money(yuan: text) else { throw CoreRefusal("金额格式错误: \(key)=\(text)") }
        return m
    }
}

/// A refusal: `infcode` -1 with the reason in `err_msg`, as the platform answers.
struct CoreRefusal: Error {
    let reason: String
    /// Rejected before processing (envelope or sign-in): not remembered under the msgid.
    let beforeProcessing: Bool
    init(_ reason: String, beforeProcessing: Bool = false) {
        self.reason = reason
        self.beforeProcessing = beforeProcessing
    }
}

/// An amount as recorded cores write it: a JSON number (`12.3`, `0`, `1200`).
func number(_ m: Money) -> Double { Double(m.fen) / 100 }
