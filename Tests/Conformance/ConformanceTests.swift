import Catalogue
import Foundation
import HardwareSim
@testable import Settlement
import TerminalCore
import TestSupport
import Testing
import ZIPFoundation

/// The national platform as the public record writes it (Tests/Conformance/corpus, the spec
/// tables in hardware-sim/core/spec): every answer a real core may send is read, and every
/// request cuntong builds is what the tables ask for, in every shipped province profile.
@Suite("Conformance with the national platform's interface", .serialized, .timeLimit(.minutes(5)))
struct ConformanceTests {
    static let corpus = CoreFixture.root + "/Tests/Conformance/corpus"

    func answer(_ infno: String, _ name: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: "\(Self.corpus)/\(infno)/\(name).json"))
    }

    func decode<O: Decodable>(_ infno: String, _ name: String, as type: O.Type) throws -> O {
        let data = try answer(infno, name)
        let header = try WireJSON.decode(AnswerHeader.self, from: data)
        #expect(header.infcode == 0, "\(infno)/\(name)")
        return try WireJSON.decode(AnswerOutput<O>.self, from: data).output
    }

    @Test("Every transaction cuntong sends has a request and at least two answers in the corpus")
    func corpusCoversEveryTransaction() throws {
        let files = FileManager.default
        for t in Transaction.allCases {
            let dir = "\(Self.corpus)/\(t.infno)"
            let names = (try? files.contentsOfDirectory(atPath: dir)) ?? []
            #expect(names.contains("request.json"), "\(t.infno) \(t.title) has no request")
            #expect(names.filter { $0.hasPrefix("answer-") }.count >= 2, "\(t.infno) \(t.title) has fewer than two answers")
        }
    }

    @Test("The corpus requests follow the spec tables (the checker agrees with the tables)")
    func corpusRequests() throws {
        let table = try SpecTable()
        for t in Transaction.allCases {
            let request = try Data(contentsOf: URL(fileURLWithPath: "\(Self.corpus)/\(t.infno)/request.json"))
            #expect(table.problems(infno: t.infno, request: request) == [], "\(t.infno)")
        }
        // And the checker catches what a core refuses.
        let bad = Data(#"{"infno":"2204","msgid":"H36040200017202612010905000001","mdtrtarea_admvs":"360402","insuplc_admdvs":"","recer_sys_code":"YBXT","infver":"V1.0","opter_type":"1","opter":"D001","opter_name":"王医生","inf_time":"2026-12-01 09:05:00","fixmedins_code":"H36040200017","fixmedins_name":"x","input":{"feedetail":[{"feedetl_sn":"1","mdtrt_id":"M1","psn_no":"P1","chrg_bchno":"B1","rx_circ_flag":"0","fee_ocur_time":"2026-12-01 09:02:00","med_list_codg":"X","medins_list_codg":"X","det_item_fee_sumamt":"7.00","cnt":20,"pric":0.3512345,"bilg_dept_codg":"A02","bilg_dept_name":"全科","bilg_dr_codg":"D001","bilg_dr_name":"王医生"}]}}"#.utf8)
        let problems = try SpecTable().problems(infno: "2204", request: bad)
        #expect(problems.contains("feedetail[0].det_item_fee_sumamt must be a JSON number, not text"))
        #expect(problems.contains("feedetail[0].pric 0.3512345 has more than 6 decimals"))
        #expect(problems.contains("feedetail[0].hosp_appr_flag is required"))
        #expect(problems.contains("insuplc_admdvs is empty although the input carries psn_no"))
    }

    @Test("Answers as real cores send them are read: numbers or strings, nulls, fields left out")
    func answersDecode() throws {
        #expect(try decode("9001", "answer-full", as: SignInOutput.self).sign_no == "680003")
        #expect(try decode("9001", "answer-sparse", as: SignInOutput.self).sign_no == "680004")
        for name in ["answer-full", "answer-sparse"] {
            _ = try decode("9002", name, as: Ignored.self)
            _ = try decode("2202", name, as: Ignored.self)
            _ = try decode("2203", name, as: Ignored.self)
            _ = try decode("2205", name, as: Ignored.self)
            _ = try decode("2601", name, as: Ignored.self)
        }

        let full = try decode("1101", "answer-full", as: PersonInfoOutput.self)
        let zhang = full.identity(clinicRegion: "360402")
        #expect(zhang.name == "张伟" && zhang.psnNo == "36010000000000000002")
        #expect(zhang.insurances.map(\.type) == ["310", "330"])
        #expect(zhang.primaryInsurance?.balance == Money(yuan: "26933.88"))
        #expect(zhang.primaryInsurance?.crossRegion == true)
        #expect(zhang.familyAccountSharing, "exp_content is a JSON object written inside a string")
        #expect(zhang.identities.first?.memo == "医疗救助第二类：低保对象")
        let sparse = try decode("1101", "answer-sparse", as: PersonInfoOutput.self).identity(clinicRegion: "360402")
        #expect(sparse.psnNo == "36040000000000000005", "a psn_no written as a number is read as its digits")
        #expect(sparse.primaryInsurance?.type == "390" && sparse.primaryInsurance?.balance == .zero)
        #expect(sparse.gender == "2" && sparse.identities.isEmpty && !sparse.familyAccountSharing)

        #expect(try decode("2201", "answer-full", as: RegisterOutput.self).mdtrt_id == "360000164273872766400005212141")
        #expect(try decode("2201", "answer-sparse", as: RegisterOutput.self).mdtrt_id == "300179916")

        let rows = try decode("2204", "answer-full", as: FeeDetailOutput.self).result
        #expect(rows.count == 1)
        #expect(rows[0].cnt == Quantity(text: "20") && rows[0].pric == UnitPrice(text: "0.35"))
        #expect(rows[0].pric_uplmt_amt == UnitPrice(text: "99999999"))
        #expect(rows[0].selfpay_prop == Ratio(text: "0.1") && rows[0].preselfpay_amt == Money(yuan: "0.70"))
        let terse = try decode("2204", "answer-sparse", as: FeeDetailOutput.self).result
        #expect(terse.map(\.chrgitm_lv) == ["03", "01"])
        #expect(terse[0].selfpay_prop == Ratio(text: "1") && terse[1].selfpay_prop == Ratio(text: "0"))
        #expect(terse[1].pric == UnitPrice(text: "2") && terse[1].overlmt_amt == nil && terse[1].preselfpay_amt == nil)

        let pre = try decode("2206", "answer-full", as: SettleOutput.self).setlinfo
        #expect(pre.setl_id == nil && pre.clr_way == nil && pre.clr_optins == nil, "a pre-settlement has no id or clearing yet")
        #expect(pre.split.total == Money(yuan: "48.70") && pre.split.basicFund == Money(yuan: "22.28"))
        #expect(pre.split.personalAccount == Money(yuan: "26.42") && pre.preselfpay_amt == Money(yuan: "4.42"))
        let preSparse = try decode("2206", "answer-sparse", as: SettleOutput.self)
        #expect(preSparse.setlinfo.split.total == Money(yuan: "48.70") && preSparse.setlinfo.overlmt_selfpay == .zero)
        #expect(preSparse.setlinfo.split.familyAccount == .zero && preSparse.setldetail.isEmpty)

        let settled = try decode("2207", "answer-full", as: SettleOutput.self)
        #expect(settled.setlinfo.setl_id == "400125241" && settled.setlinfo.clr_optins == "360102")
        #expect(settled.setlinfo.split.fundTotal + settled.setlinfo.split.personalAccount + settled.setlinfo.split.cash
                == settled.setlinfo.split.total)
        #expect(settled.setldetail.map(\.fund_payamt) == [Money(yuan: "22.28"), Money(yuan: "26.42")])
        let settledSparse = try decode("2207", "answer-sparse", as: SettleOutput.self).setlinfo
        #expect(settledSparse.setl_id == "400125242" && settledSparse.clr_type == "11" && settledSparse.clr_optins == "360102")
        #expect(settledSparse.split.total == Money(yuan: "48.70") && settledSparse.split.familyAccount == .zero)
        let hunan = try decode("2207", "answer-hunan", as: SettleOutput.self)
        #expect(hunan.setlinfo.split.cash == Money(yuan: "2685.99") && hunan.setlinfo.clr_type == "9902")
        #expect(hunan.setlinfo.preselfpay_amt == .zero && hunan.setlinfo.split.criticalIllness == .zero)
        #expect(hunan.setldetail.isEmpty, "a row of empty strings is no fund's part")

        // 2208's answer is only acknowledged (its amounts are the settlement's, negated), so
        // a sparse one with null totals is fine; a full one reads as a settlement would.
        _ = try decode("2208", "answer-sparse", as: Ignored.self)
        #expect(try decode("2208", "answer-full", as: SettleOutput.self).setlinfo.medfee_sumamt == Money(yuan: "-48.70"))

        #expect(try decode("3201", "answer-full", as: ReconcileOutput.self).stmt_rslt == "0")
        let mismatch = try decode("3201", "answer-sparse", as: ReconcileOutput.self)
        #expect(mismatch.stmt_rslt == "1" && mismatch.stmt_rslt_dscr == nil)
    }

    @Test("A refusal and a gateway's reduced error are read as refusals with their reason")
    func envelopes() throws {
        for name in ["refused", "gateway-error"] {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(Self.corpus)/envelope/\(name).json"))
            let header = try WireJSON.decode(AnswerHeader.self, from: data)
            #expect(header.infcode == -1)
            #expect(header.err_msg?.isEmpty == false)
        }
        let timed = try WireJSON.decode(AnswerHeader.self, from: try answer("9001", "answer-full"))
        let respond = try #require(timed.respond_time.flatMap(WireTime.parse))
        #expect(WireTime.infTime(respond) == "2026-12-01 09:00:00", "respond_time is yyyyMMddHHmmssSSS, China time")
    }

    @Test("Every request the client builds follows the spec tables, in every shipped profile",
          arguments: CoreProfile.builtInNames)
    func clientRequests(profileName: String) async throws {
        let (core, client) = try await GatewayFixture.start(profile: profileName)
        do {
            try await buildEveryRequest(profileName, core: core, client: client)
        } catch {
            await client.shutdown()
            await core.stop()
            throw error
        }
        await client.shutdown()
        await core.stop()
    }

    /// The catalogue's transactions: a whole sync (130x + 9102, 1312/1318/1319 pages, 1901),
    /// the mapping read back (1317), uploaded (3301) and revoked (3302), and a file uploaded
    /// (9101) the way the profile says.
    func catalogueTraffic(_ client: SettlementClient, directory: String) async throws {
        let store = try CatalogueStore(path: directory + "/catalogue.sqlite")
        let outcomes = await CatalogueSync(client: client, store: store, workDirectory: directory + "/downloads")
            .run(lists: CatalogueSync.defaultLists)
        for o in outcomes {
            if case .failure(let e) = o.result { Issue.record("list \(o.list): \(e.message)") }
        }
        #expect(try await store.state("1301")?.rows ?? 0 >= CoreFixture.catalogueRows)
        _ = try await client.cataloguePage(.mappingQuery, PagedQueryInput(
            updtTime: "2000-01-01", pageNum: 1, pageSize: 100, filters: ["fixmedins_code": CoreFixture.institution]))
        try await client.uploadMapping(.init(fixmedins_hilist_id: "YP010", fixmedins_hilist_name: "复方甘草片（小包装）",
                                             list_type: "101", med_list_codg: "XR05XAC038A001010103217", begndate: "2026-12-01",
                                             enddate: "2099-12-31"))
        try await client.revokeMapping(clinicCode: "YP010", listType: "101", code: "XR05XAC038A001010103217")
        let zipURL = URL(fileURLWithPath: directory + "/detail.txt.zip")
        let archive = try Archive(url: zipURL, accessMode: .create)
        let text = Data("S1\tM1\tP1\t49.70\t28.21\t0.00\t0\n".utf8)
        try archive.addEntry(with: "detail.txt", type: .file, uncompressedSize: Int64(text.count), compressionMethod: .deflate) {
            text.subdata(in: Int($0)..<Int($0) + $1)
        }
        let uploaded = try await client.uploadFile(try Data(contentsOf: zipURL), filename: "detail.txt.zip")
        #expect(!uploaded.fileQueryNo.isEmpty)
    }

    func buildEveryRequest(_ profileName: String, core: CoreFixture, client: SettlementClient) async throws {
        let fees = try Fixtures.fees()
        // A cross-region patient: settled, then reversed (2208, then 2205 and 2202).
        let zhang = try await client.checkIn(Fixtures.idNumber(Fixtures.zhangWei))
        let first = try await client.settle(zhang, fees: fees)
        try await client.reverseSettlement(visitId: first.visitId)
        // A retired cadre (340): his settling messages go to LXXT where the profile says so.
        let sun = try await client.checkIn(Fixtures.idNumber(Fixtures.sunJianhua))
        let second = try await client.settle(sun, fees: fees)
        #expect(second.split.fundTotal > first.split.fundTotal, "离休: the fund pays the whole policy scope")
        // Every answer to a 2207 lost: in doubt, undone with 2601.
        await core.setFaults("drop:2207:0")
        await #expect(throws: SettlementError.settlementInDoubt(visit: second.visitId + 1, reversed: true)) {
            _ = try await client.settle(try await client.checkIn(Fixtures.idNumber(Fixtures.ouyang)), fees: fees)
        }
        await core.setFaults()
        let lines = try await client.reconcile(day: WireTime.day(Date()))
        #expect(lines.allSatisfy { $0.agrees }, "\(lines)")
        try await catalogueTraffic(client, directory: core.directory)
        try await client.signOut()

        let table = try SpecTable()
        let messages = try await client.journal.messages(in: MessageState.allCases)
        #expect(Set(messages.map(\.infno)) == Set(Transaction.allCases.map(\.infno)), "every transaction was sent")
        let profile = try CoreProfile.load(profileName)
        for m in messages {
            #expect(table.problems(infno: m.infno, request: m.request) == [], "\(profileName) \(m.infno) \(m.msgid)")
            let envelope = try #require(try JSONSerialization.jsonObject(with: m.request) as? [String: Any])
            let transaction = try #require(Transaction(rawValue: m.infno))
            #expect(envelope["infno"] as? String == profile.wireInfno(transaction))
            #expect(envelope["infver"] as? String == profile.infver)
            let isSun = m.visitId == second.visitId
            let expected = profile.receiverSystemCode(transaction, insutype: isSun ? "340" : "310")
            #expect(envelope["recer_sys_code"] as? String == expected, "\(m.infno)")
            let msgid = try #require(envelope["msgid"] as? String)
            #expect(msgid.count == 30 && msgid.hasPrefix(CoreFixture.institution))
        }
        if profileName == "national" {
            let lxxt = messages.filter { m in
                m.visitId == second.visitId && (try? JSONSerialization.jsonObject(with: m.request) as? [String: Any])?["recer_sys_code"] as? String == "LXXT"
            }
            #expect(Set(lxxt.map(\.infno)) == ["2201", "2206", "2207"])
        }
        // The 2601 names the reversed visit's patient and insurance division.
        let reversal = try #require(messages.first { $0.infno == "2601" })
        let envelope = try #require(try JSONSerialization.jsonObject(with: reversal.request) as? [String: Any])
        #expect(envelope["insuplc_admdvs"] as? String == "360402")
    }
}
