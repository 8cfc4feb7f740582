import Catalogue
import Foundation
import Testing

/// The catalogue file's pitfalls (../shared/reference/platform-day.md): empty fields kept,
/// `null`, Java dates, columns added by a newer spec, and files that are wrong.
@Suite("Catalogue files: reading the zip of tab-separated text")
struct CatalogueFileTests {
    let drugs = CatalogueList.named("1301")!

    func read(_ url: URL, _ list: CatalogueList? = nil) throws -> ([CatalogueRecord], CatalogueFileReader.Stats) {
        var records: [CatalogueRecord] = []
        let stats = try CatalogueFileReader(list: list ?? drugs).read(zip: url) { records.append($0) }
        return (records, stats)
    }

    @Test("Each kept column comes from its documented place; null is nothing; dates of every shape")
    func columns() throws {
        let url = try CatalogueFixtures.zip(lines: [
            CatalogueFixtures.drug("XJ01CAA040E001010101445", "阿莫西林胶囊", pinyin: "AMXLJN", version: "20261101001",
                                   from: "Mon Dec 28 14:04:04 CST 2020", to: "20991231", level: "2"),
            CatalogueFixtures.line("1301", ["医疗目录编码": "XN02BEA049A001010101445", "药品商品名": "泰诺林", "药品通用名": "null",
                                            "版本号": "20261101001", "开始日期": "2021-03-01 00:00:00"]),
        ])
        let (records, stats) = try read(url)
        #expect(stats.rows == 2 && stats.extraColumns == nil)
        let a = records[0]
        #expect(a.code == "XJ01CAA040E001010101445" && a.key == a.code)
        #expect(a.name == "阿莫西林胶囊" && a.tradeName == nil)
        #expect(a.pinyin == "AMXLJN" && a.version == "20261101001" && a.valid == "1")
        #expect(a.validFrom == "2020-12-28" && a.validTo == "2099-12-31")
        #expect(a.level == "乙" && a.spec == "0.25g" && a.unit == "粒" && a.manufacturer == "华北制药股份有限公司")
        // A generic name of `null`: the trade name is shown instead; nothing else is made up.
        let b = records[1]
        #expect(b.name == "泰诺林" && b.tradeName == "泰诺林" && b.validFrom == "2021-03-01" && b.level == nil && b.pinyin == nil)
    }

    @Test("Empty fields are kept: a row with empty columns in the middle does not shift the later ones")
    func emptyFieldsKeepTheirPlace() throws {
        var line = CatalogueFixtures.drug("XR05XAC038A001010103217", "复方甘草片", pinyin: "FFGCP", version: "7")
        // Empty (not even `null`) values in columns 5–30, as some writers leave them.
        var fields = line.components(separatedBy: "\t")
        for i in 4..<30 where fields[i] == "null" { fields[i] = "" }
        line = fields.joined(separator: "\t")
        let (records, _) = try read(try CatalogueFixtures.zip(lines: [line]))
        #expect(records.first?.pinyin == "FFGCP" && records.first?.version == "7" && records.first?.level == "甲")
    }

    @Test("More columns than documented (a newer spec): the known ones are read, the count noted")
    func extraColumns() throws {
        let url = try CatalogueFixtures.zip(lines: [
            CatalogueFixtures.drug("XA11GAA045T001010100001", "维生素C含片", pinyin: "WSSCHP", version: "1", extra: ["新字段", "x"])],
            lineEnding: "\r\n")
        let (records, stats) = try read(url)
        #expect(records.map(\.name) == ["维生素C含片"])
        #expect(stats.extraColumns == 94)
    }

    @Test("A row with fewer columns is refused, naming the list and the line")
    func shortRow() throws {
        let good = CatalogueFixtures.drug("X1", "甲", pinyin: "J", version: "1")
        let short = good.components(separatedBy: "\t").prefix(50).joined(separator: "\t")
        #expect(throws: CatalogueError.shortRow(list: "1301", line: 2, columns: 50, expected: 92)) {
            _ = try read(try CatalogueFixtures.zip(lines: [good, short]))
        }
    }

    @Test("Text that is not UTF-8 (GBK) is refused with its line")
    func notUTF8() throws {
        var data = Data((CatalogueFixtures.drug("X1", "甲", pinyin: "J", version: "1") + "\n").utf8)
        let gbk = CatalogueFixtures.drug("X2", "NAME", pinyin: "J", version: "1")
        var second = Data(gbk.utf8)
        // 阿莫西林 in GBK.
        second.replaceSubrange(second.range(of: Data("NAME".utf8))!, with: [0xB0, 0xA2, 0xC4, 0xAA, 0xCE, 0xF7, 0xC1, 0xD6])
        data.append(second)
        #expect(throws: CatalogueError.notUTF8(list: "1301", line: 2)) { _ = try read(try CatalogueFixtures.zip(data)) }
    }

    @Test("A zip cut short, or not a zip at all, is refused as damaged")
    func damaged() throws {
        let lines = (0..<2000).map { CatalogueFixtures.drug("X\($0)", "药品\($0)", pinyin: "YP", version: "1") }
        let url = try CatalogueFixtures.zip(lines: lines)
        let whole = try Data(contentsOf: url)
        try whole.prefix(whole.count / 2).write(to: url)
        #expect {
            _ = try read(url)
        } throws: { error in
            guard case .damagedFile(let list, _) = error as? CatalogueError else { return false }
            return list == "1301"
        }
        try Data("{\"infcode\":-1}".utf8).write(to: url)
        #expect(throws: CatalogueError.self) { _ = try read(url) }
    }

    @Test("A row without its code is refused")
    func noKey() throws {
        let line = CatalogueFixtures.line("1301", ["药品通用名": "无编码片", "版本号": "1"])
        #expect(throws: CatalogueError.badRow(list: "1301", line: 1, detail: "has no code in column 1")) {
            _ = try read(try CatalogueFixtures.zip(lines: [line]))
        }
    }

    @Test("Dates as the platform writes them")
    func dates() {
        #expect(PlatformDate.time("Mon Dec 28 14:04:04 CST 2020") == "2020-12-28 14:04:04")
        #expect(PlatformDate.time("Fri Jan 5 09:00:00 CST 2024") == "2024-01-05 09:00:00")
        #expect(PlatformDate.day("2021-03-01 08:00:00") == "2021-03-01")
        #expect(PlatformDate.day("20991231") == "2099-12-31")
        #expect(PlatformDate.time("20261203102030") == "2026-12-03 10:20:30")
        #expect(PlatformDate.day("not a date") == nil)
    }

    @Test("The diagnosis list reads its code from 诊断代码, keyed by its own ID")
    func diagnoses() throws {
        let list = CatalogueList.named("1307")!
        let url = try CatalogueFixtures.zip(lines: [
            CatalogueFixtures.line("1307", ["西医疾病诊断ID": "10086", "诊断代码": "J06.900", "诊断名称": "急性上呼吸道感染",
                                            "有效标志": "1", "版本号": "3"])])
        let (records, _) = try read(url, list)
        #expect(records.first?.key == "10086" && records.first?.code == "J06.900" && records.first?.name == "急性上呼吸道感染")
    }
}
