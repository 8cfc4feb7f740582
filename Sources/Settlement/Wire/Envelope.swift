import Foundation

/// The national medical-insurance platform's request envelope: one shape for every
/// transaction, the transaction's body in `input`. Field names are the spec's, exactly.
public struct RequestEnvelope<Input: Encodable & Sendable>: Encodable, Sendable {
    /// Transaction code, e.g. `"2207"`.
    public var infno: String
    /// fixmedins_code + yyyyMMddHHmmss + 4-digit sequence; unique per terminal.
    public var msgid: String
    /// The clinic's admin division (就医地).
    public var mdtrtarea_admvs: String
    /// The patient's insurance division (参保地), when known; empty otherwise.
    public var insuplc_admdvs: String
    /// Receiving system code.
    public var recer_sys_code: String
    public var dev_no: String
    public var dev_safe_info: String
    public var cainfo: String
    public var signtype: String
    public var infver: String
    /// 1 = 经办人 (an operator at the counter).
    public var opter_type: String
    public var opter: String
    public var opter_name: String
    /// `yyyy-MM-dd HH:mm:ss`, China time.
    public var inf_time: String
    public var fixmedins_code: String
    public var fixmedins_name: String
    /// From the day's 9001 sign-in; empty for 9001 itself.
    public var sign_no: String
    public var input: Input
}

/// The answer envelope, without its `output`, which is decoded separately by type. Read
/// as loosely as the outside world writes it: `infcode` as a number or a string, any other
/// field as text, a number, null, or absent.
public struct AnswerHeader: Decodable, Sendable {
    /// 0 = success; anything else is a refusal with `err_msg`.
    public var infcode: Int
    public var inf_refmsgid: String?
    public var refmsg_time: String?
    /// `yyyyMMddHHmmssSSS` in the spec; some cores write `yyyy-MM-dd HH:mm:ss`.
    public var respond_time: String?
    public var err_msg: String?
    public var warn_msg: String?

    public init(from decoder: any Decoder) throws {
        let f = try WireFields(decoder)
        let code = try f.text("infcode")
        guard let n = Int(code) else {
            throw DecodingError.dataCorrupted(.init(codingPath: [FieldKey("infcode")],
                                                    debugDescription: "infcode is not a number: \(code)"))
        }
        infcode = n
        inf_refmsgid = f.optionalText("inf_refmsgid")
        refmsg_time = f.optionalText("refmsg_time")
        respond_time = f.optionalText("respond_time")
        err_msg = f.optionalText("err_msg")
        warn_msg = f.optionalText("warn_msg")
    }
}

struct AnswerOutput<Output: Decodable>: Decodable {
    var output: Output

    init(from decoder: any Decoder) throws {
        let f = try WireFields(decoder)
        // Transactions whose answer carries nothing may omit `output` or send null.
        if Output.self == Ignored.self {
            output = Ignored() as! Output
        } else if let text = f.optionalText("output") {
            // Some gateways pass `output` on as a JSON-encoded string.
            output = try WireJSON.decode(Output.self, from: Data(text.utf8))
        } else {
            output = try f.object("output")
        }
    }
}

/// An `output` whose content the terminal does not need (2202, 2203, 2205, 2601, 9002).
public struct Ignored: Decodable, Sendable {
    public init() {}
    public init(from decoder: any Decoder) throws {}
}

/// JSON coding as the platform writes it: keys as declared, no escaping of `/`, sorted
/// keys so that a journaled message is byte-for-byte the same when re-sent.
enum WireJSON {
    static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }

    /// Encodes a request; `WireNumber`s come out as bare JSON numbers with their exact text.
    static func encode<T: Encodable>(_ value: T) throws -> Data { try writeNumbersBare(encoder().encode(value)) }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }
}
