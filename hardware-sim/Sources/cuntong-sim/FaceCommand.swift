import ArgumentParser
import Foundation
import HardwareSim
import NIOCore

struct FaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "face",
        abstract: "A virtual face-scan terminal speaking hardware-sim/face/PROTOCOL.md on TCP or a pty.",
        discussion: """
            Each scan takes the next outcome of --outcomes (the last repeats): matched (with the
            next --token), no-match, liveness-failed, timeout (after the requested timeout),
            device-error, silent (never answers, not even the ack).

            Examples:
              cuntong-sim face --tcp 7788 --outcomes no-match,matched --token FACE-WX-0001
              cuntong face scan --tcp 127.0.0.1:7788
              cuntong-sim face --pty /tmp/cuntong-sim/ttyFACE0 &
              cuntong face scan --device /tmp/cuntong-sim/ttyFACE0
            The tokens in hardware-sim/core/persons/*.json are the ones the simulated core knows.
            """)

    @Option(help: "Listen on this TCP port (127.0.0.1).")
    var tcp: Int?

    @Option(help: "Serve on a pty and link its device here.")
    var pty: String?

    @Option(help: "Outcomes of successive scans, comma-separated.")
    var outcomes: String = "matched"

    @Option(help: "A face-auth token to hand out on a match (repeatable, used in turn).")
    var token: [String] = []

    @Option(help: "Milliseconds from start to faceFound.")
    var faceAfterMs: Int = 200

    @Option(help: "Milliseconds from faceFound to the result.")
    var resultAfterMs: Int = 300

    func validate() throws {
        guard (tcp == nil) != (pty == nil) else { throw ValidationError("give one of --tcp or --pty") }
        for o in outcomes.split(separator: ",") where FaceModuleSimulator.Outcome(rawValue: String(o)) == nil {
            throw ValidationError("unknown outcome \(o); use \(FaceModuleSimulator.Outcome.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() async throws {
        let module = FaceModuleSimulator(
            outcomes: outcomes.split(separator: ",").compactMap { FaceModuleSimulator.Outcome(rawValue: String($0)) },
            tokens: token, faceAfterMs: faceAfterMs, resultAfterMs: resultAfterMs)
        let channel: any Channel
        if let tcp {
            channel = try await module.serveTCP(port: tcp)
            print("cuntong-sim face: listening on 127.0.0.1:\(channel.localAddress?.port ?? tcp)")
        } else {
            let (c, device) = try await module.servePTY(link: pty)
            channel = c
            print("cuntong-sim face: on \(device), linked at \(pty!)")
        }
        fflush(nil)
        try await channel.closeFuture.get()
    }
}
