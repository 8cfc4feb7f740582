import Foundation
import Receipt
import Settlement
import TerminalCore
import Testing
import TestSupport

/// The clinic's price list of the simulated terminal: names and categories of the items.
let clinicPriceList = FeeDescriptions(priceList: FeeDescriptions.priceList(path: CoreFixture.root + "/hardware-sim/clinic/catalogue.json"))

/// A settlement of 张伟's common cold at the simulated core, and its sheet.
func settledSheet(_ core: CoreFixture, descriptions: FeeDescriptions = clinicPriceList,
                  patientName: PatientNameDisplay = .masked) async throws -> (SettlementClient, SettlementOutcome, SettlementSheet) {
    let client = try core.client()
    let patient = try await client.checkIn(Fixtures.idNumber(Fixtures.zhangWei))
    let outcome = try await client.settle(patient, fees: try Fixtures.fees())
    let sheet = try await SettlementSheet.build(journal: client.journal, setlId: outcome.setlId, descriptions: descriptions,
                                                patientName: patientName)
    return (client, outcome, sheet)
}

@Suite("The settlement sheet from the journal")
struct SheetTests {
    @Test("every amount is the core's split; fee rows grouped by category with the core's 甲/乙/丙; the person masked")
    func fromASettlement() async throws {
        try await withCore { core in
            let (client, outcome, sheet) = try await settledSheet(core)
            let split = outcome.split
            #expect(sheet.header.setlId == outcome.setlId)
            #expect(sheet.header.mdtrtId == outcome.mdtrtId)
            #expect(sheet.header.institutionName == "濂溪区某某村卫生室")
            #expect(sheet.header.operatorName == "王医生")
            #expect(sheet.header.settledAt == outcome.settledAt)
            #expect(sheet.amount("medfee_sumamt") == split.total)
            #expect(sheet.amount("hifp_pay") == split.basicFund)
            #expect(sheet.amount("hifmi_pay") == split.criticalIllness)
            #expect(sheet.amount("maf_pay") == split.medicalAid)
            #expect(sheet.amount("fund_pay_sumamt") == split.fundTotal)
            #expect(sheet.amount("acct_pay") == split.personalAccount)
            #expect(sheet.amount("psn_cash_pay") == split.cash)
            #expect(sheet.amount("balc") == split.balanceAfter)
            #expect(sheet.amount("act_pay_dedc") != nil, "起付线")
            #expect(sheet.amount("preselfpay_amt") != nil, "政策自付")
            #expect(sheet.funds.map(\.amount) == outcome.fundDetails.map(\.fund_payamt))
            #expect(sheet.feeTotal == split.total, "the rows add up to the core's total")

            let rows = sheet.feeGroups.flatMap(\.rows)
            #expect(rows.count == 4)
            #expect(rows.allSatisfy { $0.name != nil })
            let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.displayName, $0) })
            #expect(byName["维生素C含片（丙类，自费）"]?.level == "丙")
            #expect(byName["对乙酰氨基酚片"]?.level == "甲")
            #expect(byName["对乙酰氨基酚片"]?.category == .westernDrug)
            #expect(byName["一般诊疗费"]?.category == .consultation)
            #expect(byName["对乙酰氨基酚片"]?.quantity == "20")
            #expect(byName["对乙酰氨基酚片"]?.amount == Money(fen: 700))
            #expect(sheet.feeGroups.map(\.category) == [.westernDrug, .consultation])

            #expect(sheet.person.name == "张*")
            #expect(sheet.person.idNumber == "360102********1010")
            #expect(sheet.person.insuranceType == "310" && sheet.person.insuranceName == "职工基本医疗保险")
            #expect(sheet.person.gender == "男")
            #expect(sheet.person.diagnosis == "J06.900 急性上呼吸道感染")
            #expect(sheet.header.department == "全科" && sheet.header.doctor == "王医生")
            #expect(!sheet.person.redacted && !sheet.reversed)
            #expect(sheet.notes.isEmpty, "\(sheet.notes)")

            let full = try await SettlementSheet.build(journal: client.journal, setlId: outcome.setlId, patientName: .full)
            #expect(full.person.name == "张伟")
            await client.shutdown()
        }
    }

    @Test("without the price list or a catalogue the rows are printed by their codes, and the sheet says so")
    func codesOnly() async throws {
        try await withCore { core in
            let (client, outcome, sheet) = try await settledSheet(core, descriptions: .none)
            let rows = sheet.feeGroups.flatMap(\.rows)
            #expect(rows.allSatisfy { $0.name == nil && $0.displayName == $0.code })
            #expect(sheet.notes.contains { $0.contains("以医保编码列出") })
            #expect(sheet.feeTotal == outcome.split.total)
            let text = SheetText.render(sheet)
            #expect(text.contains("XN02BEA049A001010101445") || text.contains("XN02BEA049A0"))
            await client.shutdown()
        }
    }

    @Test("text and HTML carry the split's amounts, 甲/乙/丙 and the categories")
    func renderings() async throws {
        try await withCore { core in
            let (client, outcome, sheet) = try await settledSheet(core)
            let split = outcome.split
            for paper in PaperWidth.allCases {
                let text = SheetText.render(sheet, paper: paper)
                let lines = text.split(separator: "\n").map(String.init)
                for line in lines {
                    #expect(Columns.terminal(paper.columns).width(of: line) <= paper.columns, "\(paper): \(line)")
                }
                func line(_ label: String) -> String? { lines.first { $0.trimmingCharacters(in: .whitespaces).hasPrefix(label) } }
                #expect(line("医疗费总额")?.hasSuffix(split.total.yuan) == true)
                #expect(line("统筹基金")?.hasSuffix(split.basicFund.yuan) == true)
                #expect(line("大病保险")?.hasSuffix(split.criticalIllness.yuan) == true)
                #expect(line("医疗救助")?.hasSuffix(split.medicalAid.yuan) == true)
                #expect(line("个人账户")?.hasSuffix(split.personalAccount.yuan) == true)
                #expect(line("现金支付")?.hasSuffix(split.cash.yuan) == true)
                #expect(line("起付线") != nil && line("政策自付") != nil)
                #expect(line("[西药]") != nil && line("[诊察]") != nil)
                #expect(lines.contains { $0.hasPrefix("丙 ") && $0.hasSuffix("12.50") })
                #expect(text.contains("张*") && !text.contains("张伟") && text.contains("360102********1010"))
                #expect(text.contains(outcome.setlId))
            }
            let html = SheetHTML.render(sheet)
            #expect(html.contains("@media print") && html.contains("size: A4"))
            for amount in [split.total, split.basicFund, split.personalAccount, split.cash] {
                #expect(html.contains(">\(amount.yuan)<"))
            }
            for word in ["统筹基金", "大病保险", "医疗救助", "个人账户", "现金支付", "起付线", "政策自付", "甲类", "乙类", "丙类", "西药"] {
                #expect(html.contains(word), "\(word)")
            }
            #expect(html.contains("维生素C含片（丙类，自费）") && !html.contains("张伟"))
            await client.shutdown()
        }
    }

    @Test("after redaction the sheet still prints, without the person, and says why")
    func redacted() async throws {
        try await withCore { core in
            let (client, outcome, _) = try await settledSheet(core)
            let day = WireTime.day(Date())
            #expect(try await client.reconcile(day: day).allSatisfy(\.agrees))
            let result = try await client.journal.redact(before: WireTime.day(Date().addingTimeInterval(86_400)))
            #expect(result.redacted == [day])
            let sheet = try await SettlementSheet.build(journal: client.journal, setlId: outcome.setlId,
                                                        descriptions: clinicPriceList, patientName: .full)
            #expect(sheet.person.redacted && sheet.person.name == nil && sheet.person.idNumber == nil)
            #expect(sheet.header.operatorName == nil)
            #expect(sheet.amount("psn_cash_pay") == outcome.split.cash && sheet.feeTotal == outcome.split.total)
            let text = SheetText.render(sheet)
            #expect(text.contains("姓名、证件号已按保留期限删除"))
            #expect(!text.contains("张") && !text.contains("360102196207081010") && !text.contains("~redacted"))
            let html = SheetHTML.render(sheet)
            #expect(html.contains("已按保留期限删除") && !html.contains("~redacted"))
            let bytes = SheetESCPOS.render(sheet, paper: .mm58)
            #expect(!bytes.isEmpty)
            await client.shutdown()
        }
    }

    @Test("a settlement id the journal does not have is a clear error")
    func notFound() async throws {
        try await withCore { core in
            let client = try core.client()
            await #expect(throws: ReceiptError.notFound(setlId: "S999")) {
                try await SettlementSheet.build(journal: client.journal, setlId: "S999")
            }
            #expect(ReceiptError.notFound(setlId: "S999").code == "RECEIPT-NOT-FOUND")
            await client.shutdown()
        }
    }

    @Test("the CLI prints the sheet, and exits 1 with the code for an unknown id")
    func cli() async throws {
        try await withCore { core in
            let config = try core.configFile(extra: "[printer]\nwidth = 80\n")
            let exe = ProcessRunner.executable("cuntong")
            let settled = try await ProcessRunner.run(exe, ["settle", "--config", config, "--id-number", Fixtures.zhangWei,
                                                            "--fees", Fixtures.feesFile(), "--json"])
            #expect(settled.status == 0, "\(settled.stderr)")
            let setlId = try #require(settled.stdout.firstMatch(of: /"setlId":"([^"]+)"/)).1
            let shown = try await ProcessRunner.run(exe, ["receipt", String(setlId), "--config", config])
            #expect(shown.status == 0, "\(shown.stderr)")
            #expect(shown.stdout.contains("医疗保险门诊结算单") && shown.stdout.contains(String(setlId)))
            #expect(shown.stdout.split(separator: "\n").contains { $0.hasPrefix("---") && $0.count == 48 })
            let missing = try await ProcessRunner.run(exe, ["receipt", "S404", "--config", config])
            #expect(missing.status == 1 && missing.stderr.contains("RECEIPT-NOT-FOUND"))
            let noPrinter = try await ProcessRunner.run(exe, ["receipt", String(setlId), "--config", config, "--print"])
            #expect(noPrinter.status == 1 && noPrinter.stderr.contains("PRINTER-NOT-CONFIGURED"))
        }
    }
}
