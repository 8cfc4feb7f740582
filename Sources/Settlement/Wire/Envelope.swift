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

/// The answer envelope, without its `output`, which is decoded separately by type.
public struct AnswerHeader: Decodable, Sendable {
    /// 0 = success; anything else is a refusal with `err_msg`.
    public var infcode: Int
    public var inf_refmsgid: String?
    public var refmsg_time: String?
    public var respond_time: String?
    public var err_msg: String?
    public var warn_msg: String?

    enum CodingKeys: String, CodingKey {
        case infcode, inf_refmsgid, refmsg_time, respond_time, err_msg, warn_msg
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Some cores write infcode as a string ("0"); accept both.
        if let n = try? c.decode(Int.self, forKey: .infcode) {
            infcode = n
        } else {
            let s = try c.decode(String.self, forKey: .infcode)
            guard let n = Int(s) else {
                throw DecodingError.dataCorruptedError(forKey: .infcode, in: c, debugDescription: "infcode is not a number")
            }
            infcode = n
        }
        inf_refmsgid = try c.decodeIfPresent(String.self, forKey: .inf_refmsgid)
        refmsg_time = try c.decodeIfPresent(String.self, forKey: .refmsg_time)
        respond_time = try c.decodeIfPresent(String.self, forKey: .respond_time)
        err_msg = try c.decodeIfPresent(String.self, forKey: .err_msg)
        warn_msg = try c.decodeIfPresent(String.self, forKey: .warn_msg)
    }
}

struct AnswerOutput<Output: Decodable>: Decodable {
    var output: Output

    enum CodingKeys: String, CodingKey { case output }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        // Transactions whose answer carries nothing may omit `output` or send null.
        if Output.self == Ignored.self, !((try? c.decodeNil(forKey: .output)) == false) {
            output = Ignored() as! Output
        } else {
            output = try c.decode(Output.self, forKey: .output)
        }
    }
}

/// An `output` whose content the terminal does not need (2202, 2203, 2205, 2601).
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

    static func encode<T: Encodable>(_ value: T) throws -> Data { try encoder().encode(value) }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        try JSONDecoder().decode(type, from: data)
    }
}
