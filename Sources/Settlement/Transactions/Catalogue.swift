import Foundation
import TerminalCore

// The catalogue transactions (docs/national-platform.md, "The catalogue"; the field tables as
// public integrations copied them: ../shared/reference/platform-day.md):
// 1301–1307 name a file by version, 9102 fetches it; 1312/1317/1318/1319 are pages by update
// time; 1901 is the dictionary; 3301/3302 upload and revoke the clinic's mapping.

/// 1301, 1302, 1305, 1306, 1307: `data.ver` is "0" the first time, then the highest version
/// already stored.
package struct CatalogueVersionInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable { package var ver: String }
    package var data: Body
    package init(ver: String) { data = Body(ver: ver) }
}

/// The file a catalogue download names, directly under `output`. `dld_end_time` is spelt
/// with an underscore here and without one in 9101/3202 (`dld_endtime`): either is read.
/// A core with nothing newer answers with no file or `data_cnt` 0.
package struct CatalogueFileOutput: Decodable, Sendable {
    package var fileQueryNo: String?
    package var filename: String?
    package var downloadBefore: String?
    package var dataCount: Int?

    package init(fileQueryNo: String?, filename: String?, downloadBefore: String? = nil, dataCount: Int?) {
        self.fileQueryNo = fileQueryNo
        self.filename = filename
        self.downloadBefore = downloadBefore
        self.dataCount = dataCount
    }

    package init(from decoder: any Decoder) throws {
        // Some cores wrap it once more (`output.data` or `output.fileinfo`).
        let f = try WireFields(decoder)
        if f.optionalText("file_qury_no") == nil, let inner = try? f.optionalObject("fileinfo", CatalogueFileOutput.self) ?? f.optionalObject("data", CatalogueFileOutput.self) {
            self = inner
            return
        }
        fileQueryNo = f.optionalText("file_qury_no")
        filename = f.optionalText("filename")
        downloadBefore = f.optionalText("dld_end_time") ?? f.optionalText("dld_endtime")
        // A number or a string; one integration's model spells it `data_cn`.
        dataCount = (f.optionalText("data_cnt") ?? f.optionalText("data_cn")).flatMap { Int($0) }
    }

    /// Whether there is a file to fetch.
    package var hasFile: Bool {
        guard let q = fileQueryNo, !q.isEmpty, let n = filename, !n.isEmpty else { return false }
        return dataCount.map { $0 > 0 } ?? true
    }
}

/// 9102: the file named by a 9101/130x/3202 answer. Every public integration asks for a
/// catalogue file with `fixmedins_code` "plc"; for its own files (3202's result) some send
/// the institution.
package struct FileDownloadInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        package var file_qury_no: String
        package var filename: String
        package var fixmedins_code: String
    }
    package var fsDownloadIn: Body
    package init(fileQueryNo: String, filename: String, fixmedinsCode: String) {
        fsDownloadIn = Body(file_qury_no: fileQueryNo, filename: filename, fixmedins_code: fixmedinsCode)
    }
}

/// 1312, 1317, 1318, 1319: rows updated since `updt_time` (a date, yyyy-MM-dd, in the spec
/// tables), one page at a time. `page_num` and `page_size` are numbers (数值型 4); the filters
/// are optional text.
package struct PagedQueryInput: Encodable, Sendable {
    package var updtTime: String
    package var pageNum: Int
    package var pageSize: Int
    package var filters: [String: String]

    package init(updtTime: String, pageNum: Int, pageSize: Int, filters: [String: String] = [:]) {
        self.updtTime = updtTime
        self.pageNum = pageNum
        self.pageSize = pageSize
        self.filters = filters
    }

    package func encode(to encoder: any Encoder) throws {
        var top = encoder.container(keyedBy: FieldKey.self)
        var data = top.nestedContainer(keyedBy: FieldKey.self, forKey: FieldKey("data"))
        try data.encode(updtTime, forKey: FieldKey("updt_time"))
        try data.encode(pageNum, forKey: FieldKey("page_num"))
        try data.encode(pageSize, forKey: FieldKey("page_size"))
        for (k, v) in filters.sorted(by: { $0.key < $1.key }) { try data.encode(v, forKey: FieldKey(k)) }
    }
}

/// A row of a page or a dictionary as text by field name: numbers are taken as their
/// decimal text, `null` and `""` are left out, nested values ignored. The catalogue reads
/// the fields it uses by name and never fails on one it does not.
package struct LooseRow: Decodable, Sendable, Hashable {
    package var fields: [String: String]

    package init(_ fields: [String: String]) { self.fields = fields }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: FieldKey.self)
        var out: [String: String] = [:]
        for key in c.allKeys {
            if let s = try? c.decode(String.self, forKey: key) {
                if !s.isEmpty { out[key.stringValue] = s }
            } else if let d = try? c.decode(Decimal.self, forKey: key) {
                out[key.stringValue] = d.plainText
            } else if let b = try? c.decode(Bool.self, forKey: key) {
                out[key.stringValue] = b ? "1" : "0"
            }
        }
        fields = out
    }

    package subscript(_ name: String) -> String? { fields[name] }
}

