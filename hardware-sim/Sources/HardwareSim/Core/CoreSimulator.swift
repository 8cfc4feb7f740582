import Foundation
import GRDB
import TerminalCore

/// The simulated city core: validates the platform envelope, answers each transaction from
/// its own ledger and policy, and answers a repeated msgid with its first answer.
public final class CoreSimulator: Sendable {
    let ledger: CoreLedger
    let persons: [CorePerson]
    let policy: CorePolicy
    let clock: @Sendable () -> Date

    public init(stateDirectory: String, personsDirectory: String, policyPath: String,
                clock: @escaping @Sendable () -> Date = Date.init) throws {
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        persons = try CorePerson.loadAll(directory: personsDirectory)
        policy = try CorePolicy.load(path: policyPath)
        ledger = try CoreLedger(path: stateDirectory + "/core-ledger.sqlite", persons: persons)
        self.clock = clock
    }

    static let knownTransactions: Set<String> = [
        "9001", "9002", "1101", "2201", "2202", "2203", "2204", "2205", "2206", "2207", "2208", "2601", "3201"]
    static let envelopeFields = [
        "infno", "msgid", "mdtrtarea_admvs", "insuplc_admdvs", "recer_sys_code", "dev_no", "dev_safe_info",
        "cainfo", "signtype", "infver", "opter_type", "opter", "opter_name", "inf_time", "fixmedins_code",
        "fixmedins_name", "sign_no", "input"]

    /// Every settlement with the clinic's visit number (JSON), as `/sim/settlements` serves it.
    public func ledgerSettlements(day: String?) throws -> Data { try ledger.settlements(day: day) }

    /// China time, as the platform writes it.
    public func time(_ date: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// What the server does with one request body: the answer, and whether it is a repeat
    /// of an earlier msgid's.
    public struct Outcome: Sendable {
        public var answer: Data
        public var infno: String
        public var fromCache: Bool
    }

    public func handle(_ body: Data) -> Outcome {
        let received = time(clock())
        guard let envelope = JSONObject(data: body) else {
            return Outcome(answer: answer(infcode: -1, msgid: "", refTime: "", error: "报文不是JSON对象", output: nil),
                           infno: "", fromCache: false)
        }
        let msgid = envelope.optionalString("msgid") ?? ""
        let infno = envelope.optionalString("infno") ?? ""
        let refTime = envelope.optionalString("inf_time") ?? ""
        do {
            return try ledger.db.write { db in
                if let cached = try Data.fetchOne(db, sql: "SELECT answer FROM message WHERE msgid = ?", arguments: [msgid]) {
                    return Outcome(answer: cached, infno: infno, fromCache: true)
                }
                do {
                    try validateEnvelope(envelope, msgid: msgid, infno: infno, in: db)
                    let input = try envelope.object("input")
                    let output = try process(infno: infno, msgid: msgid, envelope: envelope, input: input, in: db)
                    let data = answer(infcode: 0, msgid: msgid, refTime: refTime, error: nil, output: output)
                    try db.execute(sql: "INSERT INTO message (msgid, infno, answer) VALUES (?, ?, ?)", arguments: [msgid, infno, data])
                    return Outcome(answer: data, infno: infno, fromCache: false)
                } catch let refusal as CoreRefusal {
                    let data = answer(infcode: -1, msgid: msgid, refTime: refTime, error: refusal.reason, output: nil)
                    if !refusal.beforeProcessing {
                        try db.execute(sql: "INSERT INTO message (msgid, infno, answer) VALUES (?, ?, ?)", arguments: [msgid, infno, data])
                    }
                    return Outcome(answer: data, infno: infno, fromCache: false)
                }
            }
        } catch {
            return Outcome(answer: answer(infcode: -1, msgid: msgid, refTime: received, error: "中心内部错误: \(error)", output: nil),
                           infno: infno, fromCache: false)
        }
    }

    func answer(infcode: Int, msgid: String, refTime: String, error: String?, output: [String: Any]?) -> Data {
        var a: [String: Any] = [
            "infcode": infcode, "inf_refmsgid": msgid, "refmsg_time": refTime, "respond_time": time(clock()),
            "warn_msg": "", "cainfo": "", "signtype": ""]
        a["err_msg"] = error ?? ""
        a["output"] = output ?? NSNull()
        return (try? JSONSerialization.data(withJSONObject: a, options: [.sortedKeys])) ?? Data()
    }

    func validateEnvelope(_ e: JSONObject, msgid: String, infno: String, in db: Database) throws(CoreRefusal) {
        for field in Self.envelopeFields where e.raw[field] == nil {
            throw CoreRefusal("报文缺少字段: \(field)", beforeProcessing: true)
        }
        guard Self.knownTransactions.contains(infno) else { throw CoreRefusal("交易编号不存在: \(infno)", beforeProcessing: true) }
        let code = try e.string("fixmedins_code")
        guard code.count == 12 else { throw CoreRefusal("定点医药机构编号应为12位", beforeProcessing: true) }
        let digits = msgid.dropFirst(12)
        guard msgid.count == 30, msgid.hasPrefix(code), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw CoreRefusal("报文ID格式错误: 应为机构编号+yyyyMMddHHmmss+4位顺序号", beforeProcessing: true)
        }
        let infTime = try e.string("inf_time")
        guard infTime.count == 19, Array(infTime)[10] == " ", Array(infTime)[4] == "-" else {
            throw CoreRefusal("交易时间格式错误: 应为yyyy-MM-dd HH:mm:ss", beforeProcessing: true)
        }
        if infno != "9001" {
            let signNo = try e.string("sign_no")
            let valid = (try? Bool.fetchOne(db, sql: "SELECT signed_out = 0 FROM sign_in WHERE sign_no = ? AND fixmedins_code = ?",
                                            arguments: [signNo, code])) ?? nil
            guard valid == true else {
                throw CoreRefusal("签到编号(sign_no)无效或已签退，请重新签到(9001)", beforeProcessing: true)
            }
        }
    }

