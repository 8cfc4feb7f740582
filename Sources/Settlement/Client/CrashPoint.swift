import Foundation

/// Fault injection for the crash tests and the soak script: when `CUNTONG_CRASH_AT` is
/// `<infno>:<point>` (e.g. `2207:after-send`), the process SIGKILLs itself there, exactly
/// as `kill -9` would. Points: `before-send` (journaled, not sent), `after-send` (the core
/// has answered, nothing recorded), `after-answer` (answer recorded, visit not updated),
/// `after-journal` (everything recorded); `1301:mid-import` (a catalogue file half imported). Unset in production; costs one lookup.
package enum CrashPoint {
    static let target: String? = ProcessInfo.processInfo.environment["CUNTONG_CRASH_AT"]

    package static func hit(_ infno: String, _ point: String) {
        guard let target, target == "\(infno):\(point)" else { return }
        kill(getpid(), SIGKILL)
    }
}
