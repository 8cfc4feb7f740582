import Foundation
import HardwareSim
import Settlement
import TerminalCore
import TestSupport
import Testing

/// What the national platform's rules look like through the local API: a settlement the
/// core confirmed but whose answer cannot be read, and the department's 科别 and the
/// visit's 病种 reaching the messages.
@Suite("Local API and the platform's rules", .serialized, .timeLimit(.minutes(5)))
struct LocalAPIPlatformTests {
    @Test("A confirmed settlement with an unreadable answer: 502 SETTLE-NEEDS-REVIEW, and /v1/status and /v1/journal count it")
    func needsReviewThroughTheAPI() async throws {
        try await withCore(faults: ["bad-output:2207"]) { core in
            let daemon = try await DaemonFixture.start(core: core)
            let api = daemon.api
            let checkin = try await api.post("/v1/checkins", ["idNumber": Fixtures.ouyang])
            let checkinId = try #require(checkin.object()["id"] as? String)
            var body = LocalAPITests.visitHeader
            body["checkinId"] = checkinId
            body["items"] = LocalAPITests.items
            let settled = try await api.post("/v1/settlements", body)
            #expect(settled.status == 502, "\(settled.text)")
            #expect(settled.object()["code"] as? String == "SETTLE-NEEDS-REVIEW")
            #expect((settled.object()["message"] as? String)?.contains("CONFIRMED") == true)

            let queue = try #require((try await api.get("/v1/status").object())["queue"] as? [String: Any])
            #expect(queue["needsReview"] as? Int == 1 && queue["inDoubt"] as? Int == 0)
            let journal = try await api.get("/v1/journal").object()
            #expect(journal["needsReview"] as? Int == 1)
            let visits = try #require(journal["visits"] as? [[String: Any]])
            #expect(visits.first?["state"] as? String == "settled-needs-review")
            #expect(try core.totals().count == 1, "the core keeps the settlement; nothing reversed it")
            #expect(await daemon.stop() == 0)
        }
    }

    @Test("A department's 科别 goes to 2201 caty, a 病种 to 2203/2204 dise_codg; the ICD code stays in diseinfo")
    func departmentAndDiseaseCategory() async throws {
        try await withCore { core in
            let daemon = try await DaemonFixture.start(core: core)
            let api = daemon.api
            let checkin = try await api.post("/v1/checkins", ["idNumber": Fixtures.zhangWei])
            var body: [String: Any] = [
                "checkinId": try #require(checkin.object()["id"] as? String),
                "department": ["code": "MZ01", "name": "门诊部", "caty": "A02"],
                "doctor": ["code": "D001", "name": "王医生"],
                "diagnosis": ["code": "I10.x00", "name": "原发性高血压"],
                "diseaseCategory": ["code": "M03900", "name": "高血压"],
            ]
            body["items"] = LocalAPITests.items
            let settled = try await api.post("/v1/settlements", body)
            #expect(settled.status == 200, "\(settled.text)")
            #expect(await daemon.stop() == 0)

            let journal = try Journal(directory: core.directory + "/daemon")
            func input(_ infno: String) async throws -> [String: Any] {
                let m = try #require(try await journal.messages(limit: 50).first { $0.infno == infno })
                let envelope = try #require(try JSONSerialization.jsonObject(with: m.request) as? [String: Any])
                return try #require(envelope["input"] as? [String: Any])
            }
            await #expect((try input("2201")["data"] as? [String: Any])?["caty"] as? String == "A02")
            await #expect((try input("2201")["data"] as? [String: Any])?["dept_code"] as? String == "MZ01")
            let visitInfo = try await input("2203")
            #expect((visitInfo["mdtrtinfo"] as? [String: Any])?["dise_codg"] as? String == "M03900")
            #expect((visitInfo["diseinfo"] as? [[String: Any]])?.first?["diag_code"] as? String == "I10.x00")
            let rows = try #require(try await input("2204")["feedetail"] as? [[String: Any]])
            #expect(rows.allSatisfy { $0["dise_codg"] as? String == "M03900" }, "every row of one batch carries the same 病种")
        }
    }
}
