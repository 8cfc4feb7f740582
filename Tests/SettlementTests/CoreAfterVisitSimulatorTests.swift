import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HardwareSim
import Logging
import Synchronization
import TestSupport
import Testing

/// The simulated core after the visit, over raw HTTP/JSON (hardware-sim/core/after-the-visit.md):
/// 2001, 5301, 门诊慢特病 visits, 5201/5203/5204, 2208 across days with 3201, 3202 and the
/// ledger faults. Written from the platform's tables, not from cuntong's client types.
@Suite("Simulated core: after the visit", .serialized)
struct CoreAfterVisitSimulatorTests {
    /// China time, set by the test.
    final class Clock: Sendable {
        let now = Mutex(Date())
        func set(_ text: String) {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
            f.dateFormat = "yyyy-MM-dd HH:mm:ss"
            let date = f.date(from: text)!
            now.withLock { $0 = date }
        }
    }

    final class Core: @unchecked Sendable {
        let port: Int
        let task: Task<Void, any Error>
        let directory: String
        let server: CoreServer
        let clock = Clock()
        var signNo = ""
        var sequence = 0

        init(columns: Int = 10, day: String = "2026-03-10") async throws {
            clock.set(day + " 09:00:00")
            directory = NSTemporaryDirectory() + "cuntong-after-\(UUID().uuidString.prefix(8))"
            let clock = self.clock
            let simulator = try CoreSimulator(
                stateDirectory: directory + "/core", personsDirectory: CoreFixture.root + "/hardware-sim/core/persons",
                policyPath: CoreFixture.root + "/hardware-sim/core/policy/village-clinic.json",
                catalogueRows: CoreFixture.catalogueRows, detailResultColumns: columns,
                clock: { clock.now.withLock { $0 } })
            let server = CoreServer(simulator: simulator, faults: [])
            self.server = server
            var logger = Logger(label: "test.after-visit")
            logger.logLevel = .critical
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            task = Task {
                defer { continuation.finish() }
                try await server.run(host: "127.0.0.1", port: 0, logger: logger, handleSignals: false) { continuation.yield($0) }
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            self.port = port
            let answer = try await call("9001", ["signIn": ["opter_no": "D001", "mac": "00-00-00-00-00-00", "ip": "127.0.0.1"]])
            signNo = ((answer["output"] as? [String: Any])?["signinoutb"] as? [String: Any])?["sign_no"] as? String ?? ""
        }

        func stop() {
            task.cancel()
            try? FileManager.default.removeItem(atPath: directory)
        }

        func envelope(_ infno: String, _ input: [String: Any], insuplc: String = "") -> Data {
            sequence += 1
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
            f.dateFormat = "yyyyMMddHHmmss"
            let stamp = f.string(from: Date())
            f.dateFormat = "yyyy-MM-dd HH:mm:ss"
            let e: [String: Any] = [
                "infno": infno, "msgid": CoreFixture.institution + stamp + String(format: "%04d", sequence % 10_000),
                "mdtrtarea_admvs": "360402", "insuplc_admdvs": insuplc, "recer_sys_code": "YBXT", "dev_no": "", "dev_safe_info": "",
                "cainfo": "", "signtype": "", "infver": "V1.0", "opter_type": "1", "opter": "D001", "opter_name": "王医生",
                "inf_time": f.string(from: Date()), "fixmedins_code": CoreFixture.institution, "fixmedins_name": "村卫生室",
                "sign_no": signNo, "input": input]
            return try! JSONSerialization.data(withJSONObject: e)
        }

        func post(_ body: Data) async throws -> Data {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/fsi/api/rsfComIfsService/callService")!)
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            return try await withCheckedThrowingContinuation { c in
                URLSession.shared.dataTask(with: request) { data, _, error in
                    if let error { c.resume(throwing: error) } else { c.resume(returning: data ?? Data()) }
                }.resume()
            }
        }

        func call(_ infno: String, _ input: [String: Any], insuplc: String = "") async throws -> [String: Any] {
            let data = try await post(envelope(infno, input, insuplc: insuplc))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }

        func output(_ infno: String, _ input: [String: Any], insuplc: String = "360402") async throws -> [String: Any] {
            let a = try await call(infno, input, insuplc: insuplc)
            #expect(a["infcode"] as? Int == 0, "\(infno): \(a["err_msg"] ?? "")")
            return a["output"] as? [String: Any] ?? [:]
        }

        /// A whole visit (2201, 2203, 2204, 2206, 2207): the 2207 setlinfo, or the refusal.
        func visit(_ who: Person, medType: String = "11", dise: String = "", fees: [Fee] = Fee.cold,
                   time: String = "2026-03-10 09:00:00") async throws -> [String: Any] {
            let reg = try await output("2201", ["data": [
                "psn_no": who.psnNo, "insutype": "390", "begntime": time, "mdtrt_cert_type": "02", "mdtrt_cert_no": who.certno,
                "ipt_otp_no": "MZ\(UUID().uuidString.prefix(8))", "atddr_no": "D001", "dr_name": "王医生", "dept_code": "A03",
                "dept_name": "全科", "caty": "A03"]])
            let mdtrtId = try #require((reg["data"] as? [String: Any])?["mdtrt_id"] as? String)
            _ = try await output("2203", [
                "mdtrtinfo": ["mdtrt_id": mdtrtId, "psn_no": who.psnNo, "med_type": medType, "begntime": time,
                              "main_cond_dscr": "复诊取药", "dise_codg": dise, "dise_name": ""],
                "diseinfo": [["diag_type": "1", "diag_srt_no": 1, "diag_code": "I10.x00", "diag_name": "原发性高血压",
                              "diag_dept": "A03", "dise_dor_no": "D001", "dise_dor_name": "王医生", "diag_time": time,
                              "vali_flag": "1"]]])
            _ = try await output("2204", ["feedetail": fees.map {
                ["feedetl_sn": $0.sn, "mdtrt_id": mdtrtId, "psn_no": who.psnNo, "chrg_bchno": "B1", "rx_circ_flag": "0",
                 "fee_ocur_time": time, "med_list_codg": $0.code, "medins_list_codg": $0.own, "det_item_fee_sumamt": $0.amount,
                 "cnt": $0.cnt, "pric": $0.pric, "bilg_dept_codg": "A03", "bilg_dept_name": "全科", "bilg_dr_codg": "D001",
                 "bilg_dr_name": "王医生", "hosp_appr_flag": "1"]
            }])
            var data: [String: Any] = [
                "psn_no": who.psnNo, "mdtrt_cert_type": "02", "mdtrt_cert_no": who.certno, "med_type": medType,
                "medfee_sumamt": fees.reduce(0) { $0 + $1.amount }, "psn_setlway": "01", "mdtrt_id": mdtrtId,
                "chrg_bchno": "B1", "acct_used_flag": "0", "insutype": "390"]
            let pre = try await call("2206", ["data": data], insuplc: "360402")
            guard pre["infcode"] as? Int == 0, let quote = (pre["output"] as? [String: Any])?["setlinfo"] as? [String: Any] else {
                return ["refused": pre["err_msg"] as? String ?? ""]
            }
            for key in ["fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt"] { data[key] = quote[key] }
            return try #require(try await output("2207", ["data": data])["setlinfo"] as? [String: Any])
        }

        func reconcile(from: String, to: String, count: Int, total: Double, fund: Double, refunds: String) async throws -> String {
            let o = try await output("3201", ["data": [
                "insutype": "390", "clr_type": "11", "setl_optins": "360402", "stmt_begndate": from, "stmt_enddate": to,
                "medfee_sumamt": total, "fund_pay_sumamt": fund, "acct_pay": 0, "fixmedins_setl_cnt": count,
                "refd_setl_flag": refunds]])
            return ((o["stmtinfo"] as? [String: Any])?["stmt_rslt"] as? String) ?? "?"
        }

        /// 9101 of the lines (CR LF, a trailing tab), 3202, 9102: the result rows.
        func detail(_ lines: [String], from: String, to: String) async throws -> [[String]] {
            let text = lines.map { $0 + "\t\r\n" }.joined()
            let zip = try ZipMaking.single(name: "3202.txt", bytes: Data(text.utf8))
            let up = try await output("9101", ["fsUploadIn": ["in": zip.base64EncodedString(), "filename": "3202.txt.zip",
                                                              "fixmedins_code": CoreFixture.institution]])
            let o = try await output("3202", ["data": [
                "setl_optins": "360402", "file_qury_no": up["file_qury_no"] as? String ?? "", "stmt_begndate": from,
                "stmt_enddate": to, "medfee_sumamt": 0, "fund_pay_sumamt": 0, "cash_payamt": 0,
                "fixmedins_setl_cnt": lines.count]])
            let info = try #require(o["fileinfo"] as? [String: Any])
            #expect(info["dld_endtime"] is String)
            let bytes = try await post(envelope("9102", ["fsDownloadIn": [
                "file_qury_no": info["file_qury_no"] as? String ?? "", "filename": info["filename"] as? String ?? "",
                "fixmedins_code": CoreFixture.institution]]))
            let entry = try #require(ZipReading.singleEntry(of: bytes))
            let result = try #require(String(data: entry.bytes, encoding: .utf8))
            return result.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        }
    }

