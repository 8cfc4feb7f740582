#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One open printer: a non-blocking descriptor on which every wait is a poll(2) with a
/// deadline, so a printer that stops answering ends the print with an error, never a hang.
/// Blocking code: it runs on a thread of its own (`ReceiptPrinter` uses `DeviceThread.run`).
final class PrinterConnection {
    let fd: Int32
    let name: String
    let isSocket: Bool
    let isTTY: Bool
    /// Whether the printer can answer (not a regular file, opened for reading too).
    let canRead: Bool

    private init(fd: Int32, name: String, isSocket: Bool, isTTY: Bool, canRead: Bool) {
        self.fd = fd
        self.name = name
        self.isSocket = isSocket
        self.isTTY = isTTY
        self.canRead = canRead
    }

    deinit { close(fd) }

    static func open(_ address: PrinterAddress, connectTimeout: Duration) throws(ReceiptError) -> PrinterConnection {
        switch address {
        case .device(let path): return try openDevice(path)
        case .tcp(let host, let port): return try connect(host: host, port: port, timeout: connectTimeout, name: address.description)
        }
    }

    static func openDevice(_ path: String) throws(ReceiptError) -> PrinterConnection {
        var canRead = true
        var fd = Glibc.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0, errno == EACCES || errno == EPERM {
            fd = Glibc.open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC)
            canRead = false
        }
        guard fd >= 0 else {
            switch errno {
            case ENOENT, ENXIO, ENODEV: throw .printerNotFound(path)
            case EACCES, EPERM, EROFS: throw .printerNoAccess(path)
            case EBUSY: throw .offline("another program is using \(path)")
            case EISDIR: throw .badDevice(path)
            default: throw .writeFailed("\(path): \(errorText())")
            }
        }
        var info = stat()
        if fstat(fd, &info) == 0 {
            let kind = info.st_mode & S_IFMT
            if kind == S_IFDIR { close(fd); throw .badDevice(path) }
            if kind == S_IFREG { canRead = false }
        }
        let tty = isatty(fd) == 1
        if tty {
            // Raw: every byte as it is (no LF → CR LF, no flow-control characters eaten), the
            // modem lines ignored; the port's speed is left as configured.
            var t = termios()
            if tcgetattr(fd, &t) == 0 {
                cfmakeraw(&t)
                t.c_cflag |= tcflag_t(CLOCAL | CREAD)
                _ = tcsetattr(fd, TCSANOW, &t)
            }
            _ = tcflush(fd, TCIFLUSH)
        }
        return PrinterConnection(fd: fd, name: path, isSocket: false, isTTY: tty, canRead: canRead)
    }

    static func connect(host: String, port: UInt16, timeout: Duration, name: String) throws(ReceiptError) -> PrinterConnection {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { throw .printerUnreachable(name) }
        defer { freeaddrinfo(first) }
        let deadline = Clock.now() + timeout.milliseconds
        var next: UnsafeMutablePointer<addrinfo>? = first
        while let ai = next {
            next = ai.pointee.ai_next
            let fd = socket(ai.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { continue }
            if Glibc.connect(fd, ai.pointee.ai_addr, ai.pointee.ai_addrlen) == 0
                || (errno == EINPROGRESS && wait(fd, events: Int16(POLLOUT), until: deadline) && socketError(fd) == 0) {
                return PrinterConnection(fd: fd, name: name, isSocket: true, isTTY: false, canRead: true)
            }
            close(fd)
        }
        throw .printerUnreachable(name)
    }

    static func socketError(_ fd: Int32) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) == 0 ? value : errno
    }

    /// Waits for `events` on `fd` until `deadline` (monotonic ms); false on timeout.
    static func wait(_ fd: Int32, events: Int16, until deadline: Int64) -> Bool {
        while true {
            let left = deadline - Clock.now()
            guard left > 0 else { return false }
            var p = pollfd(fd: fd, events: events, revents: 0)
            let n = poll(&p, 1, Int32(min(left, Int64(Int32.max))))
            if n > 0 { return true }
            if n == 0 { return false }
            if errno != EINTR { return true }
        }
    }

    // MARK: Writing

    enum WriteEnd: Error {
        case stalled(written: Int)
        case gone(String)
        case failed(String)
    }

    /// Writes every byte; each stretch without progress may last `stall` at most.
    func write(_ bytes: [UInt8], stall: Duration) throws(WriteEnd) {
        var offset = 0
        var deadline = Clock.now() + stall.milliseconds
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { buffer in
                let start = buffer.baseAddress! + offset, count = buffer.count - offset
                return isSocket ? send(fd, start, count, Int32(MSG_NOSIGNAL)) : Glibc.write(fd, start, count)
            }
            if n > 0 {
                offset += n
                deadline = Clock.now() + stall.milliseconds
                continue
            }
            if n < 0, errno != EAGAIN, errno != EWOULDBLOCK, errno != EINTR {
                switch errno {
                case EIO, ENODEV, ENXIO, EPIPE, ECONNRESET, ENOTCONN, ESHUTDOWN, ECONNABORTED:
                    throw .gone(errorText())
                default:
                    throw .failed(errorText())
                }
            }
            guard Self.wait(fd, events: Int16(POLLOUT), until: deadline) else { throw .stalled(written: offset) }
        }
        if isTTY { try drain(stall: stall, written: bytes.count) }
    }

    /// A serial port's output queue must empty before closing (a close waits for it, up to
    /// the port's closing_wait, 30 s by default): waited for here, with the stall deadline.
    func drain(stall: Duration, written: Int) throws(WriteEnd) {
        var deadline = Clock.now() + stall.milliseconds
        var last = Int32.max
        while true {
            var queued: Int32 = 0
            guard ioctl(fd, UInt(TIOCOUTQ), &queued) == 0, queued > 0 else { return }
            if queued < last {
                last = queued
                deadline = Clock.now() + stall.milliseconds
            }
            if Clock.now() >= deadline {
                _ = tcflush(fd, TCOFLUSH)
                throw .stalled(written: written - Int(queued))
            }
            var pause = timespec(tv_sec: 0, tv_nsec: 20_000_000)
            _ = nanosleep(&pause, nil)
        }
    }

    // MARK: Status

    /// The answer to `DLE EOT n`, or nil when none came within `timeout`.
    func status(_ n: UInt8, timeout: Duration) -> UInt8? {
        guard canRead else { return nil }
        discardInput()
        let request = ESCPOS.statusRequest(n)
        let sent = request.withUnsafeBytes { b in
            isSocket ? send(fd, b.baseAddress!, b.count, Int32(MSG_NOSIGNAL)) : Glibc.write(fd, b.baseAddress!, b.count)
        }
        guard sent == request.count else { return nil }
        let deadline = Clock.now() + timeout.milliseconds
        while Self.wait(fd, events: Int16(POLLIN), until: deadline) {
            var buffer = [UInt8](repeating: 0, count: 16)
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if got > 0 {
                if let byte = buffer.prefix(got).last(where: PrinterStatus.isStatus) { return byte }
                continue
            }
            if got < 0, errno == EAGAIN || errno == EINTR { continue }
            return nil
        }
        return nil
    }

    /// Reads away whatever the printer sent before (an earlier answer, automatic status).
    func discardInput() {
        var buffer = [UInt8](repeating: 0, count: 256)
        for _ in 0..<64 {
            let got = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if got <= 0 { return }
        }
    }
}

/// CLOCK_MONOTONIC in milliseconds.
enum Clock {
    static func now() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1000 + Int64(t.tv_nsec) / 1_000_000
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (s, a) = components
        return s * 1000 + a / 1_000_000_000_000_000
    }
}

func errorText() -> String { String(cString: strerror(errno)) }
