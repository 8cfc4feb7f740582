import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HardwareSim
import Logging
import TestSupport
import Testing

/// The simulated core's catalogue over raw HTTP/JSON (hardware-sim/core/catalogue/README.md):
/// the version loop and 9102, the paged queries, mappings and 2204's check, uploads, faults.
/// A small catalogue (2,000 rows), generated once per machine into the shared cache.
@Suite("Simulated core: catalogue", .serialized)
struct CatalogueSimulatorTests {
    /// A core with a small catalogue on loopback, and a signed-in envelope maker.
    final class Core: @unchecked Sendable {
        let port: Int
        let task: Task<Void, any Error>
        let directory: String
        let server: CoreServer
        var signNo = ""
        var sequence = 0

        init(faults: [String] = []) async throws {
            directory = NSTemporaryDirectory() + "cuntong-cat-\(UUID().uuidString.prefix(8))"
            let simulator = try CoreSimulator(
                stateDirectory: directory + "/core", personsDirectory: CoreFixture.root + "/hardware-sim/core/persons",
                policyPath: CoreFixture.root + "/hardware-sim/core/policy/village-clinic.json", catalogueRows: 2_000)
            let server = CoreServer(simulator: simulator, faults: faults.compactMap(CoreFault.init(parsing:)))
            self.server = server
            var logger = Logger(label: "test.catalogue")
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
            let now = Date()
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
            f.dateFormat = "yyyyMMddHHmmss"
            let stamp = f.string(from: now)
            f.dateFormat = "yyyy-MM-dd HH:mm:ss"
            let e: [String: Any] = [
                "infno": infno, "msgid": CoreFixture.institution + stamp + String(format: "%04d", sequence % 10_000),
                "mdtrtarea_admvs": "360402", "insuplc_admdvs": insuplc, "recer_sys_code": "YBXT", "dev_no": "", "dev_safe_info": "",
                "cainfo": "", "signtype": "", "infver": "V1.0", "opter_type": "1", "opter": "D001", "opter_name": "王医生",
                "inf_time": f.string(from: now), "fixmedins_code": CoreFixture.institution, "fixmedins_name": "村卫生室",
                "sign_no": signNo, "input": input]
            return try! JSONSerialization.data(withJSONObject: e)
        }

        func post(_ body: Data, path: String = "/fsi/api/rsfComIfsService/callService") async throws -> (String, Data) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = "POST"
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            return try await withCheckedThrowingContinuation { c in
                URLSession.shared.dataTask(with: request) { data, response, error in
                    if let error { c.resume(throwing: error); return }
                    let type = (response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type") ?? ""
                    c.resume(returning: (type, data ?? Data()))
                }.resume()
            }
        }

        func call(_ infno: String, _ input: [String: Any], insuplc: String = "") async throws -> [String: Any] {
            let (_, data) = try await post(envelope(infno, input, insuplc: insuplc))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }

        func output(_ infno: String, _ input: [String: Any], insuplc: String = "") async throws -> [String: Any] {
            let a = try await call(infno, input, insuplc: insuplc)
            #expect(a["infcode"] as? Int == 0, "\(infno): \(a["err_msg"] ?? "")")
            return a["output"] as? [String: Any] ?? [:]
        }

        /// 1301… then 9102: the rows of the file, split keeping empty fields.
        func file(_ list: String, ver: String) async throws -> (output: [String: Any], rows: [[String]]) {
            let o = try await output(list, ["data": ["ver": ver]])
            guard let number = o["file_qury_no"] as? String else { return (o, []) }
            let (type, zip) = try await post(envelope("9102", ["fsDownloadIn": [
                "file_qury_no": number, "filename": o["filename"] as? String ?? "", "fixmedins_code": "plc"]]))
            #expect(type == "application/octet-stream")
            let entry = try #require(ZipReading.singleEntry(of: zip))
            #expect(entry.name + ".zip" == o["filename"] as? String)
            let text = try #require(String(data: entry.bytes, encoding: .utf8))
            let rows = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
            return (o, rows)
        }
    }

