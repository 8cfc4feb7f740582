import TerminalCore

/// One line of the sheet on a roll (or in a terminal): its text, already fitted to the width,
/// and how it is printed.
package struct SheetLine: Sendable, Equatable {
    package enum Style: Sendable, Equatable {
        case normal
        /// The institution and the sheet's name: bold, double height.
        case title
        /// Section titles and subtotals: bold.
        case bold
        /// The total and the cash to pay: bold, double height.
        case total
    }
    package var text: String
    package var style: Style
}

/// The sheet laid out in columns: the one layout of the text and ESC/POS renderers, so the
/// terminal shows what the paper shows. 32 columns for 58 mm paper, 48 for 80 mm.
package struct SheetLayout: Sendable {
    let c: Columns

    package init(columns: Columns) { c = columns }

    package func lines(_ s: SettlementSheet) -> [SheetLine] {
        var out: [SheetLine] = []
        func add(_ texts: [String], _ style: SheetLine.Style = .normal) { out += texts.map { SheetLine(text: $0, style: style) } }
        func field(_ label: String, _ value: String?) { if let value, !value.isEmpty { add(c.field(label, value)) } }

        add(c.center(s.header.institutionName ?? s.header.institutionCode ?? "定点医疗机构"), .title)
        add(c.center("医疗保险门诊结算单"), .title)
        if s.reversed { add(c.center("（已撤销）"), .bold) }
        add([c.rule])
        field("结算号", s.header.setlId)
        field("就诊号", s.header.mdtrtId)
        field("门诊号", s.header.visitNumber)
        field("结算时间", s.header.settledAt)
        field("医疗类别", s.header.medicalType)
        field("机构编码", s.header.institutionCode)
        add([c.rule])
        let p = s.person
        if p.redacted {
            add(c.wrap("姓名、证件号已按保留期限删除"))
        } else {
            field("姓名", p.name ?? "-")
            field("证件号", p.idNumber)
        }
        let sexAge = [p.gender.map { "性别 \($0)" }, p.age.map { "年龄 \($0)" }].compactMap { $0 }.joined(separator: "  ")
        if !sexAge.isEmpty { add(c.wrap(sexAge)) }
        field("险种", [p.insuranceType, p.insuranceName].compactMap { $0 }.joined(separator: " "))
        field("人员类别", p.personType)
        field("参保地", p.insuredPlace)
        field("科室", s.header.department)
        field("医生", s.header.doctor)
        field("诊断", p.diagnosis)
        add([c.rule])
        fees(s, add)
        add([c.rule])
        for section in s.sections {
            add(c.wrap(section.title), .bold)
            for a in section.amounts { add(c.pair(a.label, a.value.yuan, indent: 2), a.emphasized ? .total : .normal) }
            if section.title == "基金支付", !s.funds.isEmpty {
                add(c.wrap("  其中"))
                for f in s.funds { add(c.pair(f.name, f.amount.yuan, indent: 4)) }
            }
        }
        if let r = s.poolSelfPayRatio { add(c.pair("统筹自付比例", r, indent: 2)) }
        add([c.rule])
        for note in s.notes { add(c.wrap("* " + note)) }
        field("操作员", s.header.operatorName)
        field("打印时间", s.header.printedAt)
        return out
    }

    /// The fee rows by category, each with 甲/乙/丙, quantity and amount.
    func fees(_ s: SettlementSheet, _ add: ([String], SheetLine.Style) -> Void) {
        let showPrice = c.width >= 40
        let qtyWidth = c.width >= 40 ? 6 : 5, amountWidth = c.width >= 40 ? 10 : 8, priceWidth = 8
        func right(_ qty: String, _ amount: String, _ price: String?) -> String {
            (showPrice ? c.padLeft(price ?? "", to: priceWidth) + " " : "") + c.padLeft(qty, to: qtyWidth) + " "
                + c.padLeft(amount, to: amountWidth)
        }
        func row(_ level: String, _ name: String, _ tail: String) -> [String] {
            let lead = c.padRight(level, to: 2) + " "
            let nameWidth = c.width - 3 - 1 - c.width(of: tail)
            guard nameWidth >= 6 else {
                return c.wrap(name, width: c.width - 3).prefix(3).map { lead + $0 } + [c.padLeft(Columns.clean(tail), to: c.width)]
            }
            var parts = c.wrap(name, width: nameWidth)
            if parts.count > 3 { parts = Array(parts.prefix(2)) + [c.truncate(parts[2...].joined(), width: nameWidth)] }
            return parts.enumerated().map { i, part in
                i == 0 ? lead + c.padRight(part, to: nameWidth) + " " + tail : "   " + part
            }
        }
        add(row("", "项目", right("数量", "金额", "单价")), .bold)
        if s.feeGroups.isEmpty { add(c.wrap("（无费用明细）"), .normal) }
        for group in s.feeGroups {
            add(c.pair("[\(group.category.label)]", group.total.yuan), .bold)
            for r in group.rows { add(row(r.level ?? "", r.displayName, right(r.quantity, r.amount.yuan, r.unitPrice)), .normal) }
        }
        let levels = [("甲", "甲类"), ("乙", "乙类"), ("丙", "丙类"), ("", "未分级")]
        for (key, label) in levels { if let v = s.feeByLevel[key] { add(c.pair(label, v.yuan), .normal) } }
        add(c.pair("明细合计", s.feeTotal.yuan), .bold)
    }
}
