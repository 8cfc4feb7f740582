import ArgumentParser
import Config
import Foundation
import LocalAPI

/// `cuntong status`: asks the running daemon (its local API on the Unix socket) what it has.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What the running daemon sees: readers, scanners, face terminal, core link, queue.",
        discussion: """
            Asks cuntongd over its local API (GET /v1/status on [api] socket, default
            /run/cuntong/api.sock; you must be in the cuntong group). Exit status: 0 all well;
            1 the daemon cannot be reached; 2 it runs but something needs attention (core
            unreachable, messages in doubt).
            """)

    @OptionGroup var config: ConfigOption

    @Option(help: "The API socket (default: [api] socket of the configuration).")
    var socket: String?

    @Flag(help: "Print the daemon's JSON as it is.")
    var json = false

    func run() async throws {
        let path = try socket ?? TerminalConfig.load(path: config.path).apiSocket
        let body: Data
        do {
            body = try await DaemonStatus.raw(socket: path)
        } catch {
            Output.error("cuntongd does not answer on \(path) (\(error)). Is it running? `systemctl status cuntongd`; "
                         + "are you in the cuntong group?")
            throw ExitCode(1)
        }
        guard let s = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            Output.error("cuntongd answered something that is not its status")
            throw ExitCode(1)
        }
        if json {
            Output.line(String(decoding: body, as: UTF8.self))
        } else {
            Output.line(Self.text(s))
        }
        let core = s["core"] as? [String: Any] ?? [:]
        let queue = s["queue"] as? [String: Any] ?? [:]
        if core["reachable"] as? Bool == false || (queue["inDoubt"] as? Int ?? 0) > 0 { throw ExitCode(2) }
    }

    static func text(_ s: [String: Any]) -> String {
        let institution = s["institution"] as? [String: Any] ?? [:]
        let core = s["core"] as? [String: Any] ?? [:]
        let queue = s["queue"] as? [String: Any] ?? [:]
        let face = s["face"] as? [String: Any] ?? [:]
        var lines = ["cuntongd \(s["version"] ?? "?")  \(institution["name"] ?? "") (\(institution["code"] ?? ""))"
                     + ((s["simulator"] as? Bool == true) ? "  SIMULATOR MODE" : "")]
        let readers = s["readers"] as? [[String: Any]] ?? []
        lines.append("Readers     " + (readers.isEmpty ? "none" : readers.map {
            "\($0["name"] ?? "")\($0["virtual"] as? Bool == true ? " (virtual)" : "")\($0["cardPresent"] as? Bool == true ? " [card]" : "")"
        }.joined(separator: ", ")))
        let scanners = s["scanners"] as? [[String: Any]] ?? []
        lines.append("Scanners    " + (scanners.isEmpty ? "none" : scanners.map { "\($0["device"] ?? "") (\($0["mode"] ?? ""))" }.joined(separator: ", ")))
        lines.append("Face        " + (face["configured"] as? Bool == true
            ? "\(face["endpoint"] ?? "")" + (face["lastResult"].map { ", last \($0)" } ?? "") : "not configured"))
        let reachable = core["reachable"] as? Bool
        let since = (core["since"] as? String).map { " since \($0)" } ?? ""
        let reason = (core["reason"] as? String).map { " (\($0))" } ?? ""
        lines.append("Core        \(core["url"] ?? "")  "
                     + (reachable == nil ? "not contacted yet" : reachable! ? "reachable" : "UNREACHABLE\(since)\(reason)")
                     + ((core["signedIn"] as? Bool == true) ? ", signed in today" : ", not signed in today")
                     + (reachable == true ? " — up\(since)" : ""))
        lines.append("Journal     in doubt \(queue["inDoubt"] ?? 0), queued \(queue["queued"] ?? 0)")
        if s["checkinWaiting"] as? Bool == true { lines.append("Check-in    waiting for a card, code or face") }
        if let notice = s["notice"] { lines.append("Notice      \(notice)") }
        return lines.joined(separator: "\n")
    }
}