    struct Person {
        var psnNo, certno: String
        static let zhaoLei = Person(psnNo: "36040000000000000012", certno: "360402196802233011")
        static let wangFang = Person(psnNo: "36040000000000000010", certno: "360402197708152041")
        static let qian = Person(psnNo: "36040000000000000013", certno: "36042119660312302X")
    }

    struct Fee {
        var sn, code, own: String
        var pric: Double, cnt: Double, amount: Double
        /// 一般诊疗费 10.00 + 对乙酰氨基酚片 0.35 × 20: 17.00, all 甲类.
        static let cold = [Fee(sn: "1", code: "001102000010000-110200001", own: "ZL001", pric: 10, cnt: 1, amount: 10),
                           Fee(sn: "2", code: "XN02BEA049A001010101445", own: "YP001", pric: 0.35, cnt: 20, amount: 7)]
    }

    @Test("2001: a person enjoys (flag 1); unpaid contributions and suspended insurance answer flag 0 with the reason")
    func benefitCheck() async throws {
        let core = try await Core()
        defer { core.stop() }
        func check(_ psnNo: String, insuplc: String, medType: String = "11", dise: String = "") async throws -> [[String: Any]] {
            let o = try await core.output("2001", ["data": [
                "psn_no": psnNo, "insutype": "390", "fixmedins_code": CoreFixture.institution, "med_type": medType,
                "begntime": "2026-03-10 09:00:00", "dise_codg": dise]], insuplc: insuplc)
            return try #require(o["trtinfo"] as? [[String: Any]])
        }
        let enjoys = try await check(Person.zhaoLei.psnNo, insuplc: "360402")
        #expect(!enjoys.isEmpty && enjoys.allSatisfy { $0["trt_enjymnt_flag"] as? String == "1" && $0["trt_chk_rslt"] is NSNull })
        #expect(enjoys.first?["fund_pay_type"] as? String == "390100" && enjoys.first?["trt_chk_type"] as? String == "01")
        let unpaid = try await check(Person.qian.psnNo, insuplc: "360421")
        #expect(unpaid.allSatisfy { $0["trt_enjymnt_flag"] as? String == "0" })
        #expect((unpaid.first?["trt_chk_rslt"] as? String)?.contains("未缴费") == true)
        let suspended = try await check("36040000000000000008", insuplc: "360421")
        #expect(suspended.first?["trt_enjymnt_flag"] as? String == "0")
        let unfiled = try await check(Person.zhaoLei.psnNo, insuplc: "360402", medType: "14", dise: "M01600")
        #expect((unfiled.first?["trt_chk_rslt"] as? String)?.contains("M01600") == true)
        let reg = try await core.call("2201", ["data": [
            "psn_no": Person.qian.psnNo, "insutype": "390", "begntime": "2026-03-10 09:00:00", "mdtrt_cert_type": "02",
            "mdtrt_cert_no": Person.qian.certno, "ipt_otp_no": "MZ1", "atddr_no": "D001", "dr_name": "王医生",
            "dept_code": "A03", "dept_name": "全科", "caty": "A03"]], insuplc: "360421")
        #expect(reg["infcode"] as? Int == -1)
        #expect((reg["err_msg"] as? String)?.contains("待遇暂停") == true)
    }

