import Foundation
import GRDB

/// Where a journaled message stands. A message is written before it is sent and its
/// answer when it comes, so after a crash the journal says what might have happened.
package enum MessageState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    /// Written, not yet handed to the network. Never reached the core.
    case queued
    /// Handed to the network: the core may have it. If the process dies now, in doubt.
    case sending
    /// The core answered (`infcode` 0).
    case answered
    /// The core answered with a refusal (`infcode` ≠ 0): it did nothing.
    case refused
    /// Sent, no answer: whether it took effect is unknown until recovery resolves it.
    case inDoubt
    /// A money message undone by 2601 冲正.
    case reversed
    /// Never sent and never will be (a query that failed, or a settlement whose patient
    /// has gone): it had no effect at the core.
    case abandoned
}

package struct JournalMessage: Codable, Sendable, FetchableRecord, PersistableRecord {
    package static let databaseTableName = "message"
    package var msgid: String
    package var infno: String
    package var visitId: Int64?
    package var state: MessageState
    /// The whole request envelope, as sent.
    package var request: Data
    package var answer: Data?
    package var infcode: Int?
    package var errMsg: String?
    package var attempts: Int
    package var createdAt: Double
    package var sentAt: Double?
    package var answeredAt: Double?
    /// For 2601: the msgid it reverses.
    package var reversesMsgid: String?

    enum CodingKeys: String, CodingKey {
        case msgid, infno, state, request, answer, infcode, attempts
        case visitId = "visit_id", errMsg = "err_msg", createdAt = "created_at", sentAt = "sent_at"
        case answeredAt = "answered_at", reversesMsgid = "reverses_msgid"
    }
}

/// One outpatient visit from registration to settlement (or its undoing).
package enum VisitState: String, Codable, Sendable, CaseIterable, DatabaseValueConvertible {
    case open, registered, uploaded, presettled, settling, settled, reversing, reversed, cancelled
    /// The core confirmed the settlement (2207 `infcode` 0) but its answer could not be read:
    /// settled at the core, amounts unknown here. Never reversed or cancelled by cuntong; a
    /// person reviews it with the raw answer kept on the 2207 message.
    case needsReview = "settled-needs-review"

    /// Nothing further will happen to a visit in these states by itself.
    package var isFinal: Bool { self == .settled || self == .reversed || self == .cancelled || self == .needsReview }
}

package struct JournalVisit: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    package static let databaseTableName = "visit"
    package var id: Int64?
    package var psnNo: String
    package var certType: String
    package var certNo: String
    package var insutype: String
    package var insuplcAdmdvs: String
    package var iptOtpNo: String
    package var mdtrtId: String?
    package var chrgBchno: String?
    package var setlId: String?
    package var state: VisitState
    /// Amounts in fen, from the core's 2207 answer: what 3201 reconciles.
    package var medfeeSumamt: Int64?
    package var fundPaySumamt: Int64?
    package var acctPay: Int64?
    package var cashPay: Int64?
    /// The China-time day of the settlement, `yyyy-MM-dd`.
    package var setlDay: String?
    /// From the 2207 answer: 清算类别 and 清算经办机构, which 3201 groups by.
    package var clrType: String?
    package var clrOptins: String?
    package var ownerPid: Int32
    package var createdAt: Double
    package var updatedAt: Double
    package var note: String?

    enum CodingKeys: String, CodingKey {
        case id, state, note
        case psnNo = "psn_no", certType = "cert_type", certNo = "cert_no", insutype
        case insuplcAdmdvs = "insuplc_admdvs", iptOtpNo = "ipt_otp_no", mdtrtId = "mdtrt_id"
        case chrgBchno = "chrg_bchno", setlId = "setl_id", medfeeSumamt = "medfee_sumamt"
        case fundPaySumamt = "fund_pay_sumamt", acctPay = "acct_pay", cashPay = "cash_pay"
        case setlDay = "setl_day", clrType = "clr_type", clrOptins = "clr_optins", ownerPid = "owner_pid", createdAt = "created_at", updatedAt = "updated_at"
    }

    package mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}
