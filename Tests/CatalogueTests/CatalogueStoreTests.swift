import Catalogue
import Foundation
import Settlement
import TerminalCore
import Testing

/// The store: versions imported whole or not at all, search for the people at the desk, and
/// fee rows checked before anything is sent.
@Suite("Catalogue store: import, search, fee checks")
struct CatalogueStoreTests {
    let drugs = CatalogueList.named("1301")!
    let now = Date()

    func store() throws -> CatalogueStore {
        try CatalogueStore(path: NSTemporaryDirectory() + "cuntong-cat-\(UUID().uuidString.prefix(8))/catalogue.sqlite")
    }

    static let version1 = [
        CatalogueFixtures.drug("XJ01CAA040E001010101445", "阿莫西林胶囊", pinyin: "AMXLJN", version: "20260101001", level: "2"),
        CatalogueFixtures.drug("XJ01CAA040A001010100002", "阿莫西林片", pinyin: "AMXLP", version: "20260101001", level: "2"),
        CatalogueFixtures.drug("XJ01CRA040E001010100003", "阿莫西林克拉维酸钾片", pinyin: "AMXLKLWSJP", version: "20260101001", level: "2"),
        CatalogueFixtures.drug("XN02BEA049A001010101445", "对乙酰氨基酚片", pinyin: "DYXAJFP", version: "20260101001"),
        CatalogueFixtures.drug("XJ01DCA123A001010100999", "头孢克洛胶囊", pinyin: "TBKLJN", version: "20260101001", valid: "0"),
        CatalogueFixtures.drug("XR05XAC038A001010103217", "复方甘草片", pinyin: "FFGCP", version: "20260101001", to: "2025-12-31"),
    ]

    func imported() async throws -> CatalogueStore {
        let s = try store()
        _ = try await s.importFile(drugs, zip: try CatalogueFixtures.zip(lines: Self.version1), now: now)
        return s
    }

    @Test("A newer version updates rows by their code and adds new ones; the list's version moves on")
    func versions() async throws {
        let s = try await imported()
        let first = try #require(try await s.state("1301"))
        #expect(first.version == "20260101001" && first.rows == 6)
        let r = try await s.importFile(drugs, zip: try CatalogueFixtures.zip(lines: [
            CatalogueFixtures.drug("XJ01CAA040E001010101445", "阿莫西林胶囊（更新）", pinyin: "AMXLJN", version: "20260201001"),
            CatalogueFixtures.drug("XJ01CAA040E001010109999", "阿莫西林颗粒", pinyin: "AMXLKL", version: "20260201001"),
        ]), now: now)
        #expect(r.added == 1 && r.updated == 1 && r.version == "20260201001")
        #expect(try await s.state("1301")?.rows == 7)
        #expect(try await s.entry(code: "XJ01CAA040E001010101445")?.name == "阿莫西林胶囊（更新）")
        // The search index follows the update: the old name is gone, the new one found.
        #expect(try await s.search("更新").map(\.code) == ["XJ01CAA040E001010101445"])
    }

