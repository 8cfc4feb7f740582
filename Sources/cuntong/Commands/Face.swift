import ArgumentParser
import FaceTerminal
import Foundation
import TerminalCore

struct Face: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drive the face-scan terminal (刷脸).",
        subcommands: [Scan.self, Status.self])

    struct Where: ParsableArguments {
        @Option(help: "The face terminal's serial device, e.g. /dev/ttyACM1.")
        var device: String?

        @Option(help: "The face terminal's TCP address, HOST:PORT.")
        var tcp: String?

        func validate() throws {
            guard FaceEndpoint.parse(device: device, tcp: tcp) != nil else {
                throw ValidationError("give one of --device PATH or --tcp HOST:PORT")
            }
        }

        var endpoint: FaceEndpoint { FaceEndpoint.parse(device: device, tcp: tcp)! }
    }
}

extension Face {
    struct Scan: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start one face scan and print its result.",
            discussion: """
                Prints what the patient is shown as the scan goes ("请正对摄像头"), then the
                result. A match gives a one-time face-auth token (masked unless --reveal).
                Anything else — no match, not a live face, timeout, a device error — is a
                message on stderr and exit status 1. Ctrl-C cancels the scan on the terminal.
                JSON keys: outcome, kind ("face"), payload (the token), device.
                Protocol: hardware-sim/face/PROTOCOL.md.
                """)

        @OptionGroup var where_: Where

        @Option(help: "Seconds the terminal may look for a face (1-120).")
        var timeout: Int = 30

        @Flag(help: "Print JSON.")
        var json = false

        @Flag(help: "Show the token unmasked.")
        var reveal = false

        func validate() throws {
            guard (1...120).contains(timeout) else { throw ValidationError("--timeout must be 1-120 seconds") }
        }

        struct View: Encodable {
            var outcome: String
            var kind: String
            var payload: String
            var device: String
        }

        func run() async throws {
            let endpoint = where_.endpoint
            do {
                let terminal = try await FaceTerminalClient.connect(endpoint)
                let (id, events) = try await terminal.scan(timeout: timeout)
                // Ctrl-C: cancel on the terminal, which answers `cancelled`.
                let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
                signal(SIGINT, SIG_IGN)
                interrupt.setEventHandler { Task { try? await terminal.cancel(scan: id) } }
                interrupt.resume()
                var final: FaceEvent?
                for await event in events {
                    if event.isFinal { final = event } else if !json { Output.error(event.patientMessage) }
                }
                interrupt.cancel()
                await terminal.close()
                guard let final else { throw FaceError.closed(endpoint.description) }
                guard let credential = final.credential(source: endpoint.description) else {
                    var detail = ""
                    if case .deviceError(let why) = final { detail = " (\(why))" }
                    Output.error("\(final.patientMessage) — \(final.name)\(detail) [\(final.code)]")
                    throw ExitCode(1)
                }
                let view = View(outcome: final.name, kind: "face", payload: reveal ? credential.payload : Masking.identifier(credential.payload),
                                device: endpoint.description)
                Output.line(json ? Output.json(view) : "matched at \(view.device): token \(view.payload)")
            } catch let error as FaceError {
                throw Output.fail(error)
            } catch let other {
                throw other
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask the face terminal what it is doing.")
        @OptionGroup var where_: Where

        func run() async throws {
            do {
                let terminal = try await FaceTerminalClient.connect(where_.endpoint)
                let status = try await terminal.status()
                await terminal.close()
                Output.line("\(where_.endpoint): \(status.model) serial \(status.serial), \(status.state)")
            } catch {
                throw Output.fail(error)
            }
        }
    }
}
