import Foundation

/// The national medical-insurance platform's request envelope: one shape for every
/// transaction, the transaction's body in `input`. Field names are the spec's, exactly.
package struct RequestEnvelope<Input: Encodable & Sendable>: Encodable, Sendable {
    /// Transaction code, e.g. `"2207"`.
    package var infno: String
    /// fixmedins_code + yyyyMMddHHmmss + 4-digit sequence; unique per terminal.
    package var msgid: String
    /// The clinic's admin division (就医地).
    package var mdtrtarea_admvs: String
    /// The patient's insurance division (参保地), when known; empty otherwise.
    package var insuplc_admdvs: String
    /// Receiving system code.
    package var recer_sys_code: String
    package var dev_no: String
    package var dev_safe_info: String
    package var cainfo: String
    package var signtype: String
    package var infver: String
    /// 1 = 经办人 (an operator at the counter).
    package var opter_type: String
    package var opter: String
    package var opter_name: String
    /// `yyyy-MM-dd HH:mm:ss`, China time.
    package var inf_time: String
    package var fixmedins_code: String
    package var fixmedins_name: String
    /// From the day's 9001 sign-in; empty for 9001 itself.
    package var sign_no: String
    package var input: Input
}

/// The answer envelope, without its `output`, which is decoded separately by type. Read
/// as loosely as the outside world writes it: `infcode` as a number or a string, any other
/// field as text, a number, null, or absent.
package struct AnswerHeader: Decodable, Sendable {
    /// 0 = success; anything else is a refusal with `err_msg`.
    package var infcode: Int
    package var inf_refmsgid: String?
    package var refmsg_time: String?
    /// `yyyyMMddHHmmssSSS` in the spec; some cores write `yyyy-MM-dd HH:mm:ss`.
    package var respond_time: String?
    package var err_msg: String?
    package var warn_msg: String?

    package init(from decoder: any Decoder) throws {
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
package struct Ignored: Decodable, Sendable {
    package init() {}
    package init(from decoder: any Decoder) throws {}
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
