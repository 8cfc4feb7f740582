import Catalogue
import Foundation
import Settlement
import TerminalCore

extension SettlementSheet {
    /// The visit's fee rows: every answered 2204 of the settled batch (`chrg_bchno`), a later
    /// upload of the same row replacing an earlier one; each row's level and kind from the
    /// core's answer where it gives them.
    static func feeRows(_ messages: [JournalMessage], batch: String?, descriptions: FeeDescriptions) async -> [FeeRow] {
        var order: [String] = []
        var rows: [String: FeeRow] = [:]
        for m in messages where m.infno.hasPrefix("2204") && m.state == .answered {
            guard let request = JSONTree.parse(m.request)?.input?["feedetail"]?.items else { continue }
            var answers: [String: JSONTree] = [:]
            for r in JSONTree.parse(m.answer)?.output?["result"]?.items ?? [] {
                if let sn = r.text("feedetl_sn") { answers[sn] = r }
            }
            for item in request {
                guard let sn = item.text("feedetl_sn"), let amount = item.money("det_item_fee_sumamt") else { continue }
                if let batch, let own = item.text("chrg_bchno"), own != batch { continue }
                let code = item.text("med_list_codg") ?? ""
                let clinic = item.text("medins_list_codg").flatMap { $0 == code ? nil : $0 }
                let known = await descriptions.describe(code: code, clinicCode: item.text("medins_list_codg"))
                let answer = answers[sn]
                let row = FeeRow(
                    serial: sn, code: code, clinicCode: clinic, name: known.name,
                    level: answer?.text("chrgitm_lv").flatMap(ChargeLevel.normalized) ?? known.level,
                    category: FeeCategory.classify(code: code, coreType: answer?.text("med_chrgitm_type"),
                                                   priceListCategory: known.priceListCategory, catalogueKind: known.catalogueKind),
                    quantity: item.text("cnt").map { plain($0, minimumPlaces: 0) } ?? "1",
                    unitPrice: item.text("pric").map { plain($0, minimumPlaces: 2) }, amount: amount)
                if rows[sn] == nil { order.append(sn) }
                rows[sn] = row
            }
        }
        return order.compactMap { rows[$0] }
    }

    /// Decimal text without trailing zeros past `minimumPlaces` (`0.350000` → `0.35`).
    static func plain(_ text: String, minimumPlaces: Int) -> String {
        let dot = text.firstIndex(of: ".")
        var frac = dot.map { String(text[text.index(after: $0)...]) } ?? ""
        while frac.count > minimumPlaces, frac.hasSuffix("0") { frac.removeLast() }
        frac += String(repeating: "0", count: max(0, minimumPlaces - frac.count))
        return String(text[..<(dot ?? text.endIndex)]) + (frac.isEmpty ? "" : "." + frac)
    }

    /// Groups the rows by category, in the sheet's order, with totals by level.
    mutating func setFees(_ rows: [FeeRow]) {
        var groups: [FeeCategory: [FeeRow]] = [:]
        for row in rows { groups[row.category, default: []].append(row) }
        feeGroups = groups.keys.sorted().map { category in
            let members = groups[category]!
            return FeeGroup(category: category, rows: members, total: members.reduce(.zero) { $0 + $1.amount },
                            byLevel: Self.byLevel(members))
        }
        feeTotal = rows.reduce(.zero) { $0 + $1.amount }
        feeByLevel = Self.byLevel(rows)
    }

    static func byLevel(_ rows: [FeeRow]) -> [String: Money] {
        var totals: [String: Money] = [:]
        for row in rows { totals[row.level ?? "", default: .zero] += row.amount }
        return totals
    }

    /// What the sheet says about itself in plain words.
    static func notes(_ sheet: SettlementSheet) -> [String] {
        var notes: [String] = []
        if sheet.reversed { notes.append("本结算已撤销，此单仅供查询") }
        if sheet.person.redacted { notes.append("姓名、证件号已按保留期限删除") }
        let rows = sheet.feeGroups.flatMap(\.rows)
        if rows.isEmpty {
            notes.append("费用明细不在本机日志中，金额以结算结果为准")
        } else if let total = sheet.total, total != sheet.feeTotal {
            notes.append("明细合计\(sheet.feeTotal.yuan)与结算总额\(total.yuan)不符，以结算总额为准")
        }
        if rows.contains(where: { $0.name == nil }) { notes.append("部分项目名称未能从目录或价目表查到，以医保编码列出") }
        return notes
    }
}
