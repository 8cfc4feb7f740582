import ArgumentParser
import Foundation
import HardwareSim
import NIOCore

struct PrinterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printer",
        abstract: "A simulated ESC/POS receipt printer (58/80 mm, Chinese mode GB18030) on a pty or a raw TCP port.",
        discussion: """
            Decodes what it is sent from the public ESC/POS command list (hardware-sim/printer/README.md),
            answers DLE EOT n with its status and writes each receipt (the text up to a cut, or
            up to the end of a TCP connection) as DIR/receipt-N.txt, .json and .png, printing
            the .json's path on stdout once all are written. Overflowing lines, unknown commands
            and bytes ≥ 0x80 outside Chinese mode are in the JSON and reported on stderr.

            Status while running: on the control socket (--control), one command a line:
              STATUS                 answers OK <status>
              STATUS paper-out       sets it (normal, paper-out, paper-near-end, cover-open, offline)
              RECEIPTS               answers OK <receipts written>
              QUIT
            e.g. echo 'STATUS paper-out' | socat - UNIX-CONNECT:/tmp/printer.sock

            Examples:
              cuntong-sim printer --pty /tmp/cuntong-sim/lp0 --width 58 --out /tmp/receipts --control /tmp/printer.sock
              cuntong-sim printer --tcp 127.0.0.1:0 --port-file /tmp/printer.port --status paper-near-end
              cuntong-sim printer --decode capture.bin --width 80 --out /tmp/receipts
            """)

    @Option(help: "Serve on a pty and link its device here (write to it as to /dev/usb/lp0).")
    var pty: String?

    @Option(help: "Listen on HOST:PORT (raw, like 9100); port 0 picks a free one.")
    var tcp: String?

    @Option(help: "With --tcp: write the port listened on to this file.")
    var portFile: String?

    @Option(help: "Decode a captured byte stream from this file and exit.")
    var decode: String?

    @Option(help: "Paper width in mm: 58 (32 columns) or 80 (48 columns).")
    var width: Int = 58

    @Option(help: "Columns of Font A instead of the width's (42 on some 80 mm profiles).")
    var columns: Int?

    @Option(help: "normal, paper-out, paper-near-end, cover-open or offline.")
    var status: String = "normal"

    @Option(help: "Stop reading and answering after this many bytes in all (the client must time out).")
    var stopAfterBytes: Int?

    @Option(help: "Where receipts are written.")
    var out: String = "/tmp/cuntong-sim/printer"

    @Flag(help: "Do not render PNGs (no Chromium).")
    var noPng = false

    @Option(help: "Path of the control socket to create.")
    var control: String?

    func validate() throws {
        guard [pty, tcp, decode].compactMap({ $0 }).count == 1 else { throw ValidationError("give one of --pty, --tcp or --decode") }
        guard width == 58 || width == 80 else { throw ValidationError("--width must be 58 or 80") }
        guard PrinterStatus(rawValue: status) != nil else {
            throw ValidationError("--status must be one of \(PrinterStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if let tcp, Self.hostPort(tcp) == nil { throw ValidationError("--tcp takes HOST:PORT or PORT") }
        if let columns, !(16...96).contains(columns) { throw ValidationError("--columns must be 16-96") }
    }

    static func hostPort(_ s: String) -> (String, Int)? {
        guard let colon = s.lastIndex(of: ":") else { return Int(s).map { ("127.0.0.1", $0) } }
        guard let port = Int(s[s.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (String(s[..<colon]), port)
    }

    func run() async throws {
        var options = PrinterSimulator.Options()
        options.columns = columns ?? (width == 80 ? 48 : 32)
        options.outDir = out
        options.png = !noPng
        options.stopAfterBytes = stopAfterBytes
        let printer = PrinterSimulator(options: options, status: PrinterStatus(rawValue: status)!)
        if options.png, ReceiptRenderer.chromium == nil {
            FileHandle.standardError.write(Data("cuntong-sim printer: chromium not found, receipts without PNG\n".utf8))
        }
        if let decode {
            guard let data = FileManager.default.contents(atPath: decode) else { throw ValidationError("cannot read \(decode)") }
            printer.decode([UInt8](data))
            printer.drain()
            return
        }
        let channel: any Channel
        if let tcp, let (host, port) = Self.hostPort(tcp) {
            channel = try await printer.serveTCP(host: host, port: port)
            let bound = channel.localAddress?.port ?? port
            if let portFile { try "\(bound)\n".write(toFile: portFile, atomically: true, encoding: .utf8) }
            print("cuntong-sim printer: listening on \(host):\(bound), \(options.columns) columns, status \(status)")
        } else {
            let (c, device) = try await printer.servePTY(link: pty!)
            channel = c
            print("cuntong-sim printer: on \(device), linked at \(pty!), \(options.columns) columns, status \(status)")
        }
        fflush(nil)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await channel.closeFuture.get() }
            if let control {
                let (quit, quitContinuation) = AsyncStream<Void>.makeStream()
                group.addTask {
                    try await ControlServer(path: control) { line in
                        let answer = PrinterControl.handle(line, printer: printer)
                        if line.uppercased() == "QUIT" { quitContinuation.yield() }
                        return answer
                    }.run()
                }
                group.addTask {
                    for await _ in quit { break }
                    try await Task.sleep(for: .milliseconds(100))
                    throw CancellationError()
                }
            }
            do { try await group.next() } catch is CancellationError {}
            group.cancelAll()
        }
        try? await channel.close()
        printer.drain()
        if let pty { try? FileManager.default.removeItem(atPath: pty) }
    }
}