    func person(psnNo: String) -> CorePerson? { persons.first { $0.psn_no == psnNo } }

    func process(infno: String, msgid: String, envelope: JSONObject, input: JSONObject,
                 in db: Database) throws -> [String: Any] {
        let code = try envelope.string("fixmedins_code")
        switch infno {
        case "9001": return try signIn(code: code, in: db)
        case "9002": return try signOut(input: input, in: db)
        case "1101": return try personInfo(input: try input.object("data"), in: db)
        case "2201": return try register(input: try input.object("data"), code: code, msgid: msgid, in: db)
        case "2202": return try cancelRegistration(input: try input.object("data"), in: db)
        case "2203": return try visitInfo(input: input, in: db)
        case "2204": return try uploadFees(input: input, msgid: msgid, in: db)
        case "2205": return try cancelFees(input: try input.object("data"), in: db)
        case "2206": return try settle(input: try input.object("data"), code: code, msgid: msgid, commit: false, in: db)
        case "2207": return try settle(input: try input.object("data"), code: code, msgid: msgid, commit: true, in: db)
        case "2208": return try reverseSettlement(input: try input.object("data"), in: db)
        case "2601": return try reverseMessage(input: try input.object("data"), in: db)
        case "3201": return try reconcile(input: try input.object("data"), code: code, in: db)
        default: throw CoreRefusal("交易编号不存在: \(infno)")
        }
    }

    /// e-credential `ec.query`: a QR code or face token becomes a one-time-use token.
    public func ecQuery(_ body: Data) -> Data {
        func reply(_ code: Int, _ message: String, _ data: [String: Any]?) -> Data {
            var a: [String: Any] = ["code": code, "message": message]
            a["data"] = data ?? NSNull()
            return (try? JSONSerialization.data(withJSONObject: a, options: [.sortedKeys])) ?? Data()
        }
        guard let request = JSONObject(data: body), let data = try? request.object("data") else {
            return reply(-1, "请求格式错误", nil)
        }
        guard request.optionalString("transType") == "ec.query" else { return reply(-1, "不支持的交易类型", nil) }
        guard let device = data.optionalString("deviceSn"), !device.isEmpty else {
            return reply(-1, "扫码设备未准入（缺少设备序列号）", nil)
        }
        let qr = data.optionalString("qrCode"), face = data.optionalString("authCode")
        guard let presented = qr ?? face else { return reply(-1, "缺少二维码或刷脸授权码", nil) }
        let holder = persons.first { qr != nil ? $0.qrCodes.contains(presented) : $0.faceTokens.contains(presented) }
        guard let holder else {
            return reply(-1, qr != nil ? "医保电子凭证二维码无效或已过期" : "刷脸授权码无效或已过期", nil)
        }
        do {
            return try ledger.db.write { db in
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM used_code WHERE code = ?", arguments: [presented]) == true {
                    return reply(-1, qr != nil ? "医保电子凭证二维码已使用，请刷新后重试" : "刷脸授权码已使用", nil)
                }
                try db.execute(sql: "INSERT INTO used_code (code, used_at) VALUES (?, ?)", arguments: [presented, time(clock())])
                let token = "ect\(try CoreLedger.next("ectoken", in: db))" + String(holder.psn_no.suffix(6))
                try db.execute(sql: "INSERT INTO ec_token (token, psn_no, kind) VALUES (?, ?, ?)",
                               arguments: [token, holder.psn_no, qr != nil ? "01" : "05"])
                return reply(0, "成功", [
                    "ecToken": token, "idNo": holder.certno, "idType": "01", "userName": holder.psn_name,
                    "ecIndexNo": "EI" + String(holder.psn_no.suffix(8)), "insuOrg": holder.insurance.insuplc_admdvs])
            }
        } catch {
            return reply(-1, "中心内部错误", nil)
        }
    }
}
