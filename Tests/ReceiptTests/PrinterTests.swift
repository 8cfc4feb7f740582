import Foundation
import Receipt
import Synchronization
import Testing

/// A printer at the other end of a pty or a TCP connection: answers `DLE EOT n` with its
/// status bytes (or stays silent), keeps what it receives, and can stop reading after
/// `readLimit` bytes, as a printer whose paper jammed.
final class FakePrinter: Sendable {
    let path: String
    private let fd: Mutex<Int32>
    private let listener: Int32
    private let held: Int32
    let statuses: [UInt8: UInt8]
    let readLimit: Int
    let received = Mutex<[UInt8]>([])
    private let stopped = Mutex(false)
    private let done = DispatchSemaphore(value: 0)

    /// A pty; `path` is its printer side.
    init(pty statuses: [UInt8: UInt8], readLimit: Int = .max) {
        // /dev/ptmx by hand (posix_openpt is not in Swift's Glibc module): unlock (TIOCSPTLCK),
        // ask the number (TIOCGPTN); the printer side held open here too, so that the sheet's
        // writer closing it does not hang the line up before everything is read.
        let master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0, number: UInt32 = 0
        _ = ioctl(master, 0x4004_5431, &unlock)
        _ = ioctl(master, 0x8004_5430, &number)
        path = "/dev/pts/\(number)"
        var t = termios()
        tcgetattr(master, &t)
        cfmakeraw(&t)
        tcsetattr(master, TCSANOW, &t)
        held = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK)
        fd = Mutex(master)
        listener = -1
        self.statuses = statuses
        self.readLimit = readLimit
        start()
    }

    /// A raw TCP port on loopback; `path` is `tcp:127.0.0.1:PORT`.
    init(tcp statuses: [UInt8: UInt8], readLimit: Int = .max) {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(s, 1)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(s, $0, &length) } }
        path = "tcp:127.0.0.1:\(UInt16(bigEndian: address.sin_port))"
        listener = s
        held = -1
        fd = Mutex(-1)
        self.statuses = statuses
        self.readLimit = readLimit
        start()
    }

    private func start() {
        Thread.detachNewThread { [self] in
            if listener >= 0 {
                var p = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                while !stopped.withLock({ $0 }), poll(&p, 1, 50) == 0 {}
                if stopped.withLock({ $0 }) { done.signal(); return }
                let client = accept(listener, nil, nil)
                fd.withLock { $0 = client }
            }
            let fd = self.fd.withLock { $0 }
            var pending: [UInt8] = []
            while !stopped.withLock({ $0 }) {
                if received.withLock({ $0.count }) >= readLimit { usleep(20_000); continue }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 50) > 0 else { continue }
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if n <= 0 { if n == 0 { break }; usleep(20_000); continue }
                pending += buffer.prefix(n)
                // Real-time status requests are answered at once and not printed.
                var data: [UInt8] = []
                var i = 0
                while i < pending.count {
                    if pending[i] == 0x10, i + 2 < pending.count, pending[i + 1] == 0x04 {
                        if var answer = statuses[pending[i + 2]] { _ = write(fd, &answer, 1) }
                        i += 3
                    } else if pending[i] == 0x10, i + 2 >= pending.count {
                        break
                    } else {
                        data.append(pending[i]); i += 1
                    }
                }
                pending = Array(pending[i...])
                received.withLock { $0 += data }
            }
            done.signal()
        }
    }

    func stop() {
        stopped.withLock { $0 = true }
        done.wait()
        fd.withLock { if $0 >= 0 { close($0) } }
        if listener >= 0 { close(listener) }
        if held >= 0 { close(held) }
    }
}

let readyStatus: [UInt8: UInt8] = [1: 0x12, 2: 0x12, 4: 0x12]
let fast = ReceiptPrinter.Timeouts(connect: .seconds(2), status: .milliseconds(300), stall: .milliseconds(500))

@Suite("Printing: status, errors, no hang")
struct PrinterTests {
    let receipt: [UInt8] = {
        var p = ESCPOS()
        p.initialize(); p.chineseMode(true); p.text("结算单 测试"); p.lineFeed(); p.cut()
        return p.bytes
    }()

