import TerminalCore

/// What can go wrong at the desk (waiting for a credential, keeping check-ins and visits
/// between the API's requests), in words the doctor can act on.
package enum CheckinProblem: TerminalError, Equatable {
    case busy
    case timeout(seconds: Int)
    case cancelled
    case stopping
    case unknownCheckin(String)
    case unknownVisit(Int64)
    case visitNotInProgress(Int64, state: String)
    case visitBusy(Int64)
    case invalidIDNumber(String)
    case invalidRequest(String)

    package var code: String {
        switch self {
        case .busy: "CHECKIN-BUSY"
        case .timeout: "CHECKIN-TIMEOUT"
        case .cancelled: "CHECKIN-CANCELLED"
        case .stopping: "CHECKIN-STOPPING"
        case .unknownCheckin: "CHECKIN-UNKNOWN"
        case .unknownVisit: "VISIT-UNKNOWN"
        case .visitNotInProgress: "VISIT-NOT-IN-PROGRESS"
        case .visitBusy: "VISIT-BUSY"
        case .invalidIDNumber: "CHECKIN-BAD-ID-NUMBER"
        case .invalidRequest: "REQUEST-INVALID"
        }
    }

    package var message: String {
        switch self {
        case .busy:
            "Another check-in is already waiting for a card, code or face. Finish or cancel it first."
        case .timeout(let s):
            "No card, code or face was presented within \(s) s. Start the check-in again."
        case .cancelled:
            "The check-in was cancelled before a card, code or face was presented."
        case .stopping:
            "The terminal is stopping (restart or update). Check the patient in again when it is back."
        case .unknownCheckin(let id):
            "There is no check-in \(id) (check-ins are kept for 4 hours). Check the patient in again."
        case .unknownVisit(let id):
            "There is no visit \(id) in the journal."
        case .visitNotInProgress(let id, let state):
            "Visit \(id) is \(state): it is not waiting for this step. Start a new visit if needed."
        case .visitBusy(let id):
            "Visit \(id) is already being worked on by another request. Wait for it to finish."
        case .invalidIDNumber(let why):
            "The ID number is not valid (\(why)). Check it against the patient's ID card."
        case .invalidRequest(let why):
            "The request is not valid: \(why)."
        }
    }
}