    @Test("5301 lists the filings; a 门诊慢特病 visit pays 70 %, an ordinary one 65 %; an unfiled 病种 is refused")
    func chronicVisits() async throws {
        let core = try await Core()
        defer { core.stop() }
        let filed = try await core.output("5301", ["data": ["psn_no": Person.zhaoLei.psnNo]])
        let rows = try #require(filed["feedetail"] as? [[String: Any]])
        #expect(rows.count == 1 && rows[0]["opsp_dise_code"] as? String == "M03900" && rows[0]["enddate"] is NSNull)
        let none = try await core.output("5301", ["data": ["psn_no": "36040000000000000001"]])
        #expect((none["feedetail"] as? [Any])?.isEmpty == true)

        let chronic = try await core.visit(.zhaoLei, medType: "14", dise: "M03900")
        #expect(chronic["hifp_pay"] as? Double == 11.9 && chronic["psn_cash_pay"] as? Double == 5.1)
        let sub = try await core.visit(.wangFang, medType: "140104", dise: "M01600")
        #expect(sub["hifp_pay"] as? Double == 11.9)
        let ordinary = try await core.visit(.zhaoLei)
        #expect(ordinary["hifp_pay"] as? Double == 11.05 && ordinary["psn_cash_pay"] as? Double == 5.95)

        let reg = try await core.output("2201", ["data": [
            "psn_no": Person.zhaoLei.psnNo, "insutype": "390", "begntime": "2026-03-10 10:00:00", "mdtrt_cert_type": "02",
            "mdtrt_cert_no": Person.zhaoLei.certno, "ipt_otp_no": "MZ2", "atddr_no": "D001", "dr_name": "王医生",
            "dept_code": "A03", "dept_name": "全科", "caty": "A03"]])
        let mdtrtId = (reg["data"] as? [String: Any])?["mdtrt_id"] as? String ?? ""
        let refused = try await core.call("2203", [
            "mdtrtinfo": ["mdtrt_id": mdtrtId, "psn_no": Person.zhaoLei.psnNo, "med_type": "14", "begntime": "2026-03-10 10:00:00",
                          "dise_codg": "M01600", "dise_name": "糖尿病"],
            "diseinfo": [["diag_type": "1", "diag_srt_no": 1, "diag_code": "E11.900", "diag_name": "2型糖尿病", "diag_dept": "A03",
                          "dise_dor_no": "D001", "dise_dor_name": "王医生", "diag_time": "2026-03-10 10:00:00", "vali_flag": "1"]]],
            insuplc: "360402")
        #expect(refused["infcode"] as? Int == -1)
        #expect((refused["err_msg"] as? String)?.contains("未备案") == true)
    }

