import BlockingIO
import Foundation
import Synchronization
import TerminalCore

/// `cuntong scan --identify`: listens on every hidraw and tty node at once, takes the first
/// that sends anything, and says what it is — the USB ids, the table's entry, the mode the
/// device declares (report descriptor) or its reports show, and the code it read.
package struct ScannerIdentification: Sendable {
    package enum Evidence: String, Sendable, Encodable {
        /// The HID report descriptor declares it.
        case descriptor
        /// The reports' shape shows it (8-byte boot keyboard reports; 64-byte report 2).
        case reports
        /// A tty node: a serial scanner.
        case tty
    }

    package var device: ScannerDevice
    package var mode: ScanMode?
    package var evidence: Evidence?
    package var layout: HIDPOSLayout?
    /// The AIM symbology identifier of the code (HID POS), e.g. "]Q1".
    package var symbology: String?
    package var code: [UInt8]?
    /// The first report, for a device whose mode could not be told.
    package var firstReport: [UInt8]

    /// The configuration that takes this scanner.
    package var configuration: String {
        var lines = ["[scanner]"]
        if mode != .serial, device.known == nil || device.known?.mode != mode { lines.append("backend = \"hidraw\"") }
        lines.append("usb_id = \"\(device.vendor):\(device.product)\"")
        if let mode, device.known?.mode != mode { lines.append("mode = \"\(mode.rawValue)\"") }
        return lines.joined(separator: "\n")
    }

    /// The udev lines that give it to cuntong (none needed when the table has it).
    package var udevRules: [String] {
        guard device.known == nil, let mode else { return [] }
        return UdevRules.rules(vendor: device.vendor, product: device.product, mode: mode,
                               kernel: device.node.contains("ttyUSB") ? "ttyUSB" : "ttyACM")
    }

    /// Waits up to `timeout` for any candidate node under `devDirectory` to send something.
    package static func identify(timeout: Duration, devDirectory: String = "/dev", sysfs: String = "/sys",
                                baud: Int = 9600) async throws(ScanError) -> ScannerIdentification {
        let candidates = SysfsScanners.all(sysfs: sysfs).map { d -> ScannerDevice in
            var d = d
            d.node = (devDirectory as NSString).appendingPathComponent((d.node as NSString).lastPathComponent)
            return d
        }
        guard !candidates.isEmpty else { throw .noScanner }
        let (stream, continuation) = AsyncStream<(Int, [UInt8])>.makeStream()
        var loops: [PollLoop] = []
        for (i, d) in candidates.enumerated() {
            let fd = open(d.node, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
            guard fd >= 0 else { continue }
            if d.node.contains("tty") { _ = TTY.makeRaw(fd, baud: baud) }
            nonisolated(unsafe) var buffer = [UInt8](repeating: 0, count: 4096)
            let loop = PollLoop.start("cuntong.identify", fd: fd, readable: { fd in
                let n = read(fd, &buffer, buffer.count)
                if n < 0 && (errno == EAGAIN || errno == EINTR) { return .next }
                if n <= 0 { return .stop }
                continuation.yield((i, Array(buffer[0..<n])))
                return .next
            }, ended: { _ in close(fd) })
            if let loop { loops.append(loop) } else { close(fd) }
        }
        guard !loops.isEmpty else { throw .permissionDenied(candidates[0].node) }
        defer { for loop in loops { loop.stop() } }
        // (A cancelled timer must not end the stream: only one that ran out.)
        let timer = Task { if (try? await Task.sleep(for: timeout)) != nil { continuation.finish() } }
        defer { timer.cancel() }
        // The first node to speak is the scanner; its reports until a code ends (or a quiet second).
        var chosen: Int?
        var chunks: [[UInt8]] = []
        var result: ScannerIdentification?
        var quiet: Task<Void, Never>?
        for await (i, bytes) in stream {
            if chosen == nil {
                chosen = i
                timer.cancel()
            }
            guard i == chosen else { continue }
            chunks.append(bytes)
            quiet?.cancel()
            quiet = Task { if (try? await Task.sleep(for: .seconds(1))) != nil { continuation.finish() } }
            let attempt = Self.analyse(candidates[i], chunks)
            result = attempt
            if attempt.code != nil { break }
        }
        quiet?.cancel()
        guard let result else { throw .timeout(seconds: Int(timeout.components.seconds)) }
        return result
    }

    /// What the bytes from `device` say it is, and the code they carry if it can be decoded.
    static func analyse(_ device: ScannerDevice, _ chunks: [[UInt8]]) -> ScannerIdentification {
        let first = chunks.first ?? []
        var mode = device.detectedMode
        var evidence: Evidence? = mode == nil ? nil : (device.node.contains("tty") ? .tty : .descriptor)
        if mode == nil {
            if first.count % 8 == 0, first.count >= 8, first[1] == 0 { mode = .keyboard }
            else if first.first == 0x02, first.count >= 60 { mode = .hidpos }
            if mode != nil { evidence = .reports }
        }
        var identification = ScannerIdentification(device: device, mode: mode, evidence: evidence, layout: nil,
                                                   symbology: nil, code: nil, firstReport: first)
        guard let mode else { return identification }
        let layout = mode == .hidpos ? device.hidposLayout : nil
        identification.layout = layout
        let options = ScannerReader.Options(mode: mode, layout: layout ?? .honeywell)
        var decoder = options.decoder()
        var splitter = ReportSplitter(reportLength: options.reportLength)
        for chunk in chunks {
            for report in splitter.split(chunk[...]) {
                for case .code(let bytes) in decoder.feed(report) where identification.code == nil {
                    identification.code = bytes
                    identification.symbology = (decoder as? HIDPOSDecoder)?.lastSymbology
                }
            }
        }
        return identification
    }
}