    @Test("a ready printer on a pty and on TCP gets the whole sheet", arguments: ["pty", "tcp"])
    func ready(_ kind: String) async throws {
        let fake = kind == "pty" ? FakePrinter(pty: readyStatus) : FakePrinter(tcp: readyStatus)
        let outcome = try await ReceiptPrinter(device: fake.path, timeouts: fast).print(receipt)
        #expect(outcome.status == PrinterStatus(printer: 0x12, offlineCause: 0x12, paperSensor: 0x12))
        try await waitFor { fake.received.withLock { $0.count } >= receipt.count }
        fake.stop()
        #expect(fake.received.withLock { $0 } == receipt)
    }

    @Test("paper out, cover open and offline stop the print before a byte of it is sent", arguments: [
        ([1: 0x1A, 2: 0x32, 4: 0x72] as [UInt8: UInt8], "PRINTER-NO-PAPER"),
        ([1: 0x12, 2: 0x12, 4: 0x72], "PRINTER-NO-PAPER"),
        ([1: 0x1A, 2: 0x16, 4: 0x12], "PRINTER-COVER-OPEN"),
        ([1: 0x1A, 2: 0x12, 4: 0x12], "PRINTER-OFFLINE"),
    ])
    func statuses(_ answers: [UInt8: UInt8], _ code: String) async throws {
        for kind in ["pty", "tcp"] {
            let fake = kind == "pty" ? FakePrinter(pty: answers) : FakePrinter(tcp: answers)
            do {
                _ = try await ReceiptPrinter(device: fake.path, timeouts: fast).print(receipt)
                Issue.record("\(kind): printed despite \(code)")
            } catch {
                #expect(error.code == code, "\(kind)")
                #expect(!error.message.isEmpty)
            }
            fake.stop()
            #expect(fake.received.withLock { $0 }.isEmpty, "\(kind): nothing of the sheet sent")
        }
    }

    @Test("a printer that never answers status is printed to anyway")
    func silent() async throws {
        let fake = FakePrinter(pty: [:])
        let outcome = try await ReceiptPrinter(device: fake.path, timeouts: fast).print(receipt)
        #expect(outcome.status == nil)
        try await waitFor { fake.received.withLock { $0.count } >= receipt.count }
        fake.stop()
        #expect(fake.received.withLock { $0 } == receipt)
    }

    @Test("a printer that stops reading mid-sheet ends the print with PRINTER-TIMEOUT, fast", arguments: ["pty", "tcp"])
    func stopsReading(_ kind: String) async throws {
        let fake = kind == "pty" ? FakePrinter(pty: readyStatus, readLimit: 1000) : FakePrinter(tcp: readyStatus, readLimit: 1000)
        // More than the kernel buffers between the two ends hold (pty ~64 KiB, loopback TCP some MiB).
        let big = [UInt8](repeating: 0x41, count: kind == "pty" ? 1 << 20 : 64 << 20)
        let start = ContinuousClock.now
        do {
            _ = try await ReceiptPrinter(device: fake.path, timeouts: fast).print(big)
            Issue.record("printed to a printer that stopped reading")
        } catch {
            #expect(error.code == "PRINTER-TIMEOUT", "\(error)")
            if case .timeout(let written, let total) = error { #expect(written < total && total == big.count) }
        }
        #expect(ContinuousClock.now - start < .seconds(10))
        fake.stop()
    }

    @Test("device names: paths, tcp:HOST:PORT, and what is neither")
    func addresses() throws {
        #expect(try PrinterAddress(parsing: "/dev/usb/lp0") == .device("/dev/usb/lp0"))
        #expect(try PrinterAddress(parsing: "tcp:192.168.1.50:9100") == .tcp(host: "192.168.1.50", port: 9100))
        #expect(try PrinterAddress(parsing: "tcp:printer.local") == .tcp(host: "printer.local", port: 9100))
        #expect(try PrinterAddress(parsing: "tcp:[::1]:9101") == .tcp(host: "::1", port: 9101))
        #expect(throws: ReceiptError.badDevice("lp0")) { try PrinterAddress(parsing: "lp0") }
    }

    @Test("a missing device and a closed port are plain errors")
    func unreachable() async throws {
        await #expect(throws: ReceiptError.printerNotFound("/dev/usb/lp-none")) {
            try await ReceiptPrinter(device: "/dev/usb/lp-none", timeouts: fast).print([0x1B, 0x40])
        }
        await #expect(throws: ReceiptError.printerUnreachable("tcp:127.0.0.1:1")) {
            try await ReceiptPrinter(device: "tcp:127.0.0.1:1", timeouts: fast).print([0x1B, 0x40])
        }
    }
}


func waitFor(_ condition: () -> Bool) async throws {
    for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
}