    @Test("5201, 5203 and 5204 answer from the ledger")
    func queries() async throws {
        let core = try await Core()
        defer { core.stop() }
        let s = try await core.visit(.zhaoLei, medType: "14", dise: "M03900")
        let setlId = try #require(s["setl_id"] as? String), mdtrtId = try #require(s["mdtrt_id"] as? String)
        let visits = try await core.output("5201", ["data": ["psn_no": Person.zhaoLei.psnNo, "begntime": "2026-03-10 00:00:00"]])
        let v = try #require((visits["mdtrtinfo"] as? [[String: Any]])?.first)
        #expect(v["mdtrt_id"] as? String == mdtrtId && v["med_type"] as? String == "14" && v["dise_codg"] as? String == "M03900")
        #expect(v["age"] is Double && v["dscg_way"] is NSNull && v["begntime"] as? String == "2026-03-10 09:00:00")

        let q = try await core.output("5203", ["data": ["psn_no": Person.zhaoLei.psnNo, "setl_id": setlId, "mdtrt_id": mdtrtId]])
        let info = try #require(q["setlinfo"] as? [String: Any])
        #expect(info["medfee_sumamt"] as? Double == 17 && info["hifp_pay"] as? Double == 11.9)
        #expect(info["psn_pay"] as? Double == 5.1 && info["cash_payamt"] as? Double == 5.1)
        #expect(info["refd_setl_flag"] as? String == "0" && info["med_type"] as? String == "14")
        #expect((q["setldetail"] as? [[String: Any]])?.first?["fund_payamt"] as? Double == 11.9)

        let fees = try await core.call("5204", ["data": ["psn_no": Person.zhaoLei.psnNo, "mdtrt_id": mdtrtId, "setl_id": setlId]],
                                       insuplc: "360402")
        let rows = try #require(fees["output"] as? [[String: Any]])
        #expect(rows.count == 2)
        let visitFee = try #require(rows.first { $0["med_list_codg"] as? String == "001102000010000-110200001" })
        #expect(visitFee["det_item_fee_sumamt"] as? Double == 10 && visitFee["chrgitm_lv"] as? String == "01")
        #expect(visitFee["medins_list_codg"] as? String == "ZL001" && visitFee["list_type"] as? String == "201")
        #expect(visitFee["selfpay_prop"] as? Double == 0 && visitFee["setl_id"] as? String == setlId)
    }

