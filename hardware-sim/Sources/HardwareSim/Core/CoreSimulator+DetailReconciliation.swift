import Foundation
import GRDB
import TerminalCore
import ZIPFoundation

/// 3202 医药机构费用结算对明细账: the terminal uploads its detail file with 9101 (a zip with one
/// .txt, no header, tab-separated: setl_id, mdtrt_id, psn_no, medfee_sumamt, fund_pay_sumamt,
/// acct_pay, refd_setl_flag — S-117-John/nhis-web `InsQgRecService.saveDetailedCheck`,
/// newtouch-cloud/openhis-itaii `Financial3202FileParam.java`), names it in 3202, and fetches
/// the result with 9102 (`output.fileinfo`). The result is compared with the ledger's rows of
/// that institution, clearing agency and days.
extension CoreSimulator {
    /// One row of the terminal's file.
    struct DetailRow {
        var line: Int
        var setlId, mdtrtId, psnNo: String
        var total, fund, acct: Money
        var refunded: String
    }

    func detailReconcile(input: JSONObject, code: String, in db: Database) throws -> [String: Any] {
        let optins = try input.string("setl_optins"), number = try input.string("file_qury_no")
        let from = try input.string("stmt_begndate"), to = try input.string("stmt_enddate")
        for key in ["medfee_sumamt", "fund_pay_sumamt", "cash_payamt"] { _ = try input.money(key) }
        guard Int(try input.string("fixmedins_setl_cnt")) != nil else { throw CoreRefusal("定点医药机构结算笔数(fixmedins_setl_cnt)应为整数") }
        guard let upload = try Row.fetchOne(db, sql: "SELECT * FROM upload_file WHERE file_qury_no = ?", arguments: [number]) else {
            throw CoreRefusal("文件查询号不存在: \(number)，请先用9101上传对账明细文件")
        }
        guard upload["fixmedins_code"] as String == code else { throw CoreRefusal("文件查询号\(number)不是本机构上传的文件") }
        let rows = try Self.detailRows(Data(contentsOf: URL(fileURLWithPath: upload["path"])))

        var sql = "SELECT * FROM settlement WHERE fixmedins_code = ? AND day >= ? AND day <= ? AND clr_optins = ?"
        var args: [any DatabaseValueConvertible] = [code, from, to, optins]
        if let clrType = input.optionalString("clr_type"), !clrType.isEmpty { sql += " AND clr_type = ?"; args.append(clrType) }
        let ours = try Row.fetchAll(db, sql: sql + " ORDER BY setl_id", arguments: StatementArguments(args))
        // refd_setl_flag 0 (不包含退费数据): the file need not hold refunds or refunded settlements;
        // when it does, they are compared all the same.
        let refundsRequired = input.optionalString("refd_setl_flag") != "0"

        var theirs: [String: DetailRow] = [:]
        var extra: [DetailRow] = []
        var duplicates: [DetailRow] = []
        for r in rows {
            if theirs[r.setlId] == nil { theirs[r.setlId] = r } else { duplicates.append(r) }
        }
        var lines: [[String?]] = []
        func yuan(_ fen: Int64) -> String { Money(fen: fen).yuan }
        for s in ours {
            let setlId: String = s["setl_id"], flag: String = s["refd_setl_flag"]
            let result: (String, String?)
            if let t = theirs.removeValue(forKey: setlId) {
                var differences: [String] = []
                if t.mdtrtId != s["mdtrt_id"] as String { differences.append("就诊ID不一致: 中心\(s["mdtrt_id"] as String)，机构\(t.mdtrtId)") }
                if t.psnNo != s["psn_no"] as String { differences.append("人员编号不一致: 中心\(s["psn_no"] as String)，机构\(t.psnNo)") }
                for (name, key, amount) in [("医疗费总额", "total", t.total), ("基金支付总额", "fund", t.fund), ("个人账户支出", "acct", t.acct)]
                where amount.fen != s[key] as Int64 {
                    differences.append("\(name)不一致: 中心\(yuan(s[key])), 机构\(amount.yuan)")
                }
                if t.refunded != flag { differences.append("退费结算标志不一致: 中心\(flag)，机构\(t.refunded)") }
                result = differences.isEmpty ? ("0", nil) : ("3", differences.joined(separator: "；"))
            } else if !refundsRequired && (flag == "1" || s["state"] as String != "settled") {
                continue
            } else {
                result = ("1", "中心有此结算，医药机构对账明细文件中无此结算")
            }
            lines.append(row(psnNo: s["psn_no"], mdtrtId: s["mdtrt_id"], setlId: setlId, msgid: s["msgid"], result: result,
                             flag: flag, amounts: [yuan(s["total"]), yuan(s["fund"]), yuan(s["acct"])]))
        }
        for r in rows where theirs[r.setlId]?.line == r.line { extra.append(r) }
        for r in extra {
            let known = try String.fetchOne(db, sql: "SELECT day FROM settlement WHERE setl_id = ? AND fixmedins_code = ?",
                                            arguments: [r.setlId, code])
            let memo = known.map { "中心该结算的结算日期为\($0)或清算机构不同，不在本次对账范围内" } ?? "医药机构有此结算，中心无此结算"
            lines.append(row(psnNo: r.psnNo, mdtrtId: r.mdtrtId, setlId: r.setlId, msgid: nil, result: ("2", memo),
                             flag: r.refunded, amounts: [nil, nil, nil]))
        }
        for r in duplicates {
            lines.append(row(psnNo: r.psnNo, mdtrtId: r.mdtrtId, setlId: r.setlId, msgid: nil,
                             result: ("3", "对账明细文件第\(r.line)行结算ID重复"), flag: r.refunded, amounts: [nil, nil, nil]))
        }
        let text = lines.map { $0.map { $0 ?? "null" }.joined(separator: "\t") + "\n" }.joined()
        return ["fileinfo": try storeResult(text, in: db)]
    }

