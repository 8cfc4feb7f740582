import Foundation
import NIOCore
import NIOExtras
import NIOPosix

/// The simulators' control socket: a Unix socket that takes one command per line and
/// answers one line, `OK …` or `ERR …` — so a test or a technician can drive a simulated
/// device step by step (`socat - UNIX-CONNECT:/run/cuntong-sim/card0.sock`).
package struct ControlServer: Sendable {
    /// Handles one command line and returns the answer line.
    package typealias Handler = @Sendable (String) async -> String

    package let path: String
    private let handler: Handler

    package init(path: String, handler: @escaping Handler) {
        self.path = path
        self.handler = handler
    }

    /// Serves until the task is cancelled. The socket file is removed at the end.
    package func run() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        defer { unlink(path) }
        let handler = self.handler
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { clients in
                for try await client in clients {
                    group.addTask {
                        try? await client.executeThenClose { inbound, outbound in
                            for try await var line in inbound {
                                let text = line.readString(length: line.readableBytes) ?? ""
                                let command = text.trimmingCharacters(in: .whitespacesAndNewlines)
                                guard !command.isEmpty else { continue }
                                let answer = await handler(command)
                                try await outbound.write(ByteBuffer(string: answer + "\n"))
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The card simulator's control commands.
package enum CardControl {
    package static let help = "commands: INSERT | REMOVE | HOLDER <file> | FAULT <\(CardFault.usage)> | STATUS | QUIT"

    /// Applies one command line to the simulator. QUIT is answered here and acted on by the caller.
    package static func handle(_ line: String, simulator: CardSimulator) async -> String {
        let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
        let verb = parts[0].uppercased()
        let argument = parts.count > 1 ? parts[1] : nil
        switch (verb, argument) {
        case ("INSERT", nil):
            do {
                try await simulator.insert()
                return "OK inserted"
            } catch {
                return "ERR \(error)"
            }
        case ("REMOVE", nil):
            await simulator.remove()
            return "OK removed"
        case ("FAULT", let spec?):
            guard let fault = CardFault(parsing: spec) else { return "ERR unknown fault \(spec); \(CardFault.usage)" }
            await simulator.setFault(fault)
            return "OK fault \(fault) (applies from the next insertion)"
        case ("HOLDER", let path?):
            do {
                let holder = try CardholderProfile.load(path: path)
                _ = try VirtualSocialSecurityCard(holder: holder)
                await simulator.setHolder(holder)
                return "OK holder \(holder.description) (applies from the next insertion)"
            } catch {
                return "ERR cannot use \(path): \(error)"
            }
        case ("STATUS", nil):
            let s = await simulator.status
            return "OK inserted=\(s.inserted ? "yes" : "no") fault=\(s.fault) commands=\(s.commands) insertions=\(s.insertions) holder=\(s.holder)"
        case ("QUIT", nil):
            return "OK bye"
        case ("HELP", nil):
            return "OK " + help
        default:
            return "ERR unknown command \"\(line)\"; " + help
        }
    }
}