    @Test("1301: one version per call, then data_cnt 0; 93 columns; the anchors; the stopped drug withdrawn")
    func versionLoop() async throws {
        let core = try await Core()
        defer { core.stop() }
        var rows: [String: [String]] = [:]
        var ver = "0", files = 0
        while true {
            let (o, file) = try await core.file("1301", ver: ver)
            guard !file.isEmpty else {
                #expect(o["data_cnt"] as? Int == 0)
                break
            }
            files += 1
            #expect(o["data_cnt"] as? Int == file.count)
            #expect(Set(file.map(\.count)) == [93])
            for r in file { rows[r[0]] = r }
            ver = file.map { $0[82] }.max()!
        }
        #expect(files == 2)
        #expect(rows.count == 2_000)
        #expect(rows["XJ01CAA040E001010101445"]?[50].uppercased() == "AMXLJN")
        #expect(rows["XJ01CAA040E001010101445"]?[91] == "02")
        #expect(rows["XN02BEA049A001010101445"]?[78] == "1")
        #expect(rows["XA11GAA045T001010100001"]?[91] == "03")
        #expect(rows["XJ01DCA123A001010100999"]?[78] == "0")
        #expect(rows.values.contains { $0.contains("") }, "some empty fields in the middle of rows")
        #expect(rows.values.contains { $0[36].contains(" CST ") }, "some dates as Java's Date.toString()")
        let diseases = try await core.file("1307", ver: "0").rows
        #expect(Set(["J06.900", "J20.900", "I10.x00", "E11.900", "K29.700"]).isSubset(of: Set(diseases.map { $0[10] })))
        let services = try await core.file("1305", ver: "0").rows
        #expect(Set(["001102000010000-110200001", "120400001"]).isSubset(of: Set(services.map { $0[0] })))
    }

    @Test("9102 of an unknown file_qury_no: a JSON refusal")
    func unknownFile() async throws {
        let core = try await Core()
        defer { core.stop() }
        let a = try await core.call("9102", ["fsDownloadIn": ["file_qury_no": "NOPE", "filename": "x.txt.zip", "fixmedins_code": "plc"]])
        #expect(a["infcode"] as? Int == -1)
        #expect((a["err_msg"] as? String)?.contains("NOPE") == true)
    }

    @Test("1312 pages cover every item once; 1318 caps 阿莫西林胶囊 at 0.60; 1319 gives 0.1")
    func pagedQueries() async throws {
        let core = try await Core()
        defer { core.stop() }
        var seen: [String] = []
        var page = 1, pages = 1
        repeat {
            let o = try await core.output("1312", ["data": ["updt_time": "2000-01-01 00:00:00", "page_num": page, "page_size": 500]])
            pages = o["pages"] as? Int ?? 0
            seen += (o["data"] as? [[String: Any]] ?? []).compactMap { $0["hilist_code"] as? String }
            page += 1
        } while page <= pages
        #expect(seen.count == Set(seen).count)
        #expect(seen.contains("XR05XAC038A001010103217"))
        let cap = try await core.output("1318", ["data": ["updt_time": "2000-01-01", "page_num": 1, "page_size": 10,
                                                          "hilist_code": "XJ01CAA040E001010101445"]])
        #expect((cap["data"] as? [[String: Any]])?.first?["hilist_pric_uplmt_amt"] as? Double == 0.6)
        let prop = try await core.output("1319", ["data": ["updt_time": "2000-01-01", "page_num": 1, "page_size": 10,
                                                           "hilist_code": "XJ01CAA040E001010101445"]])
        #expect((prop["data"] as? [[String: Any]])?.first?["selfpay_prop"] as? Double == 0.1)
    }

