import Catalogue
import CheckinDesk
import LocalAPI
import Settlement
import TerminalCore

/// An error as the API answers it: an HTTP status and a `Problem` (code + message).
struct APIProblem {
    let status: Int
    let problem: Components.Schemas.Problem

    init(status: Int, code: String, message: String, visitState: String? = nil) {
        self.status = status
        problem = .init(code: code, message: message, visitState: visitState)
    }

    init(_ error: any Error) {
        let status: Int
        switch error {
        case let e as CheckinProblem:
            switch e {
            case .busy, .visitBusy, .visitNotInProgress: status = 409
            case .timeout, .cancelled: status = 408
            case .stopping: status = 503
            case .unknownCheckin, .unknownVisit: status = 404
            case .invalidIDNumber, .invalidRequest: status = 422
            }
        case let e as SettlementError:
            switch e {
            case .coreUnreachable: status = 503
            case .coreTimeout: status = 504
            case .badAnswer, .unreadableOutput, .refused, .tls, .settlementInDoubt, .settledNeedsReview: status = 502
            case .codeRefused: status = 422
            case .notAllowed: status = 409
            case .configuration, .journal: status = 500
            }
        case is FeeList.Problem: status = 422
        // A fee row the catalogue refuses: the request is wrong, nothing was sent.
        case is FeeRefusal: status = 422
        case let e as CatalogueError:
            if case .core(_, let inner) = e { status = APIProblem(inner).status } else { status = 500 }
        default: status = 500
        }
        self.init(status: status, code: error.code, message: error.message)
    }

    var response: Components.Responses.Problem { .init(body: .json(problem)) }
}
