import TerminalCore

/// What can go wrong with a scanner, in words the doctor or technician can act on.
package enum ScanError: TerminalError, Equatable {
    case noScanner
    case deviceNotFound(String)
    case permissionDenied(String)
    case deviceGone(String)
    case modeUnknown(String)
    case timeout(seconds: Int)
    case rejected(PayloadClassifier.Problem)
    case deviceError(String, String)

    package var code: String {
        switch self {
        case .noScanner: "SCAN-NO-SCANNER"
        case .deviceNotFound: "SCAN-DEVICE-NOT-FOUND"
        case .permissionDenied: "SCAN-PERMISSION"
        case .deviceGone: "SCAN-DEVICE-GONE"
        case .modeUnknown: "SCAN-MODE-UNKNOWN"
        case .timeout: "SCAN-TIMEOUT"
        case .rejected(let problem): problem.code
        case .deviceError: "SCAN-DEVICE-ERROR"
        }
    }

    package var message: String {
        switch self {
        case .noScanner:
            "No QR scanner is connected. Plug the scanner in (or give --device) and try again."
        case .deviceNotFound(let path):
            "There is no device \(path). Check the cable, or list scanners with `cuntong scan --list`."
        case .permissionDenied(let path):
            "cuntong may not read \(path). Install cuntong's udev rules (group cuntong) or run as a member of that group."
        case .deviceGone(let path):
            "The scanner \(path) was unplugged. Plug it back in."
        case .modeUnknown(let path):
            "\(path) is not a scanner cuntong knows; say how it sends codes with --mode keyboard, hidpos or serial."
        case .timeout(let s):
            "No code was scanned within \(s) s. Ask the patient to hold the code under the scanner."
        case .rejected(let problem):
            problem.message
        case .deviceError(let path, let why):
            "The scanner \(path) failed: \(why). Unplug it and plug it back in."
        }
    }
}
