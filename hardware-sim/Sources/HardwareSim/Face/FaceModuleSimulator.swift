import Foundation
import NIOCore
import NIOExtras
import NIOPosix
import Synchronization

/// A face-scan module as hardware-sim/face/PROTOCOL.md describes it, with chosen outcomes,
/// served on TCP or on a pty. Written from the protocol page, not from cuntong's driver.
package final class FaceModuleSimulator: Sendable {
    package enum Outcome: String, Sendable, CaseIterable {
        case matched, noMatch = "no-match", livenessFailed = "liveness-failed", timeout
        case deviceError = "device-error", silent
    }

    /// Outcomes of successive scans, used in turn (the last one repeats).
    let outcomes: [Outcome]
    let tokens: [String]
    let faceAfter: TimeAmount
    let resultAfter: TimeAmount
    let next = Mutex(0)

    package init(outcomes: [Outcome], tokens: [String], faceAfterMs: Int = 200, resultAfterMs: Int = 300) {
        self.outcomes = outcomes.isEmpty ? [.matched] : outcomes
        self.tokens = tokens.isEmpty ? ["FACE-OY-0001"] : tokens
        self.faceAfter = .milliseconds(Int64(faceAfterMs))
        self.resultAfter = .milliseconds(Int64(resultAfterMs))
    }

    /// The next scan's outcome and token.
    func take() -> (Outcome, String) {
        let i = next.withLock { n in defer { n += 1 }; return n }
        return (outcomes[min(i, outcomes.count - 1)], tokens[i % tokens.count])
    }

    func initializer() -> @Sendable (any Channel) -> EventLoopFuture<Void> {
        { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                try channel.pipeline.syncOperations.addHandler(FaceModuleHandler(self))
            }
        }
    }

    /// Listens on TCP; returns the server channel (its local address has the port).
    package func serveTCP(host: String = "127.0.0.1", port: Int) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer(initializer())
            .bind(host: host, port: port).get()
    }

    /// Serves on a pty; `link` names the device as a ttyACM would be. Returns the channel
    /// (closing it is unplugging the module) and the device path.
    package func servePTY(link: String?, holdOpen: Bool = true) async throws -> (any Channel, String) {
        let (master, device) = try SerialScannerPTY.open(holdOpen: holdOpen)
        if let link {
            try? FileManager.default.removeItem(atPath: link)
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: device)
        }
        let channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer(initializer())
            .takingOwnershipOfDescriptor(inputOutput: master).get()
        return (channel, device)
    }
}

/// One connection's worth of protocol: at most one scan at a time.
final class FaceModuleHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let module: FaceModuleSimulator
    var scanning: String?
    var pending: [Scheduled<Void>] = []

    init(_ module: FaceModuleSimulator) { self.module = module }

    func send(_ context: ChannelHandlerContext, _ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        var buffer = context.channel.allocator.buffer(capacity: data.count + 1)
        buffer.writeBytes(data)
        buffer.writeInteger(UInt8(ascii: "\n"))
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let line = String(buffer: unwrapInboundIn(data))
        guard line.utf8.count <= 4096,
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
            let cmd = object["cmd"] as? String, let id = object["id"] as? String
        else {
            send(context, ["event": "error", "id": "", "code": "bad-request", "message": "not a command line"])
            return
        }
        switch cmd {
        case "start":
            guard scanning == nil else {
                send(context, ["event": "error", "id": id, "code": "busy", "message": "a scan is running"])
                return
            }
            guard let timeout = object["timeout"] as? Int, (1...120).contains(timeout) else {
                send(context, ["event": "error", "id": id, "code": "bad-request", "message": "timeout must be 1-120 seconds"])
                return
            }
            start(context, id: id, timeout: timeout)
        case "cancel":
            guard scanning == id else { return }
            finish(context, ["event": "cancelled", "id": id])
        case "status":
            send(context, ["event": "status", "id": id, "state": scanning == nil ? "idle" : "scanning",
                           "model": "cuntong-sim face", "serial": "SIMFACE01"])
        default:
            send(context, ["event": "error", "id": id, "code": "bad-request", "message": "unknown cmd \(cmd)"])
        }
    }

    func start(_ context: ChannelHandlerContext, id: String, timeout: Int) {
        let (outcome, token) = module.take()
        scanning = id
        send(context, ["event": "ack", "id": id])
        let loop = context.eventLoop
        let ctx = NIOLoopBound(context, eventLoop: loop)
        let me = NIOLoopBound(self, eventLoop: loop)
        if outcome != .timeout && outcome != .deviceError && outcome != .silent {
            pending.append(loop.scheduleTask(in: module.faceAfter) { me.value.send(ctx.value, ["event": "faceFound", "id": id]) })
        }
        let final: [String: Any]?
        var delay = module.faceAfter + module.resultAfter
        switch outcome {
        case .matched: final = ["event": "matched", "id": id, "token": token]
        case .noMatch: final = ["event": "noMatch", "id": id]
        case .livenessFailed: final = ["event": "livenessFailed", "id": id]
        case .deviceError: final = ["event": "deviceError", "id": id, "message": "camera not available"]
        case .timeout:
            final = ["event": "timeout", "id": id]
            delay = .seconds(Int64(timeout))
        case .silent: final = nil
        }
        if let final {
            pending.append(loop.scheduleTask(in: delay) { me.value.finish(ctx.value, final) })
        }
    }

    func finish(_ context: ChannelHandlerContext, _ event: [String: Any]) {
        for task in pending { task.cancel() }
        pending = []
        scanning = nil
        send(context, event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        for task in pending { task.cancel() }
        pending = []
        context.fireChannelInactive()
    }
}
