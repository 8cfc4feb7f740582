import Catalogue
import Foundation
import Settlement
import TerminalCore
import Testing
import TestSupport

/// `cuntong catalogue …` against the simulated core, which serves the catalogue from the
/// public file layouts (hardware-sim/core/catalogue): what a technician and a script see.
@Suite("Catalogue commands against the simulated core", .timeLimit(.minutes(5)))
struct CatalogueSyncTests {
    func cuntong(_ args: [String], environment: [String: String]? = nil) async throws -> ProcessRunner.Result {
        try await ProcessRunner.run(ProcessRunner.executable("cuntong"), args, environment: environment)
    }

    func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func config(_ core: CoreFixture) throws -> String {
        try core.configFile(extra: #"catalogue = "\#(CoreFixture.root)/hardware-sim/clinic/catalogue.json""#)
    }

    func lists(_ result: ProcessRunner.Result) throws -> [String: [String: Any]] {
        let out = try object(result.stdout)
        let lines = try #require(out["lists"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: lines.map { ($0["list"] as! String, $0) })
    }

    func store(_ core: CoreFixture) throws -> CatalogueStore {
        try CatalogueStore(path: core.directory + "/cli-journal/catalogue.sqlite")
    }

    @Test("sync takes every list, once; status and search answer with the contract's keys")
    func syncStatusSearch() async throws {
        try await withCore { core in
            let config = try config(core)
            let first = try await cuntong(["catalogue", "sync", "--config", config, "--json"])
            #expect(first.status == 0, "\(first.stderr)")
            let synced = try lists(first)
            #expect(Set(synced.keys) == Set(CatalogueSync.defaultLists))
            #expect(synced.values.allSatisfy { $0["ok"] as? Bool == true })
            let drugs = try #require(synced["1301"])
            #expect((drugs["added"] as? Int ?? 0) >= CoreFixture.catalogueRows, "both versions of 1301 imported")
            #expect((drugs["updated"] as? Int ?? 0) > 0, "the second version updates rows of the first")
            // Nothing newer: nothing added or updated, the version kept.
            let again = try lists(try await cuntong(["catalogue", "sync", "--config", config, "--list", "1301,1305", "--json"]))
            #expect(again["1301"]?["added"] as? Int == 0 && again["1301"]?["updated"] as? Int == 0)
            #expect(again["1301"]?["version"] as? String == drugs["version"] as? String)

            let status = try object(try await cuntong(["catalogue", "status", "--config", config, "--json"]).stdout)
            #expect(status["present"] as? Bool == true)
            let rows = (status["lists"] as? [[String: Any]])?.first { $0["list"] as? String == "1301" }
            #expect((rows?["rows"] as? Int ?? 0) >= CoreFixture.catalogueRows && rows?["version"] != nil && rows?["ageSeconds"] != nil)

            let search = try await cuntong(["catalogue", "search", "--config", config, "amxl", "--json"])
            #expect(search.status == 0, "\(search.stderr)")
            let hits = try #require(try JSONSerialization.jsonObject(with: Data(search.stdout.utf8)) as? [[String: Any]])
            let top = try #require(hits.first)
            #expect(Set(top.keys) == ["code", "name", "kind", "listType", "level", "spec", "unit", "manufacturer", "validFrom",
                                      "validTo", "priceCap", "selfPayRatio", "clinicItems"])
            // The clinic's mapped item first (the price list maps YP002 to it), with its cap and 先自付.
            #expect(top["code"] as? String == "XJ01CAA040E001010101445" && (top["name"] as? String)?.hasPrefix("阿莫西林") == true)
            #expect((top["clinicItems"] as? [String])?.contains("YP002") == true)
            #expect(top["priceCap"] as? String == "0.60" && top["selfPayRatio"] != nil && top["kind"] as? String == "drug")
            #expect(hits.count > 1 && hits.dropFirst().allSatisfy { ($0["name"] as? String)?.contains("阿莫西林") == true || $0["clinicItems"] != nil })
            let diagnosis = try await cuntong(["catalogue", "search", "--config", config, "J06.9", "--kind", "diagnosis", "--json"])
            let d = try #require(try JSONSerialization.jsonObject(with: Data(diagnosis.stdout.utf8)) as? [[String: Any]])
            #expect(d.first?["code"] as? String == "J06.900" && d.first?["name"] as? String == "急性上呼吸道感染")
            let text = try await cuntong(["catalogue", "search", "--config", config, "对乙酰氨基酚"])
            #expect(text.stdout.contains("XN02BEA049A001010101445") && text.stdout.contains("clinic: YP001"))
        }
    }

    @Test("kill -9 in the middle of an import: nothing of it is visible; the next sync takes it whole")
    func killedMidImport() async throws {
        try await withCore { core in
            let config = try config(core)
            var environment = ProcessInfo.processInfo.environment
            environment["CUNTONG_CRASH_AT"] = "1301:mid-import"
            let killed = try await cuntong(["catalogue", "sync", "--config", config, "--list", "1301"], environment: environment)
            #expect(killed.signaled && killed.status == SIGKILL)
            let store = try store(core)
            #expect(try await store.state("1301") == nil)
            #expect(try await store.search("amxl").isEmpty)
            let resumed = try await cuntong(["catalogue", "sync", "--config", config, "--list", "1301", "--json"])
            #expect(resumed.status == 0, "\(resumed.stderr)")
            #expect((try await store.state("1301")?.rows ?? 0) >= CoreFixture.catalogueRows)
            #expect(try await store.search("amxl").isEmpty == false)
        }
    }

    @Test("A damaged or refused download fails its list in words and keeps the catalogue as it was",
          arguments: [("zip-truncated:1301", "1301", "CATALOGUE-FILE-DAMAGED"), ("zip-not-utf8:1301", "1301", "CATALOGUE-FILE-NOT-UTF8"),
                      ("zip-short-row:1301", "1301", "CATALOGUE-FILE-SHORT-ROW"), ("reset:9102", "1301", "CORE-BAD-ANSWER"),
                      ("page-fail:1312:2", "1312", "CORE-REFUSED")])
    func faults(fault: String, list: String, code: String) async throws {
        try await withCore { core in
            let config = try config(core)
            // 1312 pages of 200 rows, so that there is a page 2.
            let paged = try core.configFile(extra: "[catalogue]\npage_size = 200")
            await core.setFaults(fault)
            let failed = try await cuntong(["catalogue", "sync", "--config", list == "1312" ? paged : config, "--list", list, "--json"])
            #expect(failed.status == 1)
            let line = try #require(try lists(failed)[list])
            #expect(line["ok"] as? Bool == false && line["code"] as? String == code, "\(line)")
            #expect((line["error"] as? String)?.contains("List \(list)") == true)
            #expect(failed.stderr.contains("list \(list) not synced"))
            #expect(try await store(core).state(list) == nil, "nothing of the list is kept")
            await core.setFaults()
            let ok = try await cuntong(["catalogue", "sync", "--config", list == "1312" ? paged : config, "--list", list, "--json"])
            #expect(ok.status == 0, "\(ok.stderr)")
            #expect((try await store(core).state(list)?.rows ?? 0) > 0)
        }
    }

    @Test("A page answer without `pages` is paged by its `recordCounts`: every page is fetched")
    func pageWithoutPages() async throws {
        try await withCore { core in
            let paged = try core.configFile(extra: "[catalogue]\npage_size = 200")
            await core.setFaults("page-no-pages:1312")
            let result = try await cuntong(["catalogue", "sync", "--config", paged, "--list", "1312", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            let withFault = try await store(core).state("1312")?.rows ?? 0
            #expect(withFault > 200, "more than the first page")
            // The same rows as a sync whose pages all say how many there are (another core: the
            // catalogue is generated the same every time).
            try await withCore { plain in
                let other = try plain.configFile(extra: "[catalogue]\npage_size = 200")
                #expect(try await cuntong(["catalogue", "sync", "--config", other, "--list", "1312"]).status == 0)
                #expect(try await store(plain).state("1312")?.rows == withFault)
            }
        }
    }

    @Test("A visit's fee rows go with the clinic's code and the mapped code; a row the catalogue refuses never leaves")
    func settleChecksFees() async throws {
        try await withCore { core in
            let config = try config(core)
            #expect(try await cuntong(["catalogue", "sync", "--config", config, "--json"]).status == 0)
            let settled = try await cuntong(["settle", "--config", config, "--id-number", Fixtures.zhangWei,
                                             "--fees", Fixtures.feesFile(), "--json"])
            #expect(settled.status == 0, "\(settled.stderr)")
            // 阿莫西林胶囊 at 0.80 a capsule is over the simulated cap of 0.60: said, not refused.
            #expect(settled.stderr.contains("阿莫西林胶囊: unit price 0.80 is over the cap of 0.60 yuan"))
            let journal = try Journal(directory: core.directory + "/cli-journal")
            let upload = try #require(try await journal.messages(limit: 50).first { $0.infno == "2204" })
            let body = try #require(try JSONSerialization.jsonObject(with: upload.request) as? [String: Any])
            let rows = try #require((body["input"] as? [String: Any])?["feedetail"] as? [[String: Any]])
            #expect(rows.map { $0["medins_list_codg"] as? String } == ["YP001", "YP002", "ZL001", "YP900"])
            #expect(rows.first?["med_list_codg"] as? String == "XN02BEA049A001010101445")

            // 头孢克洛胶囊 is withdrawn in the catalogue's second version.
            #expect(try await cuntong(["catalogue", "map", "--config", config, "YP090", "XJ01DCA123A001010100999"]).status == 0)
            let fees = core.directory + "/withdrawn.json"
            try #"{"department": {"code": "A03", "name": "全科"}, "doctor": {"code": "D001", "name": "王医生"}, "diagnosis": {"code": "J06.900", "name": "急性上呼吸道感染"}, "items": [{"clinicCode": "YP090", "name": "头孢克洛胶囊", "category": "drug", "unitPrice": "1.20", "quantity": 6}]}"#
                .write(toFile: fees, atomically: true, encoding: .utf8)
            let visits = try await journal.visits().count
            let refused = try await cuntong(["settle", "--config", config, "--id-number", Fixtures.zhangWei, "--fees", fees])
            #expect(refused.status == 1)
            #expect(refused.stderr.contains("FEE-EXPIRED") && refused.stderr.contains("头孢克洛胶囊"))
            #expect(try await journal.visits().count == visits, "nothing was sent for it")
            // An item of the clinic mapped to nothing.
            try #"{"department": {"code": "A03", "name": "全科"}, "doctor": {"code": "D001", "name": "王医生"}, "diagnosis": {"code": "J06.900", "name": "急性上呼吸道感染"}, "items": [{"clinicCode": "YP404", "name": "自制药", "category": "drug", "unitPrice": "1.00", "quantity": 1}]}"#
                .write(toFile: fees, atomically: true, encoding: .utf8)
            let unmapped = try await cuntong(["settle", "--config", config, "--id-number", Fixtures.zhangWei, "--fees", fees])
            #expect(unmapped.status == 1 && unmapped.stderr.contains("FEE-NOT-MAPPED"))
        }
    }

    @Test("Mappings: map, list, upload (3301), read back from the core (1317), unmap and revoke (3302)")
    func mappings() async throws {
        try await withCore { core in
            let config = try config(core)
            #expect(try await cuntong(["catalogue", "sync", "--config", config, "--list", "1301"]).status == 0)
            let unknown = try await cuntong(["catalogue", "map", "--config", config, "YP010", "XNOTACODE"])
            #expect(unknown.status == 1 && unknown.stderr.contains("not in the downloaded catalogue"))
            let map = try await cuntong(["catalogue", "map", "--config", config, "YP010", "XR05XAC038A001010103217", "--name", "复方甘草片（小包装）"])
            #expect(map.status == 0 && map.stdout.contains("to upload"), "\(map.stderr)")
            let listed = try object(try await cuntong(["catalogue", "mappings", "--config", config, "--json"]).stdout)
            let rows = try #require(listed["mappings"] as? [[String: Any]])
            #expect(rows.contains { $0["itemCode"] as? String == "YP010" && $0["state"] as? String == "local" && $0["source"] as? String == "manual" })
            #expect(rows.contains { $0["itemCode"] as? String == "YP002" && $0["source"] as? String == "price-list" })
            let upload = try await cuntong(["catalogue", "upload", "--config", config])
            #expect(upload.status == 0 && upload.stdout.contains("YP010 → XR05XAC038A001010103217: uploaded (3301)"), "\(upload.stderr)")
            let atCore = try object(try await cuntong(["catalogue", "mappings", "--config", config, "--core", "--json"]).stdout)
            #expect((atCore["mappings"] as? [[String: Any]])?.contains { $0["itemCode"] as? String == "YP010" } == true)
            #expect(try await cuntong(["catalogue", "unmap", "--config", config, "YP010"]).status == 0)
            let revoke = try await cuntong(["catalogue", "upload", "--config", config])
            #expect(revoke.stdout.contains("YP010 → XR05XAC038A001010103217: revoked (3302)"), "\(revoke.stderr)")
            let after = try object(try await cuntong(["catalogue", "mappings", "--config", config, "--core", "--json"]).stdout)
            #expect((after["mappings"] as? [[String: Any]])?.contains { $0["itemCode"] as? String == "YP010" && $0["state"] as? String == "matched" } != true)
        }
    }
}
