import Foundation
import TerminalCore

/// One line of a 3201 reconciliation: the journal's totals and the core's verdict.
public struct ReconciliationLine: Sendable, Codable, Equatable {
    public var day: String
    public var insutype: String
    public var count: Int
    public var medfeeSumamt: Money
    public var fundPaySumamt: Money
    public var acctPay: Money
    /// The core's `stmt_rslt`: 0 = agrees (平), 1 = does not (不平).
    public var result: String
    public var detail: String

    public var agrees: Bool { result == "0" }
}

extension SettlementClient {
    /// Insurance types always reconciled, even on a day the journal has none: a settlement
    /// the core has and the journal lacks must show up as a mismatch.
    static let alwaysReconciled = ["310", "390"]

    /// 3201 for `day` (`yyyy-MM-dd`), one message per insurance type, with the totals the
    /// journal holds for settled visits. A mismatch is returned, never hidden.
    public func reconcile(day: String) async throws(SettlementError) -> [ReconciliationLine] {
        let totals = try journal.dayTotals(day: day)
        var types = Self.alwaysReconciled
        for t in totals where !types.contains(t.insutype) { types.append(t.insutype) }
        var lines: [ReconciliationLine] = []
        for insutype in types.sorted() {
            let t = totals.first { $0.insutype == insutype }
                ?? Journal.DayTotal(insutype: insutype, medfeeSumamt: 0, fundPaySumamt: 0, acctPay: 0, count: 0)
            let input = ReconcileInput(data: .init(
                insutype: insutype, clr_type: "11", setl_optins: settings.adminDivision, stmt_begndate: day,
                stmt_enddate: day, medfee_sumamt: Money(fen: t.medfeeSumamt), fund_pay_sumamt: Money(fen: t.fundPaySumamt),
                acct_pay: Money(fen: t.acctPay), fixmedins_setl_cnt: t.count))
            let (out, _) = try await call("3201", input, as: ReconcileOutput.self)
            lines.append(ReconciliationLine(
                day: day, insutype: insutype, count: t.count, medfeeSumamt: Money(fen: t.medfeeSumamt),
                fundPaySumamt: Money(fen: t.fundPaySumamt), acctPay: Money(fen: t.acctPay),
                result: out.stmtinfo.stmt_rslt, detail: out.stmtinfo.stmt_rslt_dscr ?? ""))
        }
        return lines
    }
}