    @Test("2208 of yesterday's settlement: refund on today's day; 3201 agrees for both days; a second 2208 is refused")
    func refundAcrossDays() async throws {
        let core = try await Core()
        defer { core.stop() }
        let a = try await core.visit(.zhaoLei)
        _ = try await core.visit(.wangFang)
        core.clock.set("2026-03-11 08:30:00")
        let aId = try #require(a["setl_id"] as? String), aVisit = try #require(a["mdtrt_id"] as? String)
        let refund = try await core.output("2208", ["data": ["setl_id": aId, "mdtrt_id": aVisit, "psn_no": Person.zhaoLei.psnNo]])
        let refundId = try #require((refund["setlinfo"] as? [String: Any])?["setl_id"] as? String)

        #expect(try await core.reconcile(from: "2026-03-10", to: "2026-03-10", count: 1, total: 17, fund: 11.05, refunds: "0") == "0")
        #expect(try await core.reconcile(from: "2026-03-10", to: "2026-03-10", count: 2, total: 34, fund: 22.1, refunds: "1") == "0")
        #expect(try await core.reconcile(from: "2026-03-11", to: "2026-03-11", count: 1, total: -17, fund: -11.05, refunds: "1") == "0")
        #expect(try await core.reconcile(from: "2026-03-11", to: "2026-03-11", count: 0, total: 0, fund: 0, refunds: "0") == "0")
        #expect(try await core.reconcile(from: "2026-03-10", to: "2026-03-11", count: 3, total: 17, fund: 11.05, refunds: "1") == "0")

        let again = try await core.call("2208", ["data": ["setl_id": aId, "mdtrt_id": aVisit, "psn_no": Person.zhaoLei.psnNo]],
                                        insuplc: "360402")
        #expect(again["infcode"] as? Int == -1)
        #expect((again["err_msg"] as? String)?.contains("2026-03-11") == true)
        #expect((again["err_msg"] as? String)?.contains(refundId) == true)
        let ofRefund = try await core.call("2208", ["data": ["setl_id": refundId, "mdtrt_id": aVisit,
                                                             "psn_no": Person.zhaoLei.psnNo]], insuplc: "360402")
        #expect((ofRefund["err_msg"] as? String)?.contains("退费结算") == true)
        let q = try await core.output("5203", ["data": ["psn_no": Person.zhaoLei.psnNo, "setl_id": refundId]])
        #expect((q["setlinfo"] as? [String: Any])?["refd_setl_flag"] as? String == "1")
        #expect((q["setlinfo"] as? [String: Any])?["medfee_sumamt"] as? Double == -17)
    }

