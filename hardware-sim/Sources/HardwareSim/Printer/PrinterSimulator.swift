import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// A receipt printer on a pty (as /dev/usb/lp0 or a serial line) or a raw TCP port (9100):
/// decodes what it is sent, answers DLE EOT with its status, writes each receipt to a
/// directory, and can go dead after a number of bytes so that a client must time out.
package final class PrinterSimulator: Sendable {
    package struct Options: Sendable {
        package var columns = 32
        package var outDir = "/tmp/cuntong-sim/printer"
        package var png = true
        /// After this many bytes in all, the printer stops reading and never answers again.
        package var stopAfterBytes: Int?
        package init() {}
    }

    struct State {
        var status: PrinterStatus
        var received = 0
        var stopped = false
        var written = 0
        var pngWarned = false
    }

    package let options: Options
    let state: Mutex<State>
    /// Called with the path of each receipt's JSON once its files are all written.
    let onWritten: @Sendable (String) -> Void
    let queue = DispatchQueue(label: "cuntong-sim.printer.out")

    package init(options: Options, status: PrinterStatus = .normal,
                 onWritten: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) {
        self.options = options
        self.state = Mutex(State(status: status))
        self.onWritten = onWritten
    }

    package var status: PrinterStatus {
        get { state.withLock { $0.status } }
        set { state.withLock { $0.status = newValue } }
    }

    package var receiptsWritten: Int { state.withLock { $0.written } }
    package var stopped: Bool { state.withLock { $0.stopped } }

    /// How many of `count` newly read bytes the printer takes before it goes dead.
    func admit(_ count: Int) -> Int {
        state.withLock { s in
            guard !s.stopped else { return 0 }
            guard let limit = options.stopAfterBytes else { s.received += count; return count }
            let taken = min(count, max(limit - s.received, 0))
            s.received += taken
            if s.received >= limit { s.stopped = true }
            return taken
        }
    }

    /// Writes DIR/receipt-N.txt, .json and .png (in order, off the event loop), then reports it.
    package func write(_ receipt: PrintedReceipt) {
        queue.async { self.writeNow(receipt) }
    }

    /// Waits until the receipts handed to `write` so far are on disk.
    package func drain() { queue.sync {} }

    func writeNow(_ receipt: PrintedReceipt) {
        let log = FileHandle.standardError
        if receipt.lines.isEmpty && receipt.discardedBytes > 0 && receipt.unknownCommands.isEmpty {
            log.write(Data("cuntong-sim printer: \(receipt.discardedBytes) bytes discarded (the printer was not printing), no receipt\n".utf8))
            return
        }
        let n = state.withLock { s in s.written += 1; return s.written }
        let base = options.outDir + "/receipt-\(n)"
        do {
            try FileManager.default.createDirectory(atPath: options.outDir, withIntermediateDirectories: true)
            let text = receipt.plainText(markOverflow: false).joined(separator: "\n") + "\n"
            try text.write(toFile: base + ".txt", atomically: true, encoding: .utf8)
            try receipt.json().write(to: URL(fileURLWithPath: base + ".json"))
            if options.png {
                do {
                    try ReceiptRenderer.png(receipt, htmlPath: base + ".html", pngPath: base + ".png")
                } catch {
                    let warn = state.withLock { s in defer { s.pngWarned = true }; return !s.pngWarned }
                    if warn { log.write(Data("cuntong-sim printer: \(error)\n".utf8)) }
                }
            }
        } catch {
            log.write(Data("cuntong-sim printer: cannot write \(base): \(error)\n".utf8))
            return
        }
        var problems: [String] = []
        if !receipt.overflowingLines.isEmpty { problems.append("\(receipt.overflowingLines.count) overflowing line(s)") }
        if !receipt.unknownCommands.isEmpty { problems.append("\(receipt.unknownCommands.count) unknown command(s)") }
        if !receipt.unexpectedBytes.isEmpty { problems.append("\(receipt.unexpectedBytes.count) unexpected byte run(s)") }
        if receipt.cut == nil { problems.append("no cut") }
        if !problems.isEmpty {
            log.write(Data("cuntong-sim printer: receipt-\(n): \(problems.joined(separator: ", "))\n".utf8))
        }
        onWritten(base + ".json")
    }

    func initializer() -> @Sendable (any Channel) -> EventLoopFuture<Void> {
        { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(PrinterHandler(self))
            }
        }
    }

    /// Listens on TCP (port 0: any free port; the channel's local address has it).
    package func serveTCP(host: String = "127.0.0.1", port: Int) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer(initializer())
            .bind(host: host, port: port).get()
    }

    /// Serves on a pty whose device is linked at `link`; returns the channel and the device.
    package func servePTY(link: String) async throws -> (any Channel, String) {
        let (master, device) = try SerialScannerPTY.open(holdOpen: true)
        try? FileManager.default.createDirectory(atPath: (link as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: device)
        let channel = try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer(initializer())
            .takingOwnershipOfDescriptor(inputOutput: master).get()
        return (channel, device)
    }

    /// Decodes a captured byte stream (a file, say) as one connection would.
    package func decode(_ bytes: [UInt8]) {
        var decoder = EscPosDecoder(columns: options.columns, status: status)
        for case .receipt(let r) in decoder.feed(bytes) { write(r) }
        if let rest = decoder.finish() { write(rest) }
    }
}

/// One connection (or the pty): its own decoder, as a printer starts each job afresh.
final class PrinterHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let printer: PrinterSimulator
    var decoder: EscPosDecoder

    init(_ printer: PrinterSimulator) {
        self.printer = printer
        decoder = EscPosDecoder(columns: printer.options.columns)
    }

    func channelActive(context: ChannelHandlerContext) {
        if printer.stopped { context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in } }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let taken = printer.admit(buffer.readableBytes)
        if taken < buffer.readableBytes || printer.stopped {
            // Dead from here: stop reading, so the kernel's buffers fill and the writer blocks.
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in }
        }
        guard taken > 0, let bytes = buffer.readBytes(length: taken) else { return }
        decoder.status = printer.status
        for event in decoder.feed(bytes) {
            switch event {
            case .reply(let answer):
                context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: answer)), promise: nil)
            case .receipt(let receipt):
                printer.write(receipt)
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let rest = decoder.finish() { printer.write(rest) }
        context.fireChannelInactive()
    }
}
