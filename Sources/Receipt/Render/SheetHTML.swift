import TerminalCore

/// The sheet as one self-contained HTML page for A4 paper, in the blocks of the one-stop
/// (一站式) settlement sheet: header, person, fees by category split 甲/乙/丙, the items,
/// payments (统筹, 大病, 救助, 个账, 现金, 起付线, 政策自付), the funds, notes.
package enum SheetHTML {
    package static func render(_ s: SettlementSheet) -> String {
        var h = """
            <!DOCTYPE html>
            <html lang="zh-CN"><head><meta charset="utf-8">
            <title>结算单 \(e(s.header.setlId))</title>
            <style>
            body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "SimSun", sans-serif; font-size: 10.5pt; color: #000; margin: 1.5em; }
            .sheet { max-width: 180mm; margin: 0 auto; }
            h1 { font-size: 16pt; text-align: center; margin: 0 0 .2em; }
            h2 { font-size: 13pt; text-align: center; margin: 0 0 .8em; font-weight: normal; }
            h3 { font-size: 11pt; margin: 1em 0 .3em; border-bottom: 1px solid #000; }
            table { width: 100%; border-collapse: collapse; }
            td, th { border: 1px solid #000; padding: 2px 5px; vertical-align: top; }
            th { background: #eee; font-weight: bold; text-align: left; }
            .n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
            .grid th { width: 14%; }
            .total td { font-weight: bold; }
            .strong { font-weight: bold; font-size: 12pt; }
            .reversed { text-align: center; font-weight: bold; font-size: 14pt; border: 2px solid #000; padding: .2em; }
            .notes { margin: .8em 0; padding-left: 1.2em; }
            .foot { margin-top: 1em; display: flex; justify-content: space-between; }
            @media print {
              @page { size: A4; margin: 15mm; }
              body { margin: 0; font-size: 10pt; }
              th { background: none; }
              .sheet { max-width: none; }
              h3, table, tr { page-break-inside: avoid; }
            }
            </style></head><body><div class="sheet">

            """
        h += "<h1>\(e(s.header.institutionName ?? s.header.institutionCode ?? "定点医疗机构"))</h1>\n<h2>医疗保险门诊结算单</h2>\n"
        if s.reversed { h += "<p class=\"reversed\">本结算已撤销</p>\n" }
        h += grid([("结算号", s.header.setlId), ("就诊号", s.header.mdtrtId), ("门诊号", s.header.visitNumber),
                   ("结算时间", s.header.settledAt), ("医疗类别", s.header.medicalType), ("机构编码", s.header.institutionCode)])
        let p = s.person
        h += "<h3>参保人</h3>\n"
        h += grid([("姓名", p.redacted ? "已按保留期限删除" : p.name), ("证件号", p.redacted ? "已按保留期限删除" : p.idNumber),
                   ("性别", p.gender), ("年龄", p.age),
                   ("险种", [p.insuranceType, p.insuranceName].compactMap { $0 }.joined(separator: " ")),
                   ("人员类别", p.personType), ("参保地", p.insuredPlace), ("科室", s.header.department),
                   ("医生", s.header.doctor), ("诊断", p.diagnosis)])
        h += "<h3>费用分类</h3>\n<table><tr><th>类别</th><th class=\"n\">金额</th><th class=\"n\">甲类</th><th class=\"n\">乙类</th><th class=\"n\">丙类</th><th class=\"n\">未分级</th></tr>\n"
        for g in s.feeGroups {
            h += "<tr><td>\(e(g.category.label))</td><td class=\"n\">\(g.total.yuan)</td>" + levels(g.byLevel) + "</tr>\n"
        }
        h += "<tr class=\"total\"><td>合计</td><td class=\"n\">\(s.feeTotal.yuan)</td>" + levels(s.feeByLevel) + "</tr></table>\n"
        h += "<h3>费用明细</h3>\n<table><tr><th>类别</th><th>项目</th><th>医保编码</th><th>等级</th><th class=\"n\">单价</th><th class=\"n\">数量</th><th class=\"n\">金额</th></tr>\n"
        for g in s.feeGroups {
            for r in g.rows {
                h += "<tr><td>\(e(g.category.label))</td><td>\(e(r.displayName))</td><td>\(e(r.code))</td><td>\(e(r.level ?? ""))</td>"
                h += "<td class=\"n\">\(e(r.unitPrice ?? ""))</td><td class=\"n\">\(e(r.quantity))</td><td class=\"n\">\(r.amount.yuan)</td></tr>\n"
            }
        }
        if s.feeGroups.isEmpty { h += "<tr><td colspan=\"7\">（无费用明细）</td></tr>\n" }
        h += "</table>\n<h3>结算信息</h3>\n<table>\n"
        for section in s.sections {
            h += "<tr><th colspan=\"2\">\(e(section.title))</th></tr>\n"
            for a in section.amounts {
                h += "<tr\(a.emphasized ? " class=\"total\"" : "")><td>\(e(a.label))</td><td class=\"n\(a.emphasized ? " strong" : "")\">\(a.value.yuan)</td></tr>\n"
            }
        }
        if let r = s.poolSelfPayRatio { h += "<tr><td>统筹自付比例</td><td class=\"n\">\(e(r))</td></tr>\n" }
        h += "</table>\n"
        if !s.funds.isEmpty {
            h += "<h3>基金支付明细</h3>\n<table><tr><th>基金</th><th>类型</th><th class=\"n\">金额</th></tr>\n"
            for f in s.funds { h += "<tr><td>\(e(f.name))</td><td>\(e(f.type))</td><td class=\"n\">\(f.amount.yuan)</td></tr>\n" }
            h += "</table>\n"
        }
        if !s.notes.isEmpty { h += "<ul class=\"notes\">" + s.notes.map { "<li>\(e($0))</li>" }.joined() + "</ul>\n" }
        h += "<div class=\"foot\"><span>操作员：\(e(s.header.operatorName ?? ""))</span><span>打印时间：\(e(s.header.printedAt))</span></div>\n"
        h += "</div></body></html>\n"
        return h
    }

    /// Label/value cells, three pairs a row; absent values left out.
    static func grid(_ pairs: [(String, String?)]) -> String {
        let present = pairs.compactMap { l, v in v.flatMap { $0.isEmpty ? nil : (l, $0) } }
        var h = "<table class=\"grid\">\n"
        for start in stride(from: 0, to: present.count, by: 3) {
            let row = present[start..<min(start + 3, present.count)]
            h += "<tr>" + row.map { "<th>\(e($0.0))</th><td>\(e($0.1))</td>" }.joined()
            if row.count < 3 { h += "<td colspan=\"\((3 - row.count) * 2)\"></td>" }
            h += "</tr>\n"
        }
        return h + "</table>\n"
    }

    static func levels(_ totals: [String: Money]) -> String {
        ["甲", "乙", "丙", ""].map { "<td class=\"n\">\(totals[$0]?.yuan ?? "")</td>" }.joined()
    }

    /// HTML-escaped text.
    static func e(_ text: String) -> String {
        var out = ""
        for c in Columns.clean(text) {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