    @Test("3202: 对平, 中心多, 医药机构多 and 数据不一致 in the 10-column result")
    func detailReconciliation() async throws {
        let core = try await Core()
        defer { core.stop() }
        let a = try await core.visit(.zhaoLei), b = try await core.visit(.wangFang)
        core.clock.set("2026-03-11 08:30:00")
        let c = try await core.visit(.zhaoLei, time: "2026-03-11 08:30:00")
        let refund = try await core.output("2208", ["data": ["setl_id": a["setl_id"] as? String ?? "",
                                                             "mdtrt_id": a["mdtrt_id"] as? String ?? "", "psn_no": Person.zhaoLei.psnNo]])
        let r = try #require(refund["setlinfo"] as? [String: Any])
        func line(_ s: [String: Any], _ total: String, _ fund: String, _ flag: String) -> String {
            [s["setl_id"] as? String ?? "", s["mdtrt_id"] as? String ?? "", s["psn_no"] as? String ?? "", total, fund, "0.00", flag]
                .joined(separator: "\t")
        }
        let rows = try await core.detail([
            line(a, "17.00", "11.05", "0"), line(r, "-17.00", "-11.05", "1"), line(b, "17.00", "11.00", "0"),
            "S999999999999\tM999999999999\t\(Person.wangFang.psnNo)\t5.00\t3.25\t0.00\t0",
        ], from: "2026-03-10", to: "2026-03-11")
        #expect(Set(rows.map(\.count)) == [10])
        let bySetl = Dictionary(rows.map { ($0[2], $0) }) { first, _ in first }
        #expect(bySetl[a["setl_id"] as? String ?? ""]?[4] == "0")
        #expect(bySetl[r["setl_id"] as? String ?? ""]?[4] == "0")
        #expect(bySetl[r["setl_id"] as? String ?? ""]?[5] == "1")
        #expect(bySetl[b["setl_id"] as? String ?? ""]?[4] == "3")
        #expect(bySetl[b["setl_id"] as? String ?? ""]?[6].contains("基金支付总额") == true)
        #expect(bySetl[c["setl_id"] as? String ?? ""]?[4] == "1")
        #expect(bySetl[c["setl_id"] as? String ?? ""]?[7] == "17.00")
        #expect(bySetl["S999999999999"]?[4] == "2")
        #expect(bySetl["S999999999999"]?[3] == "null")
    }

    @Test("3202 with the 7-column result: psn_no, mdtrt_id, setl_id, msgid, refd_setl_flag, stmt_rslt, memo")
    func sevenColumns() async throws {
        let core = try await Core(columns: 7)
        defer { core.stop() }
        let a = try await core.visit(.zhaoLei)
        let rows = try await core.detail([
            [a["setl_id"] as? String ?? "", a["mdtrt_id"] as? String ?? "", Person.zhaoLei.psnNo, "17", "11.05", "0", "0"]
                .joined(separator: "\t")], from: "2026-03-10", to: "2026-03-10")
        #expect(rows.count == 1 && rows[0].count == 7)
        #expect(rows.first?[4] == "0" && rows.first?[5] == "0" && rows.first?[6] == "null")
    }

    @Test("ledger-forget: 3201 and 5203 miss the settlement; ledger-extra: 3201 disagrees, 3202 shows it 中心多, 5203 finds it")
    func ledgerFaults() async throws {
        let core = try await Core()
        defer { core.stop() }
        let x = try await core.visit(.zhaoLei), y = try await core.visit(.wangFang)
        let xId = try #require(x["setl_id"] as? String)
        await core.server.setFaults([try #require(CoreFault(parsing: "ledger-forget:\(xId)"))])
        #expect(try await core.reconcile(from: "2026-03-10", to: "2026-03-10", count: 1, total: 17, fund: 11.05, refunds: "0") == "0")
        let gone = try await core.call("5203", ["data": ["psn_no": Person.zhaoLei.psnNo, "setl_id": xId]], insuplc: "360402")
        #expect(gone["infcode"] as? Int == -1)

        await core.server.setFaults([try #require(CoreFault(parsing: "ledger-extra"))])
        #expect(try await core.reconcile(from: "2026-03-10", to: "2026-03-10", count: 1, total: 17, fund: 11.05, refunds: "0") == "1")
        let rows = try await core.detail([
            [y["setl_id"] as? String ?? "", y["mdtrt_id"] as? String ?? "", Person.wangFang.psnNo, "17.00", "11.05", "0.00", "0"]
                .joined(separator: "\t")], from: "2026-03-10", to: "2026-03-10")
        let extra = try #require(rows.first { $0[4] == "1" })
        #expect(rows.count == 2)
        let found = try await core.output("5203", ["data": ["psn_no": extra[0], "setl_id": extra[2]]])
        #expect((found["setlinfo"] as? [String: Any])?["medfee_sumamt"] as? Double == 10)
        let fees = try await core.call("5204", ["data": ["psn_no": extra[0], "mdtrt_id": extra[1]]], insuplc: "360402")
        #expect((fees["output"] as? [Any])?.count == 1)
    }
}
