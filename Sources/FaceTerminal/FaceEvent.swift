import TerminalCore

/// What the face-scan module reports during one scan (hardware-sim/face/PROTOCOL.md).
package enum FaceEvent: Sendable, Equatable {
    case faceFound
    case livenessFailed
    case matched(token: String)
    case noMatch
    case timeout
    case cancelled
    case deviceError(String)
    /// The module refused the command (`busy`, `bad-request`).
    case refused(code: String, message: String)

    /// After a final event the scan is over.
    package var isFinal: Bool { self != .faceFound }

    /// What the patient is shown, in the words of the check-in page.
    package var patientMessage: String {
        switch self {
        case .faceFound: "请正对摄像头"
        case .livenessFailed, .noMatch: "未识别，请重试或刷卡"
        case .timeout: "未检测到人脸，请重试或刷卡"
        case .matched: "已识别"
        case .cancelled: "已取消"
        case .deviceError, .refused: "刷脸设备故障，请刷卡或扫码"
        }
    }

    /// A stable code for the outcome, for logs and scripts.
    package var code: String {
        switch self {
        case .faceFound: "FACE-FOUND"
        case .livenessFailed: "FACE-LIVENESS-FAILED"
        case .matched: "FACE-MATCHED"
        case .noMatch: "FACE-NO-MATCH"
        case .timeout: "FACE-TIMEOUT"
        case .cancelled: "FACE-CANCELLED"
        case .deviceError: "FACE-DEVICE-ERROR"
        case .refused(let code, _): code == "busy" ? "FACE-BUSY" : "FACE-REFUSED"
        }
    }

    /// The protocol's name for it, for logs and JSON.
    package var name: String {
        switch self {
        case .faceFound: "faceFound"
        case .livenessFailed: "livenessFailed"
        case .matched: "matched"
        case .noMatch: "noMatch"
        case .timeout: "timeout"
        case .cancelled: "cancelled"
        case .deviceError: "deviceError"
        case .refused: "error"
        }
    }

    /// The face credential a match gives; nothing else gives one.
    package func credential(source: String) -> Credential? {
        guard case .matched(let token) = self else { return nil }
        return Credential(kind: .faceAuthToken, payload: token, source: source)
    }
}

package struct FaceStatus: Sendable, Equatable {
    package var state: String
    package var model: String
    package var serial: String
}

package enum FaceError: TerminalError, Equatable {
    case unreachable(String, String)
    case closed(String)
    case noAnswer(String)
    case busy(String)

    package var code: String {
        switch self {
        case .unreachable: "FACE-UNREACHABLE"
        case .closed: "FACE-CLOSED"
        case .noAnswer: "FACE-NO-ANSWER"
        case .busy: "FACE-BUSY"
        }
    }

    package var message: String {
        switch self {
        case .unreachable(let where_, let why):
            "The face-scan terminal at \(where_) cannot be reached (\(why)). Check its cable or network; meanwhile use the card or the QR code."
        case .closed(let where_):
            "The face-scan terminal at \(where_) went away. Check its cable; meanwhile use the card or the QR code."
        case .noAnswer(let where_):
            "The face-scan terminal at \(where_) does not answer. Restart it; meanwhile use the card or the QR code."
        case .busy(let where_):
            "The face-scan terminal at \(where_) is busy with another scan. Wait a moment and try again."
        }
    }
}
