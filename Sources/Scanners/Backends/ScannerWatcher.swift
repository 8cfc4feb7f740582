import BlockingIO
import Foundation
import TerminalCore

/// Keeps reading scanners as they come and go: the known scanners present at start, and any
/// that appear later in the device directory (inotify on /dev — woken by the kernel, no
/// polling). A scanner unplugged and plugged back is picked up again without a restart.
package final class ScannerWatcher: Sendable {
    package enum Event: Sendable {
        case connected(path: String, mode: ScanMode)
        case disconnected(path: String)
        case credential(Credential, lastReport: ContinuousClock.Instant)
        case rejected(path: String, PayloadClassifier.Problem)
        case failed(path: String, ScanError)
    }

    /// One device to watch for (its path and mode), or nil to take every known scanner.
    let fixed: (path: String, mode: ScanMode)?
    /// A device named by vendor:product (e.g. a serial scanner behind a CH340): its nodes are
    /// taken whether or not the table knows it.
    let usbID: USBID?
    /// Only serial (tty) nodes: HID scanners are read another way (libusb).
    let serialOnly: Bool
    let devDirectory: String
    let sysfs: String
    let classifier: PayloadClassifier

    package init(device: String? = nil, mode: ScanMode? = nil, usbID: USBID? = nil, serialOnly: Bool = false,
                devDirectory: String = "/dev", sysfs: String = "/sys", classifier: PayloadClassifier = .standard()) {
        if let device, let mode { fixed = (device, mode) } else { fixed = nil }
        self.usbID = usbID
        self.serialOnly = serialOnly
        self.devDirectory = devDirectory
        self.sysfs = sysfs
        self.classifier = classifier
    }

    func reader(for name: String) -> ScannerReader? {
        let path = (devDirectory as NSString).appendingPathComponent(name)
        if let fixed {
            guard fixed.path == path else { return nil }
            // A udev link (/dev/cuntong/scanner-0) is described by the node it points to.
            let node = (try? FileManager.default.destinationOfSymbolicLink(atPath: path))
                .map { $0.hasPrefix("/") ? $0 : ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent($0) } ?? path
            let layout = SysfsScanners.describe(node: node, sysfs: sysfs)?.hidposLayout ?? .honeywell
            return ScannerReader(path: path, options: .init(mode: fixed.mode, layout: layout), classifier: classifier)
        }
        guard SysfsScanners.isCandidate(name), !serialOnly || name.hasPrefix("tty"),
              let device = SysfsScanners.describe(node: path, sysfs: sysfs) else { return nil }
        if let usbID {
            guard device.id == usbID, let mode = device.mode else { return nil }
            return ScannerReader(path: path, options: .init(mode: mode, layout: device.hidposLayout), classifier: classifier)
        }
        guard let known = device.known else { return nil }
        return ScannerReader(path: path, options: .init(mode: known.mode, layout: device.hidposLayout),
                             classifier: classifier)
    }

    package func events() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream(bufferingPolicy: .bufferingNewest(256))
        let task = Task { await self.run(continuation) }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    private func run(_ out: AsyncStream<Event>.Continuation) async {
        let arrivals = DirectoryWatch(directory: devDirectory).names()
        await withTaskGroup(of: Void.self) { group in
            var running: Set<String> = []
            func start(_ name: String) {
                guard !running.contains(name), let reader = reader(for: name) else { return }
                running.insert(name)
                let path = reader.path, mode = reader.options.mode
                group.addTask {
                    out.yield(.connected(path: path, mode: mode))
                    for await event in reader.events() {
                        switch event {
                        case .credential(let c, let at): out.yield(.credential(c, lastReport: at))
                        case .rejected(let p): out.yield(.rejected(path: path, p))
                        case .failed(.deviceGone): out.yield(.disconnected(path: path))
                        case .failed(let e): out.yield(.failed(path: path, e))
                        }
                    }
                }
            }
            // Present at start.
            let present = (try? FileManager.default.contentsOfDirectory(atPath: devDirectory)) ?? []
            for name in present.sorted() { start(name) }
            // Arrivals and departures.
            for await change in arrivals {
                switch change {
                case .created(let name): start(name)
                case .deleted(let name): running.remove(name)
                }
                if Task.isCancelled { break }
            }
            group.cancelAll()
        }
        out.finish()
    }
}

/// inotify on one directory: names created (including moved in) and deleted.
struct DirectoryWatch: Sendable {
    enum Change: Sendable { case created(String), deleted(String) }
    let directory: String

    func names() -> AsyncStream<Change> {
        let (stream, continuation) = AsyncStream<Change>.makeStream()
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0, inotify_add_watch(fd, directory, UInt32(IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM)) >= 0 else {
            if fd >= 0 { close(fd) }
            continuation.finish()
            return stream
        }
        nonisolated(unsafe) var buffer = [UInt8](repeating: 0, count: 4096)
        let loop = PollLoop.start("cuntong.devwatch", fd: fd, readable: { fd in
            let n = Foundation.read(fd, &buffer, buffer.count)
            if n <= 0 { return .next }
            var offset = 0
            while offset + 16 <= n {
                let mask = buffer[offset + 4..<offset + 8].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
                let length = Int(buffer[offset + 12..<offset + 16].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
                let nameBytes = buffer[(offset + 16)..<min(n, offset + 16 + length)].prefix { $0 != 0 }
                let name = String(decoding: nameBytes, as: UTF8.self)
                if mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 { continuation.yield(.created(name)) }
                if mask & UInt32(IN_DELETE | IN_MOVED_FROM) != 0 { continuation.yield(.deleted(name)) }
                offset += 16 + length
                // The directory itself is gone: nothing more will come.
                if mask & UInt32(IN_IGNORED) != 0 { return .stop }
            }
            return .next
        }, ended: { _ in
            continuation.finish()
            close(fd)
        })
        guard let loop else {
            close(fd)
            continuation.finish()
            return stream
        }
        continuation.onTermination = { _ in loop.stop() }
        return stream
    }
}
