import Foundation
import TestSupport
import ZIPFoundation

/// Catalogue files for the tests, laid out by the column NAMES of the public file layout
/// (hardware-sim/core/spec/catalogue-files.json, written from the integrations' copies of the
/// spec, apart from cuntong's own column table): a column cuntong reads from the wrong place
/// shows up as a wrong value here.
enum CatalogueFixtures {
    struct Layout: Decodable {
        struct File: Decodable {
            struct Column: Decodable { var n: Int; var name: String }
            var columns: [Column]
        }
        var files: [String: File]
    }

    static let layout: Layout = try! JSONDecoder().decode(
        Layout.self, from: Data(contentsOf: URL(fileURLWithPath: CoreFixture.root + "/hardware-sim/core/spec/catalogue-files.json")))

    /// One line of `list`: every documented column `null` but those named in `values`
    /// (by the spec's Chinese column name), plus `extra` columns at the end.
    static func line(_ list: String, _ values: [String: String], extra: [String] = []) -> String {
        let columns = layout.files[list]!.columns
        var fields = Array(repeating: "null", count: columns.count)
        for (name, value) in values {
            guard let c = columns.first(where: { $0.name == name }) else { fatalError("\(list) has no column \(name)") }
            fields[c.n - 1] = value
        }
        return (fields + extra).joined(separator: "\t")
    }

    /// A drug row of 1301.
    static func drug(_ code: String, _ name: String, pinyin: String, version: String, valid: String = "1",
                     from: String = "2020-01-01", to: String = "2099-12-31", level: String = "1", extra: [String] = []) -> String {
        line("1301", ["医疗目录编码": code, "药品通用名": name, "拼音助记码": pinyin, "版本号": version, "有效标志": valid,
                      "开始日期": from, "结束日期": to, "国家医保药品目录甲乙类标识": level, "药品规格": "0.25g",
                      "生产企业名称": "华北制药股份有限公司", "最小制剂单位名称": "粒"], extra: extra)
    }

    /// A zip holding one `.txt` named like the zip, as the platform serves it.
    static func zip(_ text: Data, name: String = "202612030000000000000000001.txt") throws -> URL {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "cuntong-cat-\(UUID().uuidString.prefix(8)).zip")
        let archive = try Archive(url: url, accessMode: .create)
        try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(text.count), compressionMethod: .deflate) { position, size in
            text.subdata(in: Int(position)..<Int(position) + size)
        }
        return url
    }

    static func zip(lines: [String], lineEnding: String = "\n") throws -> URL {
        try zip(Data(lines.joined(separator: lineEnding).appending(lineEnding).utf8))
    }
}
