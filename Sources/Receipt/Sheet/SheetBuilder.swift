import Catalogue
import Foundation
import Settlement
import TerminalCore

extension SettlementSheet {
    /// The sheet of the visit settled as `setlId`, from the journal alone: the 2207 answer
    /// (amounts, funds, the person), the 2207 request (institution, operator), 2201
    /// (department, doctor, visit number), 2203 (diagnosis) and 2204 (fee rows, with the
    /// core's level for each row). Names of items come from `descriptions`.
    package static func build(journal: Journal, setlId: String, descriptions: FeeDescriptions = .none,
                              patientName: PatientNameDisplay = .masked,
                              printedAt: Date = Date()) async throws(ReceiptError) -> SettlementSheet {
        let id = setlId.trimmingCharacters(in: .whitespaces)
        let visit: JournalVisit
        let messages: [JournalMessage]
        do {
            guard let found = try await journal.visit(setlId: id), let visitId = found.id else { throw ReceiptError.notFound(setlId: id) }
            visit = found
            messages = try await journal.messages(limit: 10_000, visitId: visitId).reversed()
        } catch let e as ReceiptError {
            throw e
        } catch let e as SettlementError {
            throw .from(e)
        } catch {
            throw .journal("\(error)")
        }
        let settles = messages.filter { $0.infno.hasPrefix("2207") && $0.answer != nil }
        let answered = settles.compactMap { m -> (JournalMessage, JSONTree)? in
            guard let out = JSONTree.parse(m.answer)?.output, let info = out["setlinfo"], info.text("setl_id") == id else { return nil }
            return (m, out)
        }.last
        guard let (settleMessage, output) = answered, let info = output["setlinfo"] else { throw .answerUnreadable(setlId: id) }
        let request = JSONTree.parse(settleMessage.request)
        let body = request?.input?["data"]

        var sheet = SettlementSheet(
            header: header(id: id, info: info, request: request, body: body, messages: messages, visit: visit, printedAt: printedAt),
            person: Person(redacted: false), feeGroups: [], feeTotal: .zero, feeByLevel: [:], sections: sections(info),
            funds: funds(output["setldetail"]), poolSelfPayRatio: ratio(info.text("pool_prop_selfpay")),
            reversed: visit.state == .reversed || visit.state == .reversing, notes: [])
        sheet.person = await person(info: info, request: request, body: body, visit: visit, messages: messages,
                                    journal: journal, display: patientName)
        let batch = body?.text("chrg_bchno") ?? visit.chrgBchno
        let rows = await feeRows(messages, batch: batch, descriptions: descriptions)
        sheet.setFees(rows)
        sheet.notes = notes(sheet)
        return sheet
    }

    static func header(id: String, info: JSONTree, request: JSONTree?, body: JSONTree?, messages: [JournalMessage],
                       visit: JournalVisit, printedAt: Date) -> Header {
        let register = messages.last { $0.infno.hasPrefix("2201") }.flatMap { JSONTree.parse($0.request)?.input?["data"] }
        let operatorName = request?.text("opter_name")
        let medType = body?.text("med_type") ?? info.text("med_type")
        return Header(
            institutionName: request?.text("fixmedins_name"), institutionCode: request?.text("fixmedins_code"),
            operatorName: JSONTree.isRedacted(operatorName) ? nil : operatorName,
            settledAt: info.text("setl_time"), printedAt: WireTime.infTime(printedAt), setlId: id,
            mdtrtId: info.text("mdtrt_id") ?? visit.mdtrtId, visitNumber: register?.text("ipt_otp_no") ?? visit.iptOtpNo,
            department: register?.text("dept_name"),
            doctor: register?.text("dr_name").flatMap { JSONTree.isRedacted($0) ? nil : $0 },
            medicalType: medType.map { code in SheetVocabulary.medicalTypes[code].map { "\(code) \($0)" } ?? code })
    }

