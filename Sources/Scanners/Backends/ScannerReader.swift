import BlockingIO
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
        let fd: Int32
        switch open() {
        case .failure(let error):
            continuation.yield(.failed(error))
            continuation.finish()
            return stream
        case .success(let opened):
            fd = opened
        }
        let path = self.path
        // The pipeline is touched only on the loop's thread.
        nonisolated(unsafe) var pipeline = ScanPipeline(options: options, classifier: classifier, device: path)
        nonisolated(unsafe) var buffer = [UInt8](repeating: 0, count: 4096)
        let loop = PollLoop.start("cuntong.scanner \(path)", fd: fd, readable: { fd in
            let n = Foundation.read(fd, &buffer, buffer.count)
            if n < 0 && (errno == EAGAIN || errno == EINTR) { return .next }
            if n <= 0 {
                // hidraw answers ENODEV/EIO (or end of file, or POLLHUP) once the device is unplugged.
                continuation.yield(.failed(.deviceGone(path)))
                return .stop
            }
            for event in pipeline.take(buffer[0..<n], at: .now) { continuation.yield(event) }
            return .next
        }, ended: { end in
            if case .failed(let code) = end {
                continuation.yield(.failed(.deviceError(path, String(cString: strerror(code)))))
            }
            Foundation.close(fd)
            continuation.finish()
        })
        guard let loop else {
            continuation.yield(.failed(.deviceError(path, "no pipe: \(String(cString: strerror(errno)))")))
            Foundation.close(fd)
            continuation.finish()
            return stream
        }
        // The consumer stopped listening: wake the poll.
        continuation.onTermination = { _ in loop.stop() }
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
