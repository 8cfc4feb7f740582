import Foundation
import GRDB
import TerminalCore

/// The ledger faults (`ledger-forget:SETL_ID`, `ledger-extra`): the core's books disagree with
/// the terminal's, as 3201 and 3202 must reveal.
extension CoreSimulator {
    /// Applies ledger faults; `fixmedinsCode` is the institution of the request that brought
    /// them (ledger-extra's settlement is made for it; without a valid one it is dropped).
    package func apply(_ faults: [CoreFault], fixmedinsCode code: String) {
        try? ledger.db.write { db in
            for fault in faults {
                switch fault.kind {
                case .ledgerForget:
                    try db.execute(sql: "DELETE FROM settlement WHERE setl_id = ?", arguments: [fault.target])
                case .ledgerExtra where code.count == 12:
                    try addExtraSettlement(code: code, in: db)
                default:
                    break
                }
            }
        }
    }

    /// A settlement the terminal never made: a resident (390, no medical aid, no pause or
    /// filing) with one 一般诊疗费 of 10.00, registered, fee'd and settled by the policy today.
    /// The person's own figures are left as they were (the books alone are wrong).
    func addExtraSettlement(code: String, in db: Database) throws {
        guard let p = persons.first(where: {
            $0.insurance.insutype == "390" && $0.insurance.psn_insu_stas == "1" && $0.medicalAidCategory == nil
                && $0.benefitPause == nil && ($0.chronicDiseases ?? []).isEmpty
        }), let state = try CoreLedger.state(of: p.psn_no, in: db) else { return }
        let now = time(clock())
        let stamp = now.filter(\.isNumber)
        let msgid = code + stamp + "9999"
        let mdtrtId = "M" + String(format: "%012lld", try CoreLedger.next("mdtrt", in: db))
        try db.execute(sql: """
            INSERT INTO visit (mdtrt_id, psn_no, fixmedins_code, ipt_otp_no, insutype, state, msgid, begntime, endtime,
                               med_type, mdtrt_cert_type, opt_time)
            VALUES (?, ?, ?, ?, '390', 'registered', ?, ?, ?, '11', '02', ?)
            """, arguments: [mdtrtId, p.psn_no, code, "EXTRA" + stamp, msgid, now, now, now])
        let item = "001102000010000-110200001", amount = Money(yuan: "10.00")!
        let line = policy.classify(code: item, amount: amount)
        let raw = """
            {"cnt":1,"det_item_fee_sumamt":10,"fee_ocur_time":"\(now)","feedetl_sn":"1","med_list_codg":"\(item)",\
            "medins_list_codg":"ZL001","pric":10}
            """
        try db.execute(sql: """
            INSERT INTO fee (mdtrt_id, feedetl_sn, chrg_bchno, code, amount, level, full_own, pre_self, in_scope, state, msgid,
                             raw, opt_time)
            VALUES (?, '1', 'EXTRA', ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?)
            """, arguments: [mdtrtId, item, amount.fen, line.level, line.fullOwnPay.fen, line.preSelfPay.fen,
                             line.inScope.fen, msgid, raw, now])
        let split = policy.split(lines: [line], insutype: "390", aidCategory: nil, accountBalance: state.balance,
                                 useAccount: false, yearToDate: state.ytd)
        let setlId = "S" + String(format: "%012lld", try CoreLedger.next("setl", in: db))
        try db.execute(sql: """
            INSERT INTO settlement (setl_id, mdtrt_id, psn_no, fixmedins_code, insutype, day, total, fund, acct, cash,
                                    basic, ci, aid, ci_base_delta, aid_base_delta, state, msgid, clr_optins, clr_type,
                                    setl_time, med_type, mdtrt_cert_type, chrg_bchno, full_own, pre_self, in_scope,
                                    pool_self, balc)
            VALUES (?, ?, ?, ?, '390', ?, ?, ?, 0, ?, ?, ?, 0, 0, 0, 'settled', ?, ?, '11', ?, '11', '02', 'EXTRA', ?, ?, ?, ?, ?)
            """, arguments: [setlId, mdtrtId, p.psn_no, code, String(now.prefix(10)), split.total.fen, split.fundTotal.fen,
                             split.cash.fen, split.basicFund.fen, split.criticalIllness.fen, msgid,
                             p.insurance.insuplc_admdvs, now, split.fullOwnPay.fen, split.preSelfPay.fen, split.inScope.fen,
                             split.poolSelfPay.fen, state.balance.fen])
    }
}
