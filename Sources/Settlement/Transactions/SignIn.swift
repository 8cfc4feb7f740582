// 9001 签到 and 9002 签退. Field names are the national platform's.

package struct SignInInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        package var opter_no: String
        package var mac: String
        package var ip: String
    }
    package var signIn: Body
}

package struct SignInOutput: Decodable, Sendable {
    package var sign_no: String
    package var sign_time: String?

    package init(from decoder: any Decoder) throws {
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

package struct SignOutInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        package var sign_no: String
        package var opter_no: String
    }
    package var signOut: Body
}