    static func person(info: JSONTree, request: JSONTree?, body: JSONTree?, visit: JournalVisit, messages: [JournalMessage],
                       journal: Journal, display: PatientNameDisplay) async -> Person {
        var name = info.text("psn_name"), certno = info.text("certno"), gender = info.text("gend")
        let redacted = visit.psnNo == "~redacted" || JSONTree.isRedacted(name) || JSONTree.isRedacted(certno)
        if !redacted, name == nil || certno == nil, let base = await checkIn(of: visit, journal: journal) {
            name = name ?? base.text("psn_name")
            certno = certno ?? base.text("certno")
            gender = gender ?? base.text("gend")
        }
        if !redacted, certno == nil, visit.certType == "02" { certno = visit.certNo }  // 02: the ID number itself
        let insutype = info.text("insutype") ?? body?.text("insutype") ?? visit.insutype
        let diagnosis = messages.last { $0.infno.hasPrefix("2203") }
            .flatMap { JSONTree.parse($0.request)?.input?["diseinfo"]?.items.first }
            .map { d in [d.text("diag_code"), d.text("diag_name")].compactMap { $0 }.joined(separator: " ") }
        return Person(
            name: redacted ? nil : name.map { display == .full ? $0 : Masking.name($0) },
            idNumber: redacted ? nil : certno.map(Masking.idNumber),
            gender: gender.map { SheetVocabulary.genders[$0] ?? $0 },
            age: info.text("age").map { String($0.prefix { $0 != "." }) },
            insuranceType: insutype, insuranceName: SheetVocabulary.insuranceTypes[insutype],
            personType: info.text("psn_type"),
            insuredPlace: request?.text("insuplc_admdvs") ?? visit.insuplcAdmdvs,
            diagnosis: diagnosis.flatMap { $0.isEmpty ? nil : $0 }, redacted: redacted)
    }

    /// The 1101 answer that checked this visit's patient in (the day before the visit at
    /// most), for a core whose 2207 answer leaves the name out.
    static func checkIn(of visit: JournalVisit, journal: Journal) async -> JSONTree? {
        guard let found = try? await journal.messages(infno: "1101", createdFrom: visit.createdAt - 86_400,
                                                      to: visit.createdAt + 1, limit: 50) else { return nil }
        for m in found {
            if let base = JSONTree.parse(m.answer)?.output?["baseinfo"], base.text("psn_no") == visit.psnNo { return base }
        }
        return nil
    }

    static let amountFields: [(title: String, fields: [(String, String, essential: Bool)])] = [
        ("费用", [("medfee_sumamt", "医疗费总额", true), ("fulamt_ownpay_amt", "全自费", true),
                  ("overlmt_selfpay", "超限价自费", false), ("preselfpay_amt", "政策自付(先行自付)", true),
                  ("inscp_scp_amt", "符合政策范围", true), ("act_pay_dedc", "起付线", true)]),
        ("基金支付", [("hifp_pay", "统筹基金", true), ("cvlserv_pay", "公务员补助", false), ("hifes_pay", "企业补充", false),
                    ("hifmi_pay", "大病保险", true), ("hifob_pay", "大额补助", false), ("maf_pay", "医疗救助", true),
                    ("oth_pay", "其他基金", false), ("fund_pay_sumamt", "基金支付合计", true)]),
        ("个人支付", [("psn_part_amt", "个人负担", true), ("acct_pay", "个人账户", true), ("acct_mulaid_pay", "共济账户", false),
                    ("psn_cash_pay", "现金支付", true), ("balc", "账户余额", true)]),
    ]

    static let emphasized: Set<String> = ["medfee_sumamt", "psn_cash_pay"]

    /// The answer's amounts that are present: the one-stop sheet's own always, the rarer
    /// funds only when they paid something.
    static func sections(_ info: JSONTree) -> [AmountSection] {
        amountFields.map { section in
            AmountSection(title: section.title, amounts: section.fields.compactMap { field, label, essential in
                guard let value = info.money(field), essential || value != .zero else { return nil }
                return Amount(field: field, label: label, value: value, emphasized: emphasized.contains(field))
            })
        }.filter { !$0.amounts.isEmpty }
    }

    static func funds(_ detail: JSONTree?) -> [FundPayment] {
        (detail?.unwrapped.items ?? []).compactMap { d in
            let type = d.text("fund_pay_type") ?? "", amount = d.money("fund_payamt") ?? .zero
            guard !type.isEmpty || amount != .zero else { return nil }
            return FundPayment(type: type, name: d.text("fund_pay_type_name") ?? type, amount: amount)
        }
    }

    /// `pool_prop_selfpay` is a ratio (5,4) in the spec: printed as a percentage. A value over
    /// 1 is not a ratio (a core that writes an amount there): left out rather than misprinted.
    static func ratio(_ text: String?) -> String? {
        guard let text, let r = Ratio(text: text), r.units > 0, r.units <= 10_000 else { return nil }
        return DecimalText.format(r.units, places: 2, minimumPlaces: 0) + "%"
    }
}
