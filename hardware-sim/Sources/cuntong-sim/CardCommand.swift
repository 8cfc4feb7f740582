import ArgumentParser
import Foundation
import HardwareSim

struct CardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: "A virtual social-security card in a vpcd reader (\"Virtual PCD 00 0N\").",
        discussion: """
            Needs pcscd running with the vsmartcard vpcd driver (hardware-sim/pcscd-up).
            The card is inserted at start (unless --removed) and stays until the program ends,
            the fault pulls it, or REMOVE comes on the control socket.

            Faults: \(CardFault.usage)
              pull-after:N   answer N command APDUs, then the card is pulled
              mute           answer the reset but no command
              wrong-sw:XXXX  answer every READ RECORD with status word XXXX (e.g. 6982, 6F00)
              tlv-short      a record whose TLV length runs past its data (default: the name)
              bank           a bank card: no social-security application

            Example:
              cuntong-sim card --holder hardware-sim/cards/ouyang-miao.json --control /tmp/card0.sock
              echo STATUS | socat - UNIX-CONNECT:/tmp/card0.sock
            """)

    @Option(help: "Cardholder file (hardware-sim/cards/*.json; installed: /usr/share/cuntong-sim/cards/*.json).")
    var holder: String

    @Option(help: "vpcd slot: 0 is \"Virtual PCD 00 00\" on port 35963, 1 is \"00 01\" on 35964.")
    var slot: Int = 0

    @Option(help: "vpcd port (overrides --slot).")
    var port: Int?

    @Option(help: "vpcd host.")
    var host: String = "127.0.0.1"

    @Option(help: "Fault to show: \(CardFault.usage).")
    var fault: String = "none"

    @Option(help: "Path of the control socket to create.")
    var control: String?

    @Flag(help: "Start with the card out of the reader (insert it with INSERT on the control socket).")
    var removed = false

    func validate() throws {
        guard CardFault(parsing: fault) != nil else {
            throw ValidationError("unknown fault \"\(fault)\"; use \(CardFault.usage)")
        }
        guard (0...15).contains(slot) else { throw ValidationError("--slot must be 0…15") }
        if removed && control == nil {
            throw ValidationError("--removed needs --control, or the card could never be inserted")
        }
    }

    func run() async throws {
        let profile: CardholderProfile
        do {
            profile = try CardholderProfile.load(path: holder)
        } catch {
            throw ValidationError("cannot read cardholder file \(holder): \(error)")
        }
        let simulator = CardSimulator(holder: profile, fault: CardFault(parsing: fault)!, host: host,
                                      port: port ?? CardSimulator.port(slot: slot))
        if !removed {
            do {
                try await simulator.insert()
            } catch {
                FileHandle.standardError.write(Data("cuntong-sim: \(error)\n".utf8))
                throw ExitCode(1)
            }
        }
        var banner = "card simulator: \(profile.description), \(removed ? "not inserted" : "inserted"), vpcd \(host):\(simulator.port), fault \(fault)\n"
        if let control { banner += "control socket: \(control)\n" }
        FileHandle.standardOutput.write(Data(banner.utf8))

        let (quit, quitContinuation) = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let control {
                group.addTask {
                    try await ControlServer(path: control) { line in
                        let answer = await CardControl.handle(line, simulator: simulator)
                        if line.uppercased() == "QUIT" { quitContinuation.yield() }
                        return answer
                    }.run()
                }
            } else {
                // Without a control socket the run ends when the card is pulled by a fault.
                group.addTask {
                    await simulator.waitUntilRemoved()
                    quitContinuation.yield()
                }
            }
            group.addTask {
                for await _ in quit { break }
                // Let the QUIT answer reach the client before the socket closes.
                try await Task.sleep(for: .milliseconds(100))
                throw CancellationError()
            }
            do {
                try await group.next()
            } catch is CancellationError {
            }
            group.cancelAll()
        }
        await simulator.remove()
    }
}