    /// One result line in the simulator's column form (`detailResultColumns`).
    private func row(psnNo: String, mdtrtId: String, setlId: String, msgid: String?, result: (String, String?),
                     flag: String, amounts: [String?]) -> [String?] {
        detailResultColumns == 7
            ? [psnNo, mdtrtId, setlId, msgid, flag, result.0, result.1]
            : [psnNo, mdtrtId, setlId, msgid, result.0, flag, result.1] + amounts
    }

    /// The terminal's file: one .txt in a zip, UTF-8 (a BOM tolerated), LF or CR LF, 7
    /// tab-separated columns, a trailing tab tolerated, blank lines skipped.
    static func detailRows(_ zip: Data) throws -> [DetailRow] {
        guard let archive = try? Archive(data: zip, accessMode: .read, pathEncoding: nil) else { throw CoreRefusal("对账明细文件不是有效的zip压缩包") }
        guard let entry = archive.first(where: { $0.type == .file && $0.path.lowercased().hasSuffix(".txt") }) else {
            throw CoreRefusal("对账明细压缩包中没有.txt文件")
        }
        var bytes = Data()
        _ = try archive.extract(entry) { bytes.append($0) }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(data: bytes, encoding: .utf8) else { throw CoreRefusal("对账明细文件应为UTF-8编码") }
        var rows: [DetailRow] = []
        // "\r\n" is one Character in Swift: split on any newline.
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = String(rawLine)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            var fields = line.split(separator: "\t", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            if fields.count == 8, fields[7].isEmpty { fields.removeLast() }
            guard fields.count == 7 else {
                throw CoreRefusal("对账明细文件第\(index + 1)行格式错误: 应为7列(结算ID、就诊ID、人员编号、医疗费总额、基金支付总额、个人账户支出、退费结算标志)，实为\(fields.count)列")
            }
            guard let total = Money(yuan: fields[3]), let fund = Money(yuan: fields[4]), let acct = Money(yuan: fields[5]) else {
                throw CoreRefusal("对账明细文件第\(index + 1)行金额格式错误")
            }
            guard ["0", "1"].contains(fields[6]) else { throw CoreRefusal("对账明细文件第\(index + 1)行退费结算标志应为0或1: \(fields[6])") }
            guard !fields[0].isEmpty else { throw CoreRefusal("对账明细文件第\(index + 1)行缺少结算ID") }
            rows.append(DetailRow(line: index + 1, setlId: fields[0], mdtrtId: fields[1], psnNo: fields[2], total: total,
                                  fund: fund, acct: acct, refunded: fields[6]))
        }
        return rows
    }

    /// Zips the result as `result.txt` (as nhis-web reads it) under the ledger directory and
    /// registers it for 9102.
    private func storeResult(_ text: String, in db: Database) throws -> [String: Any] {
        let now = clock()
        let number = "360400" + time(now).filter(\.isNumber) + String(format: "%010lld", try CoreLedger.next("upload", in: db))
        let directory = stateDirectory + "/uploads"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let txt = URL(fileURLWithPath: directory + "/\(number)-result.txt")
        try Data(text.utf8).write(to: txt)
        defer { try? FileManager.default.removeItem(at: txt) }
        let filename = "\(number).zip"
        let path = directory + "/\(number)-\(filename)"
        try ZipWriter.zip(file: txt, entryName: "result.txt", to: URL(fileURLWithPath: path))
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        try db.execute(sql: """
            INSERT INTO upload_file (file_qury_no, filename, fixmedins_code, path, size, uploaded) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [number, filename, "core", path, size, time(now)])
        return ["file_qury_no": number, "filename": filename, "dld_endtime": time(now.addingTimeInterval(86_400))]
    }
}

/// Makes a zip of one entry in memory, for tests that upload files (9101).
package enum ZipMaking {
    package static func single(name: String, bytes: Data) throws -> Data {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cuntong-zip-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("entry"), zip = directory.appendingPathComponent("out.zip")
        try bytes.write(to: file)
        try ZipWriter.zip(file: file, entryName: name, to: zip)
        return try Data(contentsOf: zip)
    }
}