    @Test("2204 refuses an unmapped code pair and a code not in the catalogue; 3301 maps, 1317 shows, 3302 revokes")
    func mappings() async throws {
        let core = try await Core()
        defer { core.stop() }
        let person = try await core.output("1101", ["data": ["mdtrt_cert_type": "02", "mdtrt_cert_no": Fixtures.zhangWei,
                                                             "psn_cert_type": "01", "certno": Fixtures.zhangWei]])
        let psnNo = try #require((person["baseinfo"] as? [String: Any])?["psn_no"] as? String)
        let insuplc = ((person["insuinfo"] as? [[String: Any]])?.first?["insuplc_admdvs"] as? String) ?? ""
        let visit = try await core.output("2201", ["data": [
            "psn_no": psnNo, "insutype": "310", "begntime": "2026-01-05 08:00:00", "mdtrt_cert_type": "02",
            "mdtrt_cert_no": Fixtures.zhangWei, "ipt_otp_no": "MZ\(UUID().uuidString.prefix(8))", "atddr_no": "D001",
            "dr_name": "王医生", "dept_code": "A03", "dept_name": "全科", "caty": "A03"]], insuplc: insuplc)
        let mdtrtId = try #require((visit["data"] as? [String: Any])?["mdtrt_id"] as? String)
        func fee(_ sn: String, _ med: String, _ own: String) -> [String: Any] {
            ["feedetl_sn": sn, "mdtrt_id": mdtrtId, "psn_no": psnNo, "chrg_bchno": "B1", "rx_circ_flag": "0",
             "fee_ocur_time": "2026-01-05 08:10:00", "med_list_codg": med, "medins_list_codg": own, "det_item_fee_sumamt": 1.6,
             "cnt": 2, "pric": 0.8, "bilg_dept_codg": "A03", "bilg_dept_name": "全科", "bilg_dr_codg": "D001",
             "bilg_dr_name": "王医生", "hosp_appr_flag": "1"]
        }
        let unmapped = try await core.call("2204", ["feedetail": [fee("7", "XJ01CAA040E001010101445", "YP777")]],
                                           insuplc: insuplc)
        #expect(unmapped["infcode"] as? Int == -1)
        #expect((unmapped["err_msg"] as? String)?.contains("7") == true)
        let unknown = try await core.call("2204", ["feedetail": [fee("8", "ZZ-VITAMIN-C-OTC", "YP900")]], insuplc: insuplc)
        #expect((unknown["err_msg"] as? String)?.contains("ZZ-VITAMIN-C-OTC") == true)
        _ = try await core.output("2204", ["feedetail": [fee("9", "XJ01CAA040E001010101445", "YP002")]], insuplc: insuplc)

        let row: [String: Any] = ["fixmedins_hilist_id": "YP010", "fixmedins_hilist_name": "复方甘草片（小包装）", "list_type": "101",
                                  "med_list_codg": "XR05XAC038A001010103217", "begndate": "2026-01-01", "enddate": "2099-12-31"]
        _ = try await core.output("3301", ["catalogcompin": [row]])
        let refused = try await core.call("3301", ["data": row.merging(["med_list_codg": "NOT-A-CODE"]) { $1 }])
        #expect(refused["infcode"] as? Int == -1)
        let found = try await core.output("1317", ["data": ["updt_time": "2000-01-01", "page_num": 1, "page_size": 50,
                                                            "medins_list_codg": "YP010"]])
        #expect(found["recordCounts"] as? Int == 1)
        _ = try await core.output("3302", ["data": ["fixmedins_code": CoreFixture.institution, "fixmedins_hilist_id": "YP010",
                                                    "list_type": "101", "med_list_codg": "XR05XAC038A001010103217"]])
        let gone = try await core.call("2204", ["feedetail": [fee("10", "XR05XAC038A001010103217", "YP010")]], insuplc: insuplc)
        #expect(gone["infcode"] as? Int == -1)
    }

    @Test("9101 (Base64) then 9102 gives the same bytes")
    func upload() async throws {
        let core = try await Core()
        defer { core.stop() }
        // A zip the simulator made, uploaded back.
        let (o, _) = try await core.file("1302", ver: "0")
        let (_, zip) = try await core.post(core.envelope("9102", ["fsDownloadIn": [
            "file_qury_no": o["file_qury_no"] as? String ?? "", "filename": "x", "fixmedins_code": "plc"]]))
        let up = try await core.output("9101", ["fsUploadIn": ["in": zip.base64EncodedString(), "filename": "3202.txt.zip",
                                                               "fixmedins_code": CoreFixture.institution]])
        let number = try #require(up["file_qury_no"] as? String)
        let (_, back) = try await core.post(core.envelope("9102", ["fsDownloadIn": [
            "file_qury_no": number, "filename": "3202.txt.zip", "fixmedins_code": CoreFixture.institution]]))
        #expect(back == zip)
    }

    @Test("Faults: zip-truncated, zip-short-row, page-fail, page-no-pages")
    func faults() async throws {
        let core = try await Core(faults: ["zip-truncated:1302", "zip-short-row:1306", "page-fail:1312:2", "page-no-pages:1318"])
        defer { core.stop() }
        let o = try await core.output("1302", ["data": ["ver": "0"]])
        let request = core.envelope("9102", ["fsDownloadIn": ["file_qury_no": o["file_qury_no"] as? String ?? "",
                                                              "filename": o["filename"] as? String ?? "", "fixmedins_code": "plc"]])
        let (_, cut) = try await core.post(request)
        #expect(ZipReading.singleEntry(of: cut) == nil)
        let (_, whole) = try await core.post(core.envelope("9102", ["fsDownloadIn": [
            "file_qury_no": o["file_qury_no"] as? String ?? "", "filename": o["filename"] as? String ?? "", "fixmedins_code": "plc"]]))
        #expect(ZipReading.singleEntry(of: whole) != nil)
        let short = try await core.file("1306", ver: "0").rows
        #expect(Set(short.map(\.count)).count == 2)
        let page1 = try await core.call("1312", ["data": ["updt_time": "2000-01-01", "page_num": 1, "page_size": 10]])
        let page2 = try await core.call("1312", ["data": ["updt_time": "2000-01-01", "page_num": 2, "page_size": 10]])
        #expect(page1["infcode"] as? Int == 0)
        #expect(page2["infcode"] as? Int == -1)
        let noPages = try await core.output("1318", ["data": ["updt_time": "2000-01-01", "page_num": 1, "page_size": 10]])
        #expect(noPages["pages"] == nil)
        #expect(noPages["data"] != nil)
    }
}