/// A page: the paging fields and the rows in `data`. `pages` is what the loop needs; a
/// page without it (and without `recordCounts` to work it out) cannot be paged safely.
package struct PageOutput: Decodable, Sendable {
    package var pageNum: Int?
    package var pages: Int?
    package var recordCounts: Int?
    package var rows: [LooseRow]

    package init(from decoder: any Decoder) throws {
        // One city (Guangzhou's 1318) puts the rows directly under `output`, unpaged.
        if let rows = try? decoder.singleValueContainer().decode([LooseRow].self) {
            self.rows = rows
            pageNum = 1
            pages = 1
            recordCounts = rows.count
            return
        }
        let f = try WireFields(decoder)
        pageNum = f.optionalText("pageNum").flatMap { Int($0) }
        pages = f.optionalText("pages").flatMap { Int($0) }
        recordCounts = f.optionalText("recordCounts").flatMap { Int($0) }
        rows = (try? f.list("data", LooseRow.self)) ?? (try? f.list("list", LooseRow.self)) ?? []
    }
}

/// 1901: one dictionary by `type` on `date`. The validity flag's name differs between
/// integrations (`valiFlag`, `vali_Flag`, `vali_flag`); cuntong sends the spec table's.
package struct DictionaryInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        package var type: String
        package var admdvs: String
        package var date: String
        package var valiFlag: String
    }
    package var data: Body
    package init(type: String, admdvs: String, date: String) { data = Body(type: type, admdvs: admdvs, date: date, valiFlag: "1") }
}

package struct DictionaryOutput: Decodable, Sendable {
    package var list: [LooseRow]
    package init(from decoder: any Decoder) throws {
        let f = try WireFields(decoder)
        list = (try? f.list("list", LooseRow.self)) ?? (try? f.list("data", LooseRow.self)) ?? []
    }
}

/// 3301 目录对照上传: one row of the clinic's own list matched to a catalogue code. The node
/// is `catalogcompin` in some integrations and `data` in others: `[core] profile` decides.
package struct MappingUploadInput: Encodable, Sendable {
    package struct Row: Encodable, Sendable {
        package var fixmedins_hilist_id: String
        package var fixmedins_hilist_name: String
        package var list_type: String
        package var med_list_codg: String
        package var begndate: String
        package var enddate: String?
        package var spec: String?
        package var prcunt: String?
        package var memo: String?
        package init(fixmedins_hilist_id: String, fixmedins_hilist_name: String, list_type: String, med_list_codg: String,
                     begndate: String, enddate: String? = nil, spec: String? = nil, prcunt: String? = nil, memo: String? = nil) {
            self.fixmedins_hilist_id = fixmedins_hilist_id
            self.fixmedins_hilist_name = fixmedins_hilist_name
            self.list_type = list_type
            self.med_list_codg = med_list_codg
            self.begndate = begndate
            self.enddate = enddate
            self.spec = spec
            self.prcunt = prcunt
            self.memo = memo
        }
    }
    package var node: String
    package var row: Row

    package init(node: String, row: Row) {
        self.node = node
        self.row = row
    }

    package func encode(to encoder: any Encoder) throws {
        var top = encoder.container(keyedBy: FieldKey.self)
        try top.encode(row, forKey: FieldKey(node))
    }
}

/// 3302 目录对照撤销.
package struct MappingRevokeInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        package var fixmedins_code: String
        package var fixmedins_hilist_id: String
        package var list_type: String
        package var med_list_codg: String
    }
    package var data: Body
    package init(fixmedinsCode: String, clinicCode: String, listType: String, code: String) {
        data = Body(fixmedins_code: fixmedinsCode, fixmedins_hilist_id: clinicCode, list_type: listType, med_list_codg: code)
    }
}

/// 9101 文件上传: the zip in `in` (Base64 text or a JSON array of signed bytes, by profile), or
/// left out when the file travels as a multipart part.
package struct FileUploadInput: Encodable, Sendable {
    package struct Body: Encodable, Sendable {
        package var `in`: FileBytes?
        package var filename: String
        package var fixmedins_code: String
    }
    package enum FileBytes: Encodable, Sendable {
        case base64(String)
        case signedBytes([Int8])
        package func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch self {
            case .base64(let text): try c.encode(text)
            case .signedBytes(let bytes): try c.encode(bytes)
            }
        }
    }
    package var fsUploadIn: Body
}

/// 9101's answer: the number the file is known by at the core.
package struct FileUploadOutput: Decodable, Sendable {
    package var fileQueryNo: String
    package var filename: String?
    package init(from decoder: any Decoder) throws {
        let f = try WireFields(decoder)
        if f.optionalText("file_qury_no") == nil, let inner = try f.optionalObject("fileinfo", FileUploadOutput.self) {
            self = inner
            return
        }
        fileQueryNo = try f.text("file_qury_no")
        filename = f.optionalText("filename")
    }
}
