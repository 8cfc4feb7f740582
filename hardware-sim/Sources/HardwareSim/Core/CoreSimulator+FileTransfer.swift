import Foundation
import GRDB

/// 9101 文件上传 and 9102 文件下载.
extension CoreSimulator {
    /// 9101: `fsUploadIn{in, filename, fixmedins_code}`, `in` the zip as a JSON array of
    /// (signed) bytes or a Base64 string (a multipart upload reaches here with its `file` part
    /// put in `in` as Base64). Stored under the ledger directory; answered with the number
    /// 9102 (and 3202) name it by.
    func upload(input: JSONObject, code: String, in db: Database) throws -> [String: Any] {
        let filename = try input.string("filename")
        let bytes: Data
        if let array = input.raw["in"] as? [Any] {
            var out = Data(capacity: array.count)
            for element in array {
                guard let n = element as? NSNumber, (-128...255).contains(n.intValue) else {
                    throw CoreRefusal("文件内容(in)应为字节数组")
                }
                out.append(UInt8(truncatingIfNeeded: n.intValue))
            }
            bytes = out
        } else if let text = input.raw["in"] as? String, let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters) {
            bytes = data
        } else {
            throw CoreRefusal("缺少文件内容(in)或格式错误")
        }
        guard let entries = ZipWriter.entries(of: bytes), !entries.isEmpty else {
            throw CoreRefusal("上传文件不是有效的zip压缩包: \(filename)")
        }
        let now = clock()
        let number = "360400" + time(now).filter(\.isNumber) + String(format: "%010lld", try CoreLedger.next("upload", in: db))
        let directory = stateDirectory + "/uploads"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let safeName = (filename as NSString).lastPathComponent.replacingOccurrences(of: "..", with: "_")
        let path = directory + "/\(number)-\(safeName)"
        try bytes.write(to: URL(fileURLWithPath: path), options: .atomic)
        try db.execute(sql: """
            INSERT INTO upload_file (file_qury_no, filename, fixmedins_code, path, size, uploaded) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [number, filename, input.optionalString("fixmedins_code") ?? code, path, bytes.count, time(now)])
        return ["file_qury_no": number, "filename": filename, "dld_endtime": time(now.addingTimeInterval(86_400))]
    }

    /// What a 9102 request gets: a file to stream, or a JSON refusal.
    package enum Download: Sendable {
        case refusal(Data)
        /// `list`: the catalogue list the file belongs to (its faults are named by it).
        case file(path: String, filename: String, list: String?)
    }

    /// 9102: `fsDownloadIn{file_qury_no, filename, fixmedins_code}` ("plc" for catalogue
    /// files). `variant` picks a broken copy of a catalogue file (the zip-… faults).
    package func download(_ body: Data, variant: (String) -> CatalogueStore.Variant = { _ in .normal }) -> Download {
        let received = clock()
        guard let envelope = JSONObject(data: body) else {
            return .refusal(answer(infcode: -1, msgid: "", received: received, error: "报文不是JSON对象", output: nil))
        }
        let msgid = envelope.optionalString("msgid") ?? ""
        do {
            try ledger.db.read { db in try validateEnvelope(envelope, msgid: msgid, infno: "9102", in: db) }
            let request = try envelope.object("input").object("fsDownloadIn")
            let number = try request.string("file_qury_no")
            if let entry = try catalogue.entry(fileQuryNo: number) {
                let path = try catalogue.zipPath(entry, variant: variant(entry.list))
                return .file(path: path, filename: entry.filename, list: entry.list)
            }
            if let row = try ledger.db.read({ db in
                try Row.fetchOne(db, sql: "SELECT * FROM upload_file WHERE file_qury_no = ?", arguments: [number])
            }) {
                return .file(path: row["path"], filename: row["filename"], list: nil)
            }
            throw CoreRefusal("文件查询号不存在或文件已过期: \(number)")
        } catch let refusal as CoreRefusal {
            return .refusal(answer(infcode: -1, msgid: msgid, received: received, error: refusal.reason, output: nil))
        } catch {
            return .refusal(answer(infcode: -1, msgid: msgid, received: received, error: "中心内部错误: \(error)", output: nil))
        }
    }
}
