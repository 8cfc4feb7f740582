import Foundation

/// The documented column order of each catalogue file, read from
/// `hardware-sim/core/spec/catalogue-files.json` (written from the public integrations:
/// newtouch-cloud/openhis OutputDownload13.cs and the VOs beside it; see that file's sources).
/// The generator fills columns by their platform field name (`med_list_codg`, `ver`, …), so the
/// row follows whatever order that file documents.
struct CatalogueLayout: Sendable {
    let list: String
    let title: String
    /// Field names in column order (1-based column n = fields[n-1]).
    let fields: [String]
    /// Columns a newer spec version appends (written after the documented ones).
    let extra: [String]
    let index: [String: Int]

    var columnCount: Int { fields.count + extra.count }

    /// The lists served: 1301 西药中成药, 1302 中药饮片, 1305 医疗服务项目, 1306 医用耗材, 1307 疾病与诊断.
    static let lists = ["1301", "1302", "1305", "1306", "1307"]

    /// list_type (字典 list_type) of the items of each list, as 1312 and 3301 carry it.
    static let listType = ["1301": "101", "1302": "102", "1305": "201", "1306": "301"]

    init(list: String, title: String, fields: [String], extra: [String] = []) {
        self.list = list
        self.title = title
        self.fields = fields
        self.extra = extra
        var index: [String: Int] = [:]
        for (i, f) in (fields + extra).enumerated() where index[f] == nil { index[f] = i }
        self.index = index
    }

    /// Loads every list's layout. 1301 gets one trailing column more than documented, as a
    /// newer spec version adds (a client must keep the known columns and not fail).
    static func load(path: String) throws -> [String: CatalogueLayout] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any] ?? [:]
        let files = object["files"] as? [String: Any] ?? [:]
        var layouts: [String: CatalogueLayout] = [:]
        for list in lists {
            guard let file = files[list] as? [String: Any], let columns = file["columns"] as? [[String: Any]] else {
                throw CatalogueError("\(path): no columns for \(list)")
            }
            let sorted = columns.sorted { ($0["n"] as? Int ?? 0) < ($1["n"] as? Int ?? 0) }
            let fields = sorted.enumerated().map { i, c in (c["field"] as? String) ?? "col\(i + 1)" }
            layouts[list] = CatalogueLayout(list: list, title: file["title"] as? String ?? list, fields: fields,
                                            extra: list == "1301" ? ["drug_trac_flag"] : [])
        }
        return layouts
    }

    /// A row of this layout: every column the literal `null` until set.
    func emptyRow() -> [String] { Array(repeating: "null", count: columnCount) }
}

struct CatalogueError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// One row being filled by field name.
struct CatalogueRow {
    var values: [String]
    let layout: CatalogueLayout
    init(_ layout: CatalogueLayout) {
        self.layout = layout
        values = layout.emptyRow()
    }
    subscript(field: String) -> String {
        get { layout.index[field].map { values[$0] } ?? "null" }
        set { if let i = layout.index[field] { values[i] = newValue } }
    }
}

/// What the core knows of one catalogue item beyond its file row: the 1312 / 1318 / 1319 row
/// and what 2204 and 3301 check against.
struct CatalogueItem: Sendable {
    var list: String
    var code: String
    var name: String
    var chrgitmType: String
    /// 01 甲 / 02 乙 / 03 丙.
    var level: String
    var lmtUsed: String
    var wubi: String
    var pinyin: String
    /// yyyy-MM-dd HH:mm:ss.
    var begin: String
    var end: String?
    var valid: Bool
    var rid: String
    var updated: String
    var ver: String
    /// 1318: price cap (yuan, 16,2), nil = none.
    var cap: String?
    /// 1319: 先自付比例, nil = none.
    var selfpay: String?
}
