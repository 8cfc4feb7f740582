import Foundation
import NIOCore
import NIOExtras
import NIOPosix
import Synchronization
import TerminalCore

/// Where the face-scan module is: a serial line or a TCP address.
package enum FaceEndpoint: Sendable, CustomStringConvertible {
    case tty(path: String)
    case tcp(host: String, port: Int)

    package var description: String {
        switch self {
        case .tty(let path): path
        case .tcp(let host, let port): "\(host):\(port)"
        }
    }

    /// From a device path or a `HOST:PORT`; nil unless exactly one is given and well-formed.
    package static func parse(device: String?, tcp: String?) -> FaceEndpoint? {
        switch (device, tcp) {
        case (let path?, nil): return .tty(path: path)
        case (nil, let address?):
            let parts = address.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
            return .tcp(host: String(parts[0]), port: port)
        default: return nil
        }
    }
}

/// The driver of a face-scan module (hardware-sim/face/PROTOCOL.md) over SwiftNIO: lines of
/// JSON in and out, events routed to the scan that asked for them.
package final class FaceTerminalClient: Sendable {
    package let endpoint: FaceEndpoint
    let channel: any Channel
    let routes = Mutex<[String: AsyncStream<[String: String]>.Continuation]>([:])
    let counter = Mutex(0)

    private init(endpoint: FaceEndpoint, channel: any Channel) {
        self.endpoint = endpoint
        self.channel = channel
    }

    /// Connects (TCP) or opens the line (tty, raw 115200 8N1).
    package static func connect(_ endpoint: FaceEndpoint, timeout: Duration = .seconds(3)) async throws(FaceError) -> FaceTerminalClient {
        let (lines, sink) = AsyncStream<String>.makeStream()
        let initializer: @Sendable (any Channel) -> EventLoopFuture<Void> = { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(LineBasedFrameDecoder()))
                try channel.pipeline.syncOperations.addHandler(LineSink(sink))
            }
        }
        let channel: any Channel
        do {
            switch endpoint {
            case .tcp(let host, let port):
                channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connectTimeout(.milliseconds(Int64(timeout.components.seconds * 1000)))
                    .channelInitializer(initializer)
                    .connect(host: host, port: port).get()
            case .tty(let path):
                let fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
                guard fd >= 0 else { throw FaceError.unreachable(path, String(cString: strerror(errno))) }
                var t = termios()
                if tcgetattr(fd, &t) == 0 {
                    cfmakeraw(&t)
                    cfsetispeed(&t, speed_t(B115200))
                    cfsetospeed(&t, speed_t(B115200))
                    tcsetattr(fd, TCSANOW, &t)
                }
                channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .channelInitializer(initializer)
                    .takingOwnershipOfDescriptor(inputOutput: fd).get()
            }
        } catch let e as FaceError {
            throw e
        } catch {
            let text = "\(error)"
            throw .unreachable(endpoint.description, text.contains("Connection refused") ? "connection refused"
                                : text.contains("timed out") || text.contains("Timeout") ? "no answer to the connection" : text)
        }
        let client = FaceTerminalClient(endpoint: endpoint, channel: channel)
        Task { await client.dispatch(lines) }
        return client
    }

    /// Routes each line to the request with its `id`; when the line goes away every open
    /// request ends.
    private func dispatch(_ lines: AsyncStream<String>) async {
        for await line in lines {
            guard let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                let id = object["id"] as? String
            else { continue }
            let fields = object.compactMapValues { $0 as? String }
            _ = routes.withLock { $0[id] }?.yield(fields)
        }
        let open = routes.withLock { r in defer { r = [:] }; return Array(r.values) }
        for c in open { c.finish() }
    }

    private func send(_ object: [String: Any]) async throws(FaceError) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        var buffer = channel.allocator.buffer(capacity: data.count + 1)
        buffer.writeBytes(data)
        buffer.writeInteger(UInt8(ascii: "\n"))
        do { try await channel.writeAndFlush(buffer) } catch { throw .closed(endpoint.description) }
    }

    private func request(_ cmd: String, _ fields: [String: Any] = [:]) async throws(FaceError) -> (String, AsyncStream<[String: String]>) {
        let id = counter.withLock { n in n += 1; return "c\(n)" }
        let (stream, continuation) = AsyncStream<[String: String]>.makeStream()
        routes.withLock { $0[id] = continuation }
        var message = fields
        message["cmd"] = cmd
        message["id"] = id
        try await send(message)
        return (id, stream)
    }

    private func forget(_ id: String) {
        routes.withLock { $0.removeValue(forKey: id) }?.finish()
    }

    /// Starts a scan and streams its events up to and including the final one. The module
    /// must acknowledge within `ackTimeout` and give a result within the scan's timeout plus
    /// `resultGrace`; otherwise the scan ends with a device error rather than hanging.
    package func scan(timeout seconds: Int, ackTimeout: Duration = .seconds(3),
                     resultGrace: Duration = .seconds(5)) async throws(FaceError) -> (id: String, events: AsyncStream<FaceEvent>) {
        let (id, raw) = try await request("start", ["timeout": seconds])
        let where_ = endpoint.description
        let (events, sink) = AsyncStream<FaceEvent>.makeStream()
        let acked = Flag()
        Task {
            for await fields in raw {
                guard let name = fields["event"] else { continue }
                if name == "ack" { acked.set(); continue }
                let event: FaceEvent
                switch name {
                case "faceFound": event = .faceFound
                case "livenessFailed": event = .livenessFailed
                case "matched": event = .matched(token: fields["token"] ?? "")
                case "noMatch": event = .noMatch
                case "timeout": event = .timeout
                case "cancelled": event = .cancelled
                case "deviceError": event = .deviceError(fields["message"] ?? "unknown")
                case "error": event = .refused(code: fields["code"] ?? "error", message: fields["message"] ?? "")
                default: continue
                }
                sink.yield(event)
                if event.isFinal { break }
            }
            self.forget(id)
            sink.finish()
        }
        // No ack in time: the module is not there (or not speaking this protocol). No result
        // in time: it is stuck. Either way the scan ends as a device error.
        Task {
            try? await Task.sleep(for: ackTimeout)
            if !acked.isSet {
                sink.yield(.deviceError(FaceError.noAnswer(where_).message))
                self.forget(id)
                sink.finish()
                return
            }
            try? await Task.sleep(for: .seconds(seconds) + resultGrace - ackTimeout)
            if self.routes.withLock({ $0[id] != nil }) {
                sink.yield(.deviceError(FaceError.noAnswer(where_).message))
                self.forget(id)
                sink.finish()
            }
        }
        return (id, events)
    }

    package func cancel(scan id: String) async throws(FaceError) {
        try await send(["cmd": "cancel", "id": id])
    }

    package func status(timeout: Duration = .seconds(3)) async throws(FaceError) -> FaceStatus {
        let (id, raw) = try await request("status")
        let result: FaceStatus? = await withTaskGroup(of: FaceStatus?.self) { group in
            group.addTask {
                for await f in raw where f["event"] == "status" {
                    return FaceStatus(state: f["state"] ?? "", model: f["model"] ?? "", serial: f["serial"] ?? "")
                }
                return nil
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return await group.next() ?? nil
        }
        forget(id)
        guard let result else { throw .noAnswer(endpoint.description) }
        return result
    }

    package func close() async {
        try? await channel.close()
    }

    /// Returns when the connection or the line is gone (the module unplugged, the peer closed).
    package func closed() async {
        try? await channel.closeFuture.get()
    }
}

/// Lines from the line decoder into an AsyncStream; the stream ends with the channel.
final class LineSink: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    let continuation: AsyncStream<String>.Continuation

    init(_ continuation: AsyncStream<String>.Continuation) { self.continuation = continuation }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        var line = String(buffer: buffer)
        if line.hasSuffix("\r") { line.removeLast() }
        continuation.yield(line)
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// A flag set once, read from any task.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
