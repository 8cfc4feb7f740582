// 9001 签到 and 9002 签退. Field names are the national platform's.

public struct SignInInput: Encodable, Sendable {
    public struct Body: Encodable, Sendable {
        public var opter_no: String
        public var mac: String
        public var ip: String
    }
    public var signIn: Body
}

public struct SignInOutput: Decodable, Sendable {
    public var sign_no: String
    public var sign_time: String?

    public init(from decoder: any Decoder) throws {
        let body = try WireFields(decoder).object("signinoutb", Body.self)
        sign_no = body.sign_no
        sign_time = body.sign_time
    }

    struct Body: Decodable {
        var sign_no: String
        var sign_time: String?
        init(from decoder: any Decoder) throws {
            let f = try WireFields(decoder)
            sign_no = try f.text("sign_no")
            sign_time = f.optionalText("sign_time")
        }
    }
}

public struct SignOutInput: Encodable, Sendable {
    public struct Body: Encodable, Sendable {
        public var sign_no: String
        public var opter_no: String
    }
    public var signOut: Body
}
