import Foundation
import HardwareSim
import Settlement
import TerminalCore
import Testing
import TestSupport

/// The catalogue in the daemon: the daily sync at `[catalogue] sync_at`, `/v1/status`,
/// `/v1/catalogue/search`, and fee rows checked when clinic software uploads them.
@Suite("Catalogue in the daemon", .timeLimit(.minutes(5)))
struct CatalogueDaemonTests {
    /// China time a few seconds from now, as `sync_at` takes it.
    static func chinaTime(inSeconds seconds: Int) -> String {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!
        let c = cal.dateComponents([.hour, .minute, .second], from: Date().addingTimeInterval(TimeInterval(seconds)))
        return String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!)
    }

    @Test("The daily sync runs at its time; status shows the lists; search and fee checks use them")
    func dailySyncSearchAndFees() async throws {
        try await withCore { core in
            let daemon = try await DaemonFixture.start(core: core, extraConfig: """
                catalogue = "\(CoreFixture.root)/hardware-sim/clinic/catalogue.json"
                [catalogue]
                sync_at = "\(Self.chinaTime(inSeconds: 3))"
                sync_spread_minutes = 0
                """)
            let api = daemon.api
            var lists: [[String: Any]] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                let catalogue = try await api.get("/v1/status").object()["catalogue"] as? [String: Any]
                lists = catalogue?["lists"] as? [[String: Any]] ?? []
                if catalogue?["present"] as? Bool == true, lists.contains(where: { $0["list"] as? String == "1901:overlmt_dspo_way" }) { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let drugs = try #require(lists.first { $0["list"] as? String == "1301" }, "\(daemon.log)")
            #expect((drugs["rows"] as? Int ?? 0) >= CoreFixture.catalogueRows && drugs["version"] != nil && drugs["syncedAt"] != nil)
            #expect(daemon.log.contains("catalogue sync done"))

            let search = try await api.get("/v1/catalogue/search?q=amxl&limit=5")
            #expect(search.status == 200, "\(search.text)")
            let results = try #require(try search.object()["results"] as? [[String: Any]])
            #expect(results.count <= 5 && results.first?["code"] as? String == "XJ01CAA040E001010101445")
            #expect((results.first?["clinicItems"] as? [String])?.contains("YP002") == true)
            let none = try await api.get("/v1/catalogue/search?q=%E4%B8%8D%E5%AD%98%E5%9C%A8%E7%9A%84%E8%8D%AF")
            #expect((try none.object()["results"] as? [Any])?.isEmpty == true)

            // Clinic software sends its own item codes; the visit shows what the catalogue says.
            let checkin = try await api.post("/v1/checkins", ["idNumber": Fixtures.ouyang]).object()
            let checkinId = try #require(checkin["id"] as? String)
            let visit = try await api.post("/v1/visits", ["checkinId": checkinId].merging(LocalAPITests.visitHeader) { a, _ in a }).object()
            let visitId = try #require(visit["id"] as? Int)
            let refused = try await api.request("PUT", "/v1/visits/\(visitId)/fees", json: ["items": [
                ["clinicCode": "YP404", "name": "自制药", "category": "drug", "unitPrice": "1.00", "quantity": 1]]])
            #expect(refused.status == 422 && (try refused.object()["code"] as? String) == "FEE-NOT-MAPPED", "\(refused.text)")
            let fees = try await api.request("PUT", "/v1/visits/\(visitId)/fees", json: ["items": [
                ["clinicCode": "YP002", "name": "阿莫西林胶囊", "category": "drug", "unitPrice": "0.80", "quantity": 24],
                ["clinicCode": "ZL001", "name": "一般诊疗费", "category": "service", "unitPrice": "10.00", "quantity": 1]]])
            #expect(fees.status == 200, "\(fees.text)")
            let items = try #require(try fees.object()["items"] as? [[String: Any]])
            #expect(items.map { $0["code"] as? String } == ["XJ01CAA040E001010101445", "001102000010000-110200001"])
            #expect(items.first?["level"] as? String == "乙" && items.first?["priceCap"] as? String == "0.60")
            #expect((items.first?["warning"] as? String)?.contains("over the cap") == true)
            let settled = try await api.post("/v1/visits/\(visitId)/presettle", [:] as [String: Any])
            #expect(settled.status == 200, "\(settled.text)")
            await daemon.stop()
        }
    }
}
