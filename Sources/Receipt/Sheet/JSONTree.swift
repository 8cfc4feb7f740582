import Foundation
import TerminalCore

/// A journaled message read as a tree, as loosely as cores write it: any field may be a
/// string, a number, null or absent. Numbers keep their exact decimal text (never a Double),
/// so an amount becomes integer fen through `Money(yuan:)`.
enum JSONTree: Decodable, Sendable {
    case string(String)
    case number(Decimal)
    case bool(Bool)
    case null
    case object([String: JSONTree])
    case array([JSONTree])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null; return }
        if let b = try? c.decode(Bool.self) { self = .bool(b); return }
        if let s = try? c.decode(String.self) { self = .string(s); return }
        if let d = try? c.decode(Decimal.self) { self = .number(d); return }
        if let o = try? c.decode([String: JSONTree].self) { self = .object(o); return }
        self = .array(try c.decode([JSONTree].self))
    }

    /// Parses `data`; nil when it is not JSON.
    static func parse(_ data: Data?) -> JSONTree? {
        guard let data, !data.isEmpty else { return nil }
        return try? JSONDecoder().decode(JSONTree.self, from: data)
    }

    subscript(_ key: String) -> JSONTree? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    /// An object that some gateways write as a JSON-encoded string (`output`).
    var unwrapped: JSONTree {
        if case .string(let s) = self, let inner = JSONTree.parse(Data(s.utf8)), case .object = inner { return inner }
        return self
    }

    var items: [JSONTree] {
        if case .array(let a) = self { return a }
        return []
    }

    /// Text of a string or a number; nil for null, "", objects and arrays.
    var text: String? {
        switch self {
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            return t.isEmpty ? nil : t
        case .number(let d): return d.plainText
        default: return nil
        }
    }

    /// The field's text; nil when absent, null or empty.
    func text(_ key: String) -> String? { self[key]?.text }

    /// The field as an amount in fen; nil when absent, null, empty or not exact yuan.
    func money(_ key: String) -> Money? { text(key).flatMap { Money(yuan: $0) } }

    /// Whether a personal value was erased by redaction (`"~redacted"`).
    static func isRedacted(_ value: String?) -> Bool { value == "~redacted" }
}

extension JSONTree {
    /// The `input` of a journaled request envelope.
    var input: JSONTree? { self["input"]?.unwrapped }
    /// The `output` of a journaled answer envelope.
    var output: JSONTree? { self["output"]?.unwrapped }
}
