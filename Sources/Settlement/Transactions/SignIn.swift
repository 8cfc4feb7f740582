// 9001 签到 and 9002 签退. Field names are the national platform's.

public struct SignInInput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var opter_no: String
        public var mac: String
        public var ip: String
    }
    public var signIn: Body
}

public struct SignInOutput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var sign_time: String
        public var sign_no: String
    }
    public var signinoutb: Body
}

public struct SignOutInput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var sign_no: String
        public var opter_no: String
    }
    public var signOut: Body
}

public struct SignOutOutput: Codable, Sendable {
    public struct Body: Codable, Sendable {
        public var sign_time: String
    }
    public var signoutoutb: Body
}
