import Foundation
import TerminalCore

/// One line of a 3201 reconciliation: the journal's totals for one insurance type,
/// clearing type and clearing agency, and the core's verdict.
package struct ReconciliationLine: Sendable, Codable, Equatable {
    package var day: String
    package var insutype: String
    package var clrType: String
    package var setlOptins: String
    package var count: Int
    package var medfeeSumamt: Money
    package var fundPaySumamt: Money
    package var acctPay: Money
    /// The core's `stmt_rslt`: 0 = agrees (平), 1 = does not (不平).
    package var result: String
    package var detail: String

    package var agrees: Bool { result == "0" }
}

extension SettlementClient {
    /// Insurance types always reconciled, even on a day the journal has none: a settlement
    /// the core has and the journal lacks must show up as a mismatch.
    static let alwaysReconciled = ["310", "390"]

    /// 3201 for `day` (`yyyy-MM-dd`): one message per insurance type × clearing type
    /// (`clr_type`) × clearing agency (`clr_optins` of the 2207 answers, sent as
    /// `setl_optins`), with the totals the journal holds for settled visits and
    /// `refd_setl_flag` 0 (reversed settlements left out on both sides). The types in
    /// `alwaysReconciled` are sent even when empty, under outpatient clearing (11) at the
    /// clinic's own division. A mismatch is returned, never hidden.
    package func reconcile(day: String) async throws(SettlementError) -> [ReconciliationLine] {
        var totals = try await journal.dayTotals(day: day)
        for insutype in Self.alwaysReconciled where !totals.contains(where: { $0.insutype == insutype }) {
            totals.append(Journal.DayTotal(insutype: insutype, clrType: "11", clrOptins: settings.adminDivision,
                                           medfeeSumamt: 0, fundPaySumamt: 0, acctPay: 0, count: 0))
        }
        totals.sort { ($0.insutype, $0.clrType, $0.clrOptins) < ($1.insutype, $1.clrType, $1.clrOptins) }
        var lines: [ReconciliationLine] = []
        for t in totals {
            let input = ReconcileInput(data: .init(
                insutype: t.insutype, clr_type: t.clrType, setl_optins: t.clrOptins, stmt_begndate: day,
                stmt_enddate: day, medfee_sumamt: WireNumber(Money(fen: t.medfeeSumamt)),
                fund_pay_sumamt: WireNumber(Money(fen: t.fundPaySumamt)), acct_pay: WireNumber(Money(fen: t.acctPay)),
                fixmedins_setl_cnt: t.count, refd_setl_flag: "0"))
            let (out, _) = try await call(.reconcile, input, as: ReconcileOutput.self)
            lines.append(ReconciliationLine(
                day: day, insutype: t.insutype, clrType: t.clrType, setlOptins: t.clrOptins, count: t.count,
                medfeeSumamt: Money(fen: t.medfeeSumamt), fundPaySumamt: Money(fen: t.fundPaySumamt),
                acctPay: Money(fen: t.acctPay), result: out.stmt_rslt, detail: out.stmt_rslt_dscr ?? ""))
        }
        // Only a day that agreed on every line may later have its personal data redacted.
        try await journal.setReconciled(day: day, agreed: lines.allSatisfy(\.agrees), now: now())
        return lines
    }
}
