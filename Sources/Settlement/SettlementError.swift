import TerminalCore

/// What can go wrong between the terminal and the city core, in words a village doctor can
/// act on. Personal data never appears here.
package enum SettlementError: TerminalError, Equatable {
    /// No TCP connection to the core (link down, wrong URL, core stopped).
    case coreUnreachable(String)
    /// Sent, but no answer in time: whatever the message did at the core is unknown.
    case coreTimeout(infno: String, milliseconds: Int)
    /// The core answered something that is not the platform's envelope.
    case badAnswer(infno: String, detail: String)
    /// The core accepted the message (`infcode` 0) but its `output` cannot be read: done at
    /// the core, not in doubt.
    case unreadableOutput(infno: String, detail: String)
    /// The core confirmed a settlement (2207, `infcode` 0) whose answer cannot be read: it is
    /// settled, kept for review with the raw answer, and never reversed by cuntong.
    case settledNeedsReview(visit: Int64)
    /// The core refused the message (`infcode` ≠ 0), with its own reason.
    case refused(infno: String, infcode: Int, reason: String)
    /// The TLS certificate of the core could not be verified.
    case tls(String)
    case configuration(String)
    case journal(String)
    /// A settlement's answer was lost. `reversed` says whether 冲正 already undid it.
    case settlementInDoubt(visit: Int64, reversed: Bool)
    case codeRefused(String)
    /// What was asked cannot be done from where the visit stands; nothing was sent.
    case notAllowed(String)

    package var code: String {
        switch self {
        case .coreUnreachable: "CORE-UNREACHABLE"
        case .coreTimeout: "CORE-TIMEOUT"
        case .badAnswer: "CORE-BAD-ANSWER"
        case .unreadableOutput: "CORE-OUTPUT-UNREADABLE"
        case .settledNeedsReview: "SETTLE-NEEDS-REVIEW"
        case .refused: "CORE-REFUSED"
        case .tls: "CORE-TLS"
        case .configuration: "CONFIG-INVALID"
        case .journal: "JOURNAL-ERROR"
        case .settlementInDoubt: "SETTLE-IN-DOUBT"
        case .codeRefused: "EC-REFUSED"
        case .notAllowed: "SETTLE-NOT-ALLOWED"
        }
    }

    package var message: String {
        switch self {
        case .coreUnreachable(let detail):
            "The city settlement core cannot be reached (\(detail)). Check the network link; nothing was charged by this step."
        case .coreTimeout(let infno, let ms):
            "The city settlement core did not answer transaction \(infno) within \(ms) ms."
        case .badAnswer(let infno, let detail):
            "The city settlement core sent an answer to \(infno) that cannot be read (\(detail))."
        case .unreadableOutput(let infno, let detail):
            "The city settlement core accepted transaction \(infno), but its answer cannot be read (\(detail)). It was done at the core; the raw answer is kept in the journal."
        case .settledNeedsReview(let visit):
            "Visit \(visit): the city settlement core CONFIRMED the settlement, but its answer cannot be read, so the split is not shown. Do not settle this visit again and do not ask for a refund here: it is kept as settled-needs-review with the core's raw answer (`cuntong journal list` names its 2207 msgid, `cuntong journal show MSGID` prints it); ask the insurance office to confirm the amounts."
        case .refused(let infno, let infcode, let reason):
            "The city settlement core refused transaction \(infno): \(reason) (infcode \(infcode))."
        case .tls(let detail):
            "The city settlement core's certificate could not be verified (\(detail)). Check [core] ca_file."
        case .configuration(let detail):
            "The configuration is not usable: \(detail)."
        case .journal(let detail):
            "The local settlement journal could not be written (\(detail)). Do not settle until this is fixed: check disk space and the state directory."
        case .settlementInDoubt(let visit, let reversed):
            reversed
                ? "Visit \(visit): the answer to the settlement was lost, so it has been reversed at the core (冲正). The patient was not charged; settle again."
                : "Visit \(visit): the answer to the settlement was lost and the core cannot be reached to reverse it. The settlement is IN DOUBT: do not settle this visit again; `cuntong journal recover` (and the daemon) will reverse it when the link is back."
        case .codeRefused(let reason):
            "The code was refused: \(reason). Ask the patient to refresh the code in the app, or use the card."
        case .notAllowed(let why):
            "This cannot be done: \(why). Nothing was sent to the core."
        }
    }

    /// A failure after which the message may or may not have taken effect at the core.
    package var leavesMessageInDoubt: Bool {
        switch self {
        case .coreTimeout, .badAnswer: true
        default: false
        }
    }
}