    @Test("A file that fails half way changes nothing: rows, version and search are as before")
    func failedImportChangesNothing() async throws {
        let s = try await imported()
        let good = (0..<3000).map { CatalogueFixtures.drug("XZ\($0)", "新药\($0)号", pinyin: "XY", version: "20260301001") }
        let bad = good + [String(good[0].prefix(40))]
        await #expect(throws: CatalogueError.self) {
            _ = try await s.importFile(drugs, zip: try CatalogueFixtures.zip(lines: bad), now: now)
        }
        let state = try #require(try await s.state("1301"))
        #expect(state.version == "20260101001" && state.rows == 6)
        #expect(try await s.search("新药").isEmpty)
        #expect(try await s.entry(code: "XZ1") == nil)
    }

    @Test("Search: code prefix, any run of the name's characters, pinyin initials; the clinic's items first")
    func search() async throws {
        let s = try await imported()
        #expect(try await s.search("XN02BE").map(\.code) == ["XN02BEA049A001010101445"])
        #expect(try await s.search("乙酰氨").map(\.name) == ["对乙酰氨基酚片"])
        let amxl = try await s.search("amxl").map(\.name)
        #expect(Set(amxl) == ["阿莫西林胶囊", "阿莫西林片", "阿莫西林克拉维酸钾片"])
        // Without a mapping: shorter names first. Mapped: the clinic's item comes first.
        #expect(amxl.first == "阿莫西林片")
        try await s.map(clinicCode: "YP002", clinicName: "阿莫西林胶囊", to: "XJ01CAA040E001010101445", now: now)
        let mapped = try await s.search("amxl")
        #expect(mapped.first?.name == "阿莫西林胶囊" && mapped.first?.clinicItems == ["YP002"])
        // The clinic's own code finds its item too; a kind that is not drugs finds nothing here.
        #expect(try await s.search("YP002").map(\.code) == ["XJ01CAA040E001010101445"])
        #expect(try await s.search("amxl", kind: .service).isEmpty)
        #expect(try await s.search("\" OR 1=1 --").isEmpty)
        let entry = try #require(mapped.first)
        #expect(entry.level == "乙" && entry.kind == "drug" && entry.listType == "101" && entry.validTo == "2099-12-31")
    }

    @Test("Mapping: only to a code the catalogue has; an uploaded mapping removed waits to be revoked")
    func mapping() async throws {
        let s = try await imported()
        await #expect(throws: CatalogueError.self) {
            try await s.map(clinicCode: "YP404", clinicName: nil, to: "XNOTACODE", now: now)
        }
        try await s.map(clinicCode: "YP001", clinicName: "对乙酰氨基酚片", to: "XN02BEA049A001010101445", now: now)
        try await s.markUploaded(clinicCode: "YP001", now: now)
        try await s.unmap(clinicCode: "YP001", now: now)
        #expect(try await s.mappings().map(\.state) == [.revoking])
        #expect(try await s.mapping(forClinicCode: "YP001") == nil)
        // A price list's mapping never replaces a person's.
        try await s.map(clinicCode: "YP002", clinicName: nil, to: "XJ01CAA040A001010100002", now: now)
        try await s.map(clinicCode: "YP002", clinicName: nil, to: "XJ01CAA040E001010101445", source: "price-list", now: now)
        #expect(try await s.mapping(forClinicCode: "YP002")?.hilistCode == "XJ01CAA040A001010100002")
    }

    func fees(_ items: [FeeList.Item]) -> FeeList {
        FeeList(department: .init(code: "A03", name: "全科"), doctor: .init(code: "D001", name: "王医生"),
                diagnosis: .init(code: "J06.900", name: "急性上呼吸道感染"), items: items)
    }

    func item(_ code: String, clinic: String? = nil, price: String = "0.80") -> FeeList.Item {
        FeeList.Item(code: code, clinicCode: clinic, name: "药", category: "drug", unitPrice: Money(yuan: price)!,
                     quantity: Quantity(text: "2")!)
    }

    @Test("Fee rows are refused before anything is sent: unknown, no longer valid, not mapped")
    func refusals() async throws {
        let s = try await imported()
        for (clinic, code) in [("YP002", "XJ01CAA040E001010101445"), ("YP090", "XJ01DCA123A001010100999"), ("YP003", "XR05XAC038A001010103217")] {
            try await s.map(clinicCode: clinic, clinicName: nil, to: code, now: now)
        }
        let check = FeeCheck(store: s)
        let day = "2026-12-03"
        await #expect(throws: FeeRefusal.notInCatalogue(item: "Item 1 (药)", code: "XNOTACODE")) {
            _ = try await check.check(fees([item("XNOTACODE", clinic: "YP404")]), day: day)
        }
        await #expect { _ = try await check.check(fees([item("", clinic: "YP404")]), day: day) } throws: {
            ($0 as? FeeRefusal)?.code == "FEE-NOT-MAPPED"
        }
        await #expect { _ = try await check.check(fees([item("XJ01DCA123A001010100999", clinic: "YP090")]), day: day) } throws: {
            ($0 as? FeeRefusal)?.code == "FEE-EXPIRED"
        }
        await #expect { _ = try await check.check(fees([item("XR05XAC038A001010103217")]), day: day) } throws: {
            ($0 as? FeeRefusal) == .expired(item: "Item 1 (药)", code: "XR05XAC038A001010103217", detail: "valid only until 2025-12-31")
        }
        // In the catalogue but no item of the clinic mapped to it.
        await #expect { _ = try await check.check(fees([item("XN02BEA049A001010101445")]), day: day) } throws: {
            ($0 as? FeeRefusal)?.code == "FEE-NOT-MAPPED"
        }
        // The fee list names one code, the clinic's mapping another.
        await #expect { _ = try await check.check(fees([item("XJ01CAA040A001010100002", clinic: "YP002")]), day: day) } throws: {
            ($0 as? FeeRefusal)?.code == "FEE-NOT-MAPPED"
        }
        // Both codes completed from the mapping: by the clinic's code, or by the catalogue code.
        let ok = try await check.check(fees([item("", clinic: "YP002"), item("XJ01CAA040E001010101445")]), day: day)
        #expect(ok.checked && ok.fees.items.map(\.code) == ["XJ01CAA040E001010101445", "XJ01CAA040E001010101445"])
        #expect(ok.fees.items.map(\.clinicCode) == ["YP002", "YP002"])
        #expect(ok.rows.map(\.level) == ["乙", "乙"])
    }

    @Test("Over the price cap (1318): a warning with the cap, not a refusal; 先自付 (1319) shown per row")
    func priceCapAndSelfPay() async throws {
        let s = try await imported()
        try await s.map(clinicCode: "YP002", clinicName: nil, to: "XJ01CAA040E001010101445", now: now)
        try await s.clearStage(.priceCaps)
        try await s.stage(.priceCaps, rows: [LooseRow(["hilist_code": "XJ01CAA040E001010101445", "hilist_pric_uplmt_amt": "0.60",
                                                       "overlmt_dspo_way": "1", "begndate": "2026-01-01", "rid": "R1",
                                                       "updt_time": "2026-11-01 08:00:00"])], from: 0)
        _ = try await s.applyStage(.priceCaps, now: now)
        try await s.stage(.selfPayRatios, rows: [LooseRow(["hilist_code": "XJ01CAA040E001010101445", "selfpay_prop": "0.1",
                                                           "begndate": "2026-01-01", "rid": "S1"])], from: 0)
        _ = try await s.applyStage(.selfPayRatios, now: now)
        let checked = try await FeeCheck(store: s).check(fees([item("", clinic: "YP002", price: "0.80")]), day: "2026-12-03")
        let row = try #require(checked.rows.first)
        #expect(row.priceCapFen == 60 && row.selfPayRatio == "0.1")
        #expect(row.warning?.contains("over the cap of 0.60 yuan") == true)
        #expect(try await s.state("1318")?.updtTime == "2026-11-01 08:00:00")
        let under = try await FeeCheck(store: s).check(fees([item("", clinic: "YP002", price: "0.50")]), day: "2026-12-03")
        #expect(under.rows.first?.warning == nil)
    }

    @Test("With no catalogue yet, fees pass as they are; the mapping still names the clinic's code")
    func noCatalogue() async throws {
        let s = try store()
        let plain = try await FeeCheck(store: s).check(fees([item("XN02BEA049A001010101445")]), day: "2026-12-03")
        #expect(!plain.checked && plain.fees.items.first?.clinicCode == "XN02BEA049A001010101445")
        try await s.map(clinicCode: "YP001", clinicName: nil, to: "XN02BEA049A001010101445", now: now)
        let mapped = try await FeeCheck(store: s).check(fees([item("XN02BEA049A001010101445")]), day: "2026-12-03")
        #expect(mapped.fees.items.first?.clinicCode == "YP001")
        let none = try await FeeCheck(store: nil).check(fees([item("X1")]), day: "2026-12-03")
        #expect(none.fees.items.first?.clinicCode == "X1")
    }
}
