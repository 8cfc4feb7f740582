import Foundation

/// Whether the process that owned a visit is still running. A zombie counts as gone: a
/// killed process whose parent has not reaped it (or whose parent died, in a container
/// whose PID 1 does not reap) still answers `kill(pid, 0)`.
enum ProcessLiveness {
    static func isAlive(_ pid: Int32) -> Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return true }
        // Field 3, after "pid (comm) ": R, S, D, T, … or Z (zombie), X (dead).
        let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
        return state != "Z" && state != "X"
    }
}
