import Foundation
import HardwareSim
import TestSupport
import Testing

/// The built-in check-in page in real headless Chromium, driven with the keyboard alone
/// against cuntongd and the simulated core, over loopback with the API token as a kiosk
/// would open it.
/// One browser at a time: three Chromiums at once on two cores starve the other suites.
@Suite("Check-in page in headless Chromium", .serialized, .timeLimit(.minutes(5)))
struct CheckinPageTests {
    static let artifacts = ProcessRunner.packageRoot.path + "/.build/test-artifacts"

    @Test("A whole check-in and settlement with the keyboard: typed ID, masked name revealed and hidden, fees from the price list, pre-settlement split, settlement, receipt; English toggle; screenshots saved")
    func keyboardOnly() async throws {
        try await withCore { core in
            let port = try freePort()
            let (daemon, token) = try await DaemonFixture.startOnLoopback(
                core: core, port: port, extraAPIConfig: #"catalogue = "\#(CoreFixture.root)/hardware-sim/clinic/catalogue.json""#)
            try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
            let browser = try HeadlessChromium(profile: core.directory + "/chromium", height: 1500)
            try await browser.open("http://127.0.0.1:\(port)/?token=\(token)")

            // Waiting: the prompt, and the page's check-in waiting at the daemon.
            try await browser.wait(until: "!document.getElementById('screen-wait').hidden && document.getElementById('prompt').textContent === '请插卡 / 扫码 / 刷脸'")
            try await waitUntil { (try await daemon.api.get("/v1/status").object())["checkinWaiting"] as? Bool == true }
            #expect(try await browser.text("#clinic").contains("濂溪区某某村卫生室"))

            // F2, the ID number, Enter.
            try await browser.press("F2")
            try await browser.type(Fixtures.ouyang)
            try await browser.press("Enter")
            try await browser.wait(until: "!document.getElementById('screen-fees').hidden")
            #expect(try await browser.text("#patient-name") == "欧*淼")
            #expect(try await browser.text("#patient-id") == "360402********106X")
            #expect(try await browser.text("#insurance").contains("职工基本医疗保险"))
            #expect(try await browser.text("#balance") == "¥1234.56")
            try await browser.press("F4")
            try await browser.wait(until: "document.getElementById('patient-name').textContent === '欧阳淼'")
            try await browser.press("F4")
            try await browser.wait(until: "document.getElementById('patient-name').textContent === '欧*淼'")

            // Fees: a code, Enter (its usual quantity), Enter; twice.
            #expect(try await browser.evaluate("document.activeElement.id") as? String == "item-input")
            for code in ["XN02BEA049A001010101445", "001102000010000-110200001"] {
                try await browser.type(code)
                try await browser.press("Enter")
                try await browser.wait(until: "document.activeElement.id === 'item-qty'")
                try await browser.press("Enter")
                try await browser.wait(until: "document.activeElement.id === 'item-input' && document.getElementById('item-input').value === ''")
            }
            #expect(try await browser.evaluate("document.querySelectorAll('#fee-table tbody tr').length") as? Int == 2)
            #expect(try await browser.text("#total") == "17.00")

            // English and back.
            try await browser.press("F6")
            try await browser.wait(until: "document.getElementById('presettle').textContent === 'Pre-settle (F8)'")
            try await browser.press("F6")
            try await browser.wait(until: "document.getElementById('presettle').textContent === '预结算 (F8)'")

            // F8: the split before paying.
            try await browser.press("F8")
            try await browser.wait(until: "!document.getElementById('screen-split').hidden")
            let preview = try await browser.evaluate("Object.fromEntries([...document.querySelectorAll('#split tr')].map(r => [r.dataset.key, r.cells[1].textContent]))") as? [String: String] ?? [:]
            #expect(preview["total"] == "¥17.00")
            #expect(try await browser.text("#split").contains("统筹基金"))
            try await browser.screenshot(to: Self.artifacts + "/checkin-page-split.png")

            // F9: settle; the receipt.
            try await browser.press("F9")
            try await browser.wait(until: "!document.getElementById('screen-receipt').hidden")
            #expect(try await browser.text("#r-name") == "欧*淼")
            #expect(try await browser.text("#r-setl").hasPrefix("S"))
            #expect(try await browser.text("#receipt-clinic") == "濂溪区某某村卫生室")
            let receipt = try await browser.evaluate("Object.fromEntries([...document.querySelectorAll('#r-split tr')].map(r => [r.dataset.key, r.cells[1].textContent]))") as? [String: String] ?? [:]
            #expect(receipt == preview, "the receipt shows what the pre-settlement showed")
            try await browser.screenshot(to: Self.artifacts + "/checkin-page-receipt.png")

            // What the daemon and the core recorded.
            let journal = try await daemon.api.get("/v1/journal").object()
            let visit = (journal["visits"] as? [[String: Any]])?.first
            #expect(visit?["state"] as? String == "settled")
            #expect(visit?["total"] as? String == "17.00")
            #expect("¥" + (visit?["cash"] as? String ?? "") == receipt["cash"])
            #expect(try core.totals().count == 1)

            // Enter: the next patient.
            try await browser.press("Enter")
            try await browser.wait(until: "!document.getElementById('screen-wait').hidden")
            try await waitUntil { (try await daemon.api.get("/v1/status").object())["checkinWaiting"] as? Bool == true }
            #expect(await daemon.stop() == 0)
        }
    }

    @Test("Fee and diagnosis entry search the catalogue as the doctor types; the preview shows each row's level, 先自付 and price cap")
    func catalogueSearchAsTyped() async throws {
        try await withCore { core in
            let port = try freePort()
            let (daemon, token) = try await DaemonFixture.startOnLoopback(
                core: core, port: port, extraAPIConfig: #"catalogue = "\#(CoreFixture.root)/hardware-sim/clinic/catalogue.json""#)
            let sync = try await ProcessRunner.run(ProcessRunner.executable("cuntong"), ["catalogue", "sync", "--config", daemon.configPath])
            #expect(sync.status == 0, "\(sync.stderr)")
            let browser = try HeadlessChromium(profile: core.directory + "/chromium", height: 1400)
            try await browser.open("http://127.0.0.1:\(port)/?token=\(token)")
            try await browser.wait(until: "!document.getElementById('screen-wait').hidden")
            try await waitUntil { (try await daemon.api.get("/v1/status").object())["checkinWaiting"] as? Bool == true }
            try await browser.press("F2")
            try await browser.type(Fixtures.ouyang)
            try await browser.press("Enter")
            try await browser.wait(until: "!document.getElementById('screen-fees').hidden")

            // Pinyin initials: the clinic's item mapped to 阿莫西林胶囊 is offered first.
            try await browser.type("amxl")
            try await browser.wait(until: "document.querySelector('#catalogue-items option')?.value === 'YP002'")
            _ = try await browser.evaluate("document.getElementById('item-input').value = ''")
            try await browser.type("YP002")
            try await browser.press("Enter")
            try await browser.wait(until: "document.activeElement.id === 'item-qty'")
            try await browser.press("Enter")
            try await browser.wait(until: "document.querySelectorAll('#fee-table tbody tr').length === 1")

            // A diagnosis from the downloaded catalogue (1307), not in the clinic's short list.
            _ = try await browser.evaluate("document.getElementById('diagnosis-search').focus()")
            try await browser.type("J20")
            try await browser.wait(until: "[...document.querySelectorAll('#diagnosis-list option')].some(o => o.value === 'J20.900')")
            _ = try await browser.evaluate("document.getElementById('diagnosis-search').value = 'J20.900'")
            try await browser.press("Enter")
            try await browser.wait(until: "document.getElementById('diagnosis').value === 'J20.900' && document.activeElement.id === 'item-input'")

            try await browser.press("F8")
            try await browser.wait(until: "!document.getElementById('screen-split').hidden")
            let row = try await browser.text("#split-items")
            #expect(row.contains("阿莫西林胶囊") && row.contains("乙类") && row.contains("先自付 10%") && row.contains("over the cap of 0.60"), "\(row)")
            try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
            try await browser.screenshot(to: Self.artifacts + "/checkin-page-catalogue.png")
            #expect(await daemon.stop() == 0)
        }
    }

    @Test("While the page waits, a scanned code of a shape no rule names checks the patient in through the platform")
    func scannedCodeOfAnyShape() async throws {
        try await withCore { core in
            let dev = core.directory + "/scanners"
            try FileManager.default.createDirectory(atPath: dev, withIntermediateDirectories: true)
            let node = dev + "/ttyACM0"
            let (master, device) = try SerialScannerPTY.open()
            try FileManager.default.createSymbolicLink(atPath: node, withDestinationPath: device)
            let port = try freePort()
            let (daemon, token) = try await DaemonFixture.startOnLoopback(core: core, port: port, extraAPIConfig: """

                [scanner]
                device = "\(node)"
                mode = "serial"
                """)
            let browser = try HeadlessChromium(profile: core.directory + "/chromium", height: 1200)
            try await browser.open("http://127.0.0.1:\(port)/?token=\(token)")
            try await browser.wait(until: "!document.getElementById('screen-wait').hidden")
            try await waitUntil { (try await daemon.api.get("/v1/status").object())["checkinWaiting"] as? Bool == true }

            let bytes = Array("3601K7HQ0Z.EC/9f8e7d6c5b4a39281706~v2+XQ\r\n".utf8)
            _ = bytes.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
            try await browser.wait(until: "!document.getElementById('screen-fees').hidden")
            #expect(try await browser.text("#patient-name") == "张*")
            #expect(try await browser.text("#insurance").contains("职工基本医疗保险"))
            close(master)
            #expect(await daemon.stop() == 0)
        }
    }

    @Test("The page says the insurance network is down before a patient presents anything, and clears it when the core is back")
    func coreDownBanner() async throws {
        try await withCore { core in
            await core.halt()
            let port = try freePort()
            let token = "token-\(UUID().uuidString)"
            let tokenFile = core.directory + "/api.token"
            try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
            let daemon = try await DaemonFixture.start(core: core, extraConfig: """
                listen = "127.0.0.1:\(port)"
                token_file = "\(tokenFile)"
                """, arguments: ["--link-probe-max", "2"])
            try await waitUntil { (try await daemon.api.get("/v1/status").object())["core"].flatMap { ($0 as? [String: Any])?["state"] as? String } == "down" }
            let browser = try HeadlessChromium(profile: core.directory + "/chromium", height: 900)
            try await browser.open("http://127.0.0.1:\(port)/?token=\(token)")
            try await browser.wait(until: "!document.getElementById('core-banner').hidden")
            #expect(try await browser.text("#core-banner") == "医保网络中断 — 可先登记，恢复后结算")
            try FileManager.default.createDirectory(atPath: Self.artifacts, withIntermediateDirectories: true)
            try await browser.screenshot(to: Self.artifacts + "/checkin-page-core-down.png")
            let back = try await core.restart()
            try await browser.wait(until: "document.getElementById('core-banner').hidden")
            #expect(await daemon.stop() == 0)
            await back.halt()
        }
    }
}
