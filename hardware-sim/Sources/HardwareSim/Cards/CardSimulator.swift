#if canImport(Glibc)
import Glibc
#endif
import CardReaders
import Foundation
import NIOCore
import NIOExtras
import NIOPosix

/// A simulated social-security card for the vsmartcard vpcd reader driver.
///
/// vpcd listens on TCP (35963 for "Virtual PCD 00 00", 35964 for "00 01"). Connecting is
/// inserting the card and closing is pulling it. Every message either way is a 2-byte
/// big-endian length and a payload; a 1-byte payload from vpcd is a control byte (0 power
/// off, 1 power on, 2 reset, 4 "send the ATR"), anything longer is a command APDU.
package actor CardSimulator {
    package struct Status: Sendable, Hashable {
        package let inserted: Bool
        package let holder: String
        package let fault: CardFault
        /// Command APDUs answered (or swallowed) during the current or last insertion.
        package let commands: Int
        package let insertions: Int
    }

    package enum SimulatorError: Error, CustomStringConvertible {
        case vpcdUnreachable(host: String, port: Int, underlying: String)
        case badHolder(String)

        package var description: String {
            switch self {
            case .vpcdUnreachable(let host, let port, let why):
                "vpcd is not listening on \(host):\(port) (\(why)). Start pcscd with the vpcd driver: hardware-sim/pcscd-up"
            case .badHolder(let why):
                "the cardholder file is not usable: \(why)"
            }
        }
    }

    package nonisolated let host: String
    package nonisolated let port: Int
    /// A PSAM (the SAM slot) instead of a social-security card.
    package nonisolated let isPSAM: Bool
    private var holder: CardholderProfile
    private var fault: CardFault
    private var session: Task<Void, Never>?
    private var sessionID = 0
    private var commands = 0
    private var insertions = 0
    private var removalWaiters: [CheckedContinuation<Void, Never>] = []

    /// Port for a vpcd slot: 35963 + slot.
    package static func port(slot: Int) -> Int { 35963 + slot }

    package init(holder: CardholderProfile, fault: CardFault = .none, host: String = "127.0.0.1", port: Int = 35963) {
        self.holder = holder
        self.fault = fault
        self.host = host
        self.port = port
        self.isPSAM = false
    }

    /// The simulated social-security PSAM (VirtualPSAM), usually in slot 1.
    package init(psamHost host: String = "127.0.0.1", port: Int = 35964) {
        self.holder = CardholderProfile.psamPlaceholder
        self.fault = .none
        self.host = host
        self.port = port
        self.isPSAM = true
    }

    package var status: Status {
        Status(inserted: session != nil, holder: holder.description, fault: fault,
               commands: commands, insertions: insertions)
    }

    package func setFault(_ fault: CardFault) { self.fault = fault }
    package func setHolder(_ holder: CardholderProfile) { self.holder = holder }

    /// Connects to vpcd: the card is in the reader. No-op when already inserted.
    package func insert() async throws {
        guard session == nil else { return }
        let card: any VirtualCard
        do {
            card = isPSAM ? VirtualPSAM() : try VirtualSocialSecurityCard(holder: holder, fault: fault)
        } catch {
            throw SimulatorError.badHolder("\(error)")
        }
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(QuickAck())
                        try channel.pipeline.syncOperations.addHandler(
                            ByteToMessageHandler(LengthFieldBasedFrameDecoder(lengthFieldBitLength: .twoBytes)))
                        try channel.pipeline.syncOperations.addHandler(
                            LengthFieldPrepender(lengthFieldBitLength: .twoBytes))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SimulatorError.vpcdUnreachable(host: host, port: port, underlying: "\(error)")
        }
        sessionID += 1
        let id = sessionID
        commands = 0
        insertions += 1
        session = Task {
            await Self.serve(channel, card: card, count: { [weak self] in await self?.countCommand(id) })
            self.sessionEnded(id)
        }
    }

    /// Closes the connection: the card is out of the reader. Returns once it is closed.
    package func remove() async {
        guard let session else { return }
        session.cancel()
        await session.value
    }

    /// Waits until the card is out (removed, pulled by a fault, or dropped by vpcd).
    package func waitUntilRemoved() async {
        guard session != nil else { return }
        await withCheckedContinuation { removalWaiters.append($0) }
    }

    private func countCommand(_ id: Int) {
        if id == sessionID { commands += 1 }
    }

    private func sessionEnded(_ id: Int) {
        guard id == sessionID else { return }
        session = nil
        let waiters = removalWaiters
        removalWaiters = []
        waiters.forEach { $0.resume() }
    }

    private static func serve(_ channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>, card: any VirtualCard,
                              count: @escaping @Sendable () async -> Void) async {
        var card = card
        try? await channel.executeThenClose { inbound, outbound in
            for try await var frame in inbound {
                guard let message = frame.readBytes(length: frame.readableBytes) else { continue }
                if message.count == 1 {
                    switch message[0] {
                    case 0x04:
                        try await outbound.write(ByteBuffer(bytes: card.atr))
                    case 0x00, 0x01, 0x02:
                        card.reset()
                    default:
                        break
                    }
                    continue
                }
                await count()
                switch card.handle(message) {
                case .respond(let bytes):
                    try await outbound.write(ByteBuffer(bytes: bytes))
                case .silent:
                    continue
                case .respondThenPull(let bytes):
                    try await outbound.write(ByteBuffer(bytes: bytes))
                    return
                case .pull:
                    return
                }
            }
        }
    }
}

/// Acknowledges every read at once (TCP_QUICKACK, which Linux clears again after a while):
/// vpcd sends each APDU as a small write and waits for the answer, so a delayed ACK on
/// loopback would otherwise add tens of milliseconds to every command. TCP_NODELAY alone
/// does not help; measured in Benchmarks/card-read.
final class QuickAck: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        Self.set(context.channel)
        context.fireChannelRead(data)
    }

    func channelActive(context: ChannelHandlerContext) {
        Self.set(context.channel)
        context.fireChannelActive()
    }

    /// `CUNTONG_SIM_NO_QUICKACK=1` turns it off, to measure what it saves.
    static let enabled = ProcessInfo.processInfo.environment["CUNTONG_SIM_NO_QUICKACK"] != "1"

    static func set(_ channel: any Channel) {
        guard enabled else { return }
        #if os(Linux)
        _ = try? channel.syncOptions?.setOption(
            ChannelOptions.Types.SocketOption(level: .tcp, name: NIOBSDSocket.Option(rawValue: CInt(TCP_QUICKACK))), value: 1)
        #endif
    }
}
