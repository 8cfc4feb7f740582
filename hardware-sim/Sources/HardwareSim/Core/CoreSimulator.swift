import Foundation
import GRDB
import TerminalCore

/// The simulated city core: validates the platform envelope, answers each transaction from
/// its own ledger and policy, and answers a repeated msgid with its first answer.
package final class CoreSimulator: Sendable {
    let ledger: CoreLedger
    let persons: [CorePerson]
    let policy: CorePolicy
    let clock: @Sendable () -> Date
    let spec: SpecTables
    package let profile: SimProfile
    let refmsgSerial = Serial()

    package let stateDirectory: String
    /// The generated national catalogue (1301–1307 files, 1312/1318/1319, what 2204 and 3301 check).
    package let catalogue: CatalogueStore
    let dictionaries: CoreDictionaries
    /// The 3202 result file's form: 10 columns (psn_no, mdtrt_id, setl_id, msgid, stmt_rslt,
    /// refd_setl_flag, memo, medfee_sumamt, fund_pay_sumamt, acct_pay) or 7 (psn_no, mdtrt_id,
    /// setl_id, msgid, refd_setl_flag, stmt_rslt, memo). See core/after-the-visit.md.
    package let detailResultColumns: Int

    /// `specPath` defaults to `spec/transactions.json` beside the persons directory, and the
    /// catalogue's column order to `spec/catalogue-files.json`, its approved mappings to
    /// `catalogue/approved-mappings.json`, the 1901 dictionaries to `spec/dictionaries.json`.
    /// `catalogueRows`: rows of the 1301 file (the other lists scale down with it below
    /// 150,000); generated once per machine into `catalogueCache` (default: the temp dir).
    package init(stateDirectory: String, personsDirectory: String, policyPath: String, specPath: String? = nil,
                profile: SimProfile = .national, catalogueRows: Int = 150_000, catalogueCache: String? = nil,
                detailResultColumns: Int = 10, clock: @escaping @Sendable () -> Date = Date.init) throws {
        precondition(detailResultColumns == 10 || detailResultColumns == 7, "3202 result files have 10 or 7 columns")
        self.detailResultColumns = detailResultColumns
        try FileManager.default.createDirectory(atPath: stateDirectory, withIntermediateDirectories: true)
        self.stateDirectory = stateDirectory
        let coreData = (personsDirectory as NSString).deletingLastPathComponent as NSString
        persons = try CorePerson.loadAll(directory: personsDirectory)
        policy = try CorePolicy.load(path: policyPath)
        ledger = try CoreLedger(path: stateDirectory + "/core-ledger.sqlite", persons: persons)
        let specPath = specPath ?? coreData.appendingPathComponent("spec/transactions.json")
        spec = try SpecTables(path: specPath)
        let specDir = (specPath as NSString).deletingLastPathComponent as NSString
        catalogue = try CatalogueStore(layoutPath: specDir.appendingPathComponent("catalogue-files.json"),
                                       drugRows: catalogueRows, cacheRoot: catalogueCache)
        dictionaries = CoreDictionaries(path: specDir.appendingPathComponent("dictionaries.json"))
        self.profile = profile
        self.clock = clock
        try seedMappings(path: coreData.appendingPathComponent("catalogue/approved-mappings.json"))
        catalogue.start()
    }

    static let knownTransactions: Set<String> = [
        "9001", "9002", "1101", "2201", "2202", "2203", "2204", "2205", "2206", "2207", "2208", "2601", "3201",
        "1301", "1302", "1305", "1306", "1307", "1312", "1317", "1318", "1319", "1901", "3301", "3302", "9101", "9102",
        "2001", "5201", "5203", "5204", "5301", "3202"]

    /// Transactions answered from the generated catalogue: the server waits until it is ready.
    package static let catalogueTransactions: Set<String> = [
        "1301", "1302", "1305", "1306", "1307", "1312", "1318", "1319", "2204", "3301", "9102"]

    /// Every settlement with the clinic's visit number (JSON), as `/sim/settlements` serves it.
    package func ledgerSettlements(day: String?) throws -> Data { try ledger.settlements(day: day) }

    /// China time, as the platform writes it.
    package func time(_ date: Date) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// What the server does with one request body: the answer, and whether it is a repeat
    /// of an earlier msgid's.
    package struct Outcome: Sendable {
        package var answer: Data
        package var infno: String
        package var fromCache: Bool
    }

    /// `allowed`: the transactions the path the request came on takes (nil = any).
    package func handle(_ body: Data, allowed: Set<String>? = nil) -> Outcome {
        let received = clock()
        guard let envelope = JSONObject(data: body) else {
            return Outcome(answer: answer(infcode: -1, msgid: "", received: received, error: "报文不是JSON对象", output: nil),
                           infno: "", fromCache: false)
        }
        let msgid = envelope.optionalString("msgid") ?? ""
        let wire = envelope.optionalString("infno") ?? ""
        guard let infno = profile.transaction(ofWire: wire), allowed?.contains(infno) ?? true else {
            // As a real gateway answers a wrong path or infno: a reduced envelope.
            let reduced: [String: Any] = ["type": "error", "infcode": -1, "err_msg": "FSI-交易报文不正确：未知交易编号！"]
            return Outcome(answer: (try? JSONSerialization.data(withJSONObject: reduced)) ?? Data(), infno: wire, fromCache: false)
        }
        do {
            return try ledger.db.write { db in
                if let cached = try Data.fetchOne(db, sql: "SELECT answer FROM message WHERE msgid = ?", arguments: [msgid]) {
                    return Outcome(answer: cached, infno: infno, fromCache: true)
                }
                do {
                    try validateEnvelope(envelope, msgid: msgid, infno: infno, in: db)
                    let input = try envelope.object("input")
                    let output = try process(infno: infno, msgid: msgid, envelope: envelope, input: input, in: db)
                    let data = answer(infcode: 0, msgid: msgid, received: received, error: nil, output: output)
                    try db.execute(sql: "INSERT INTO message (msgid, infno, answer) VALUES (?, ?, ?)", arguments: [msgid, infno, data])
                    return Outcome(answer: data, infno: infno, fromCache: false)
                } catch let refusal as CoreRefusal {
                    let data = answer(infcode: -1, msgid: msgid, received: received, error: refusal.reason, output: nil)
                    if !refusal.beforeProcessing {
                        try db.execute(sql: "INSERT INTO message (msgid, infno, answer) VALUES (?, ?, ?)", arguments: [msgid, infno, data])
                    }
                    return Outcome(answer: data, infno: infno, fromCache: false)
                }
            }
        } catch {
            return Outcome(answer: answer(infcode: -1, msgid: msgid, received: received, error: "中心内部错误: \(error)", output: nil),
                           infno: infno, fromCache: false)
        }
    }

    /// `yyyyMMddHHmmssSSS`, China time, as the spec writes refmsg_time and respond_time.
    package func stamp17(_ date: Date) -> String {
        let ms = Int((date.timeIntervalSince1970 * 1000).rounded(.down)) % 1000
        return time(date).filter(\.isNumber) + String(format: "%03d", ms)
    }

    /// The answer envelope as recorded cores write it: infcode a number, the 30-character
    /// inf_refmsgid (the core's division, the time, a 10-digit serial), 17-digit times,
    /// null for what is not there.
    func answer(infcode: Int, msgid: String, received: Date, error: String?, output: Any?) -> Data {
        let serial = refmsgSerial.next()
        var a: [String: Any] = [
            "infcode": infcode, "inf_refmsgid": "360400" + time(received).filter(\.isNumber) + String(format: "%010lld", serial),
            "refmsg_time": stamp17(received), "respond_time": stamp17(clock()),
            "warn_msg": NSNull(), "cainfo": NSNull(), "signtype": NSNull()]
        a["err_msg"] = error.map { $0 as Any } ?? NSNull()
        a["output"] = output ?? NSNull()
        return (try? JSONSerialization.data(withJSONObject: a, options: [.sortedKeys])) ?? Data()
    }

    func validateEnvelope(_ e: JSONObject, msgid: String, infno: String, in db: Database) throws(CoreRefusal) {
        for field in spec.envelopeRequired where (e.optionalString(field) ?? "").isEmpty {
            throw CoreRefusal("报文缺少必填字段: \(field)", beforeProcessing: true)
        }
        guard e.raw["input"] is [String: Any] else { throw CoreRefusal("报文缺少字段: input", beforeProcessing: true) }
        guard Self.knownTransactions.contains(infno) else { throw CoreRefusal("交易编号不存在: \(infno)", beforeProcessing: true) }
        let infver = e.optionalString("infver") ?? ""
        guard infver == profile.infver else { throw CoreRefusal("接口版本号(infver)错误: \(infver)", beforeProcessing: true) }
        let input = (try? e.object("input")) ?? JSONObject([:])
        // 3301's rows come under `catalogcompin` or `data`, one object or a list: each row is
        // checked as the spec's `data`.
        let checked: [JSONObject] = infno == "3301"
            ? Self.mappingRows(input).map { JSONObject(["data": $0.raw]) } : [input]
        for one in checked {
            if let missing = spec.missing(infno: infno, input: one) {
                throw CoreRefusal("缺少必填字段: \(missing)", beforeProcessing: true)
            }
        }
        // 如果交易输入中含有人员编号，insuplc_admdvs 必填.
        let psnNo = Self.firstValue(of: "psn_no", in: input.raw)
        if psnNo != nil, (e.optionalString("insuplc_admdvs") ?? "").isEmpty {
            throw CoreRefusal("参保地医保区划(insuplc_admdvs)不能为空: 交易输入含人员编号", beforeProcessing: true)
        }
        let insutype = Self.firstValue(of: "insutype", in: input.raw)
            ?? psnNo.flatMap { p in persons.first { $0.psn_no == p }?.insurance.insutype }
        let receiver = e.optionalString("recer_sys_code") ?? ""
        let expected = profile.receiverCode(infno: infno, insutype: insutype)
        guard receiver == expected else {
            throw CoreRefusal("接收方系统代码(recer_sys_code)错误: \(receiver)，应为\(expected)", beforeProcessing: true)
        }
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

    /// The first value of `key` anywhere in a message's input (its nodes and rows).
    static func firstValue(of key: String, in object: Any) -> String? {
        if let o = object as? [String: Any] {
            if let v = JSONObject(o).optionalString(key) { return v }
            for value in o.values { if let v = firstValue(of: key, in: value) { return v } }
        } else if let a = object as? [Any] {
            for value in a { if let v = firstValue(of: key, in: value) { return v } }
        }
        return nil
    }

    func process(infno: String, msgid: String, envelope: JSONObject, input: JSONObject,
                 in db: Database) throws -> Any {
        let code = try envelope.string("fixmedins_code")
        switch infno {
        case "9001": return try signIn(code: code, in: db)
        case "9002": return try signOut(input: input, in: db)
        case "1101": return try personInfo(input: try input.object("data"), in: db)
        case "2201": return try register(input: try input.object("data"), envelope: envelope, code: code, msgid: msgid, in: db)
        case "2202": return try cancelRegistration(input: try input.object("data"), in: db)
        case "2203": return try visitInfo(input: input, in: db)
        case "2204": return try uploadFees(input: input, code: code, msgid: msgid, in: db)
        case "2205": return try cancelFees(input: try input.object("data"), in: db)
        case "2206": return try settle(input: try input.object("data"), envelope: envelope, code: code, msgid: msgid,
                                       commit: false, in: db)
        case "2207": return try settle(input: try input.object("data"), envelope: envelope, code: code, msgid: msgid,
                                       commit: true, in: db)
        case "2208": return try reverseSettlement(input: try input.object("data"), msgid: msgid, in: db)
        case "2601": return try reverseMessage(input: try input.object("data"), msgid: msgid, in: db)
        case "2001": return try benefitCheck(input: try input.object("data"))
        case "5301": return try chronicFilings(input: try input.object("data"))
        case "5201": return try visitQuery(input: try input.object("data"), code: code, in: db)
        case "5203": return try settlementQuery(input: try input.object("data"), code: code, in: db)
        case "5204": return try feeQuery(input: try input.object("data"), code: code, in: db)
        case "3202": return try detailReconcile(input: try input.object("data"), code: code, in: db)
        case "3201": return try reconcile(input: try input.object("data"), code: code, in: db)
        case "1301", "1302", "1305", "1306", "1307": return try catalogueFile(list: infno, input: try input.object("data"))
        case "1312": return try hilistPage(input: try input.object("data"))
        case "1318": return try priceCapPage(input: try input.object("data"))
        case "1319": return try selfpayPage(input: try input.object("data"))
        case "1901": return try dictionary(input: try input.object("data"))
        case "3301": return try uploadMappings(input: input, code: code, in: db)
        case "3302": return try revokeMapping(input: try input.object("data"), code: code, in: db)
        case "1317": return try mappingPage(input: try input.object("data"), code: code, in: db)
        case "9101": return try upload(input: try input.object("fsUploadIn"), code: code, in: db)
        default: throw CoreRefusal("交易编号不存在: \(infno)")
        }
    }

}

/// A counter for the inf_refmsgid serial (the ledger's own counters are taken inside its
/// write transaction, which the answer is built in).
final class Serial: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 0
    func next() -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
