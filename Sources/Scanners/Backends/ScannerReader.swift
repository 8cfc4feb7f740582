import Foundation
import Logging
import TerminalCore

/// Reads one scanner device node (hidraw or tty) on a thread of its own, woken by poll(2)
/// — never by a timer — and turns its reports into codes through the mode's decoder.
package final class ScannerReader: Sendable {
    package enum Event: Sendable {
        /// A code that passed the checks and the classification, with when its last report came.
        case credential(Credential, lastReport: ContinuousClock.Instant)
        /// A code (or stream) that is not one.
        case rejected(PayloadClassifier.Problem)
        /// The device went away or failed; the stream ends after this.
        case failed(ScanError)
    }

    package struct Options: Sendable {
        package var mode: ScanMode
        /// HID POS: where the report's fields are (from the descriptor, or published).
        package var layout: HIDPOSLayout
        package var baud: Int
        package var terminator: SerialLineDecoder.Terminator
        package var repeatWindow: Duration
        package init(mode: ScanMode, layout: HIDPOSLayout = .honeywell, baud: Int = 9600,
                    terminator: SerialLineDecoder.Terminator = .crlf, repeatWindow: Duration = .seconds(3)) {
            self.mode = mode
            self.layout = layout
            self.baud = baud
            self.terminator = terminator
            self.repeatWindow = repeatWindow
        }
    }

    package let path: String
    package let options: Options
    let classifier: PayloadClassifier

    package init(path: String, options: Options, classifier: PayloadClassifier = .standard()) {
        self.path = path
        self.options = options
        self.classifier = classifier
    }

    /// Opens the device and streams its events until the consumer stops listening or the
    /// device goes away. Opening errors arrive as the first (and last) event.
    package func events() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(64))
        // A pipe wakes the poll when the consumer stops listening. onTermination runs at the
        // latest inside run()'s finish(), before the pipe is closed.
        var wake: [Int32] = [-1, -1]
        guard pipe(&wake) == 0 else {
            continuation.yield(.failed(.deviceError(path, "no pipe: \(String(cString: strerror(errno)))")))
            continuation.finish()
            return stream
        }
        let (wakeRead, wakeWrite) = (wake[0], wake[1])
        for fd in wake {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        continuation.onTermination = { _ in
            var one: UInt8 = 1
            _ = write(wakeWrite, &one, 1)
        }
        let thread = Thread { [self] in
            self.run(wake: wakeRead, continuation: continuation)
            close(wakeRead)
            close(wakeWrite)
        }
        thread.name = "cuntong.scanner \(path)"
        thread.start()
        return stream
    }

    private func open() -> Result<Int32, ScanError> {
        let fd = Foundation.open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else {
            switch errno {
            case ENOENT, ENODEV, ENXIO: return .failure(.deviceNotFound(path))
            case EACCES, EPERM: return .failure(.permissionDenied(path))
            default: return .failure(.deviceError(path, String(cString: strerror(errno))))
            }
        }
        if options.mode == .serial, let problem = TTY.makeRaw(fd, baud: options.baud) {
            Foundation.close(fd)
            return .failure(.deviceError(path, problem))
        }
        return .success(fd)
    }

    private func run(wake: Int32, continuation: AsyncStream<Event>.Continuation) {
        let fd: Int32
        switch open() {
        case .failure(let error):
            continuation.yield(.failed(error))
            continuation.finish()
            return
        case .success(let opened):
            fd = opened
        }
        defer { Foundation.close(fd) }
        var pipeline = ScanPipeline(options: options, classifier: classifier, device: path)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 2, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                continuation.yield(.failed(.deviceError(path, String(cString: strerror(errno)))))
                break
            }
            if fds[1].revents != 0 { break }  // the consumer stopped listening
            let n = Foundation.read(fd, &buffer, buffer.count)
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            if n <= 0 {
                // hidraw answers ENODEV/EIO (or end of file, or POLLHUP) once the device is unplugged.
                continuation.yield(.failed(.deviceGone(path)))
                break
            }
            for event in pipeline.take(buffer[0..<n], at: .now) { continuation.yield(event) }
        }
        continuation.finish()
    }
}

extension ScannerReader.Options {
    package func decoder() -> any ScanDecoder {
        switch mode {
        case .keyboard: KeyboardWedgeDecoder()
        case .hidpos: HIDPOSDecoder(layout: layout)
        case .serial: SerialLineDecoder(terminator: terminator)
        }
    }

    /// The size of one HID report (reads that join reports are split by it); nil for a tty.
    package var reportLength: Int? {
        switch mode {
        case .keyboard: 8
        case .hidpos: layout.reportLength
        case .serial: nil
        }
    }
}

/// termios for a CDC-ACM scanner: raw, 8N1, the configured baud rate.
enum TTY {
    static func makeRaw(_ fd: Int32, baud: Int) -> String? {
        var t = termios()
        guard tcgetattr(fd, &t) == 0 else { return "not a terminal (\(String(cString: strerror(errno))))" }
        cfmakeraw(&t)
        let speeds: [Int: speed_t] = [1200: speed_t(B1200), 2400: speed_t(B2400), 4800: speed_t(B4800), 9600: speed_t(B9600),
                                      19200: speed_t(B19200), 38400: speed_t(B38400), 57600: speed_t(B57600), 115200: speed_t(B115200)]
        guard let speed = speeds[baud] else { return "unsupported baud rate \(baud)" }
        cfsetispeed(&t, speed)
        cfsetospeed(&t, speed)
        t.c_cflag |= tcflag_t(CLOCAL | CREAD)
        guard tcsetattr(fd, TCSANOW, &t) == 0 else { return "cannot set the line (\(String(cString: strerror(errno))))" }
        return nil
    }
}
