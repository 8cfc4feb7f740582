import Foundation
import Synchronization
import TerminalCore

/// Which scanner to read and how: a given node (mode from the table, or given), or the
/// first known scanner sysfs shows.
package enum ScannerSelection {
    package static func resolve(device: String?, mode: ScanMode?, usbID: USBID? = nil, baud: Int = 9600,
                               terminator: SerialLineDecoder.Terminator = .crlf,
                               classifier: PayloadClassifier = .standard()) throws(ScanError) -> ScannerReader {
        let found: ScannerDevice?
        let path: String
        if let usbID {
            // Named by the technician: taken whether the table knows it or not (a bridge).
            guard let first = SysfsScanners.matching(usbID).first else { throw .deviceNotFound(usbID.description) }
            path = first.node
            found = first
        } else if let device {
            guard FileManager.default.fileExists(atPath: device) else { throw .deviceNotFound(device) }
            path = device
            found = SysfsScanners.describe(node: device)
        } else {
            guard let first = SysfsScanners.known().first else { throw .noScanner }
            path = first.node
            found = first
        }
        guard let scanMode = mode ?? found?.mode ?? (path.contains("tty") ? .serial : nil) else { throw .modeUnknown(path) }
        return ScannerReader(path: path, options: .init(mode: scanMode, layout: found?.hidposLayout ?? .honeywell, baud: baud,
                                                        terminator: terminator), classifier: classifier)
    }
}

extension ScannerReader {
    /// Reads `count` codes, handing each to `emit`; the first rejection, device error or
    /// timeout (which restarts with each code) ends it.
    package func read(count: Int = 1, timeout: Duration, emit: @escaping @Sendable (Credential) -> Void) async throws(ScanError) {
        let seconds = Int((Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18).rounded(.up))
        let deadline = Deadline(ContinuousClock.now + timeout)
        let events = self.events()
        let outcome: ScanError? = await withTaskGroup(of: ScanError??.self) { group in
            group.addTask {
                var got = 0
                for await event in events {
                    switch event {
                    case .credential(let c, _):
                        emit(c)
                        got += 1
                        deadline.value.withLock { $0 = .now + timeout }
                        if got == count { return .some(nil) }
                    case .rejected(let problem): return .some(.rejected(problem))
                    case .failed(let error): return .some(error)
                    }
                }
                return nil
            }
            group.addTask {
                while true {
                    let until = deadline.value.withLock { $0 }
                    guard (try? await Task.sleep(until: until)) != nil else { return nil }
                    if deadline.value.withLock({ $0 }) <= .now { return .some(.timeout(seconds: seconds)) }
                }
            }
            defer { group.cancelAll() }
            while let next = await group.next() {
                if let next { return next }
            }
            return .timeout(seconds: seconds)
        }
        if let outcome { throw outcome }
    }

    /// One code.
    package func first(timeout: Duration) async throws(ScanError) -> Credential {
        let got = Box()
        try await read(count: 1, timeout: timeout) { credential in got.value.withLock { $0 = credential } }
        return got.value.withLock { $0 }!
    }
}

/// The moment a scan times out, moved on by each code.
final class Deadline: Sendable {
    let value: Mutex<ContinuousClock.Instant>
    init(_ instant: ContinuousClock.Instant) { value = Mutex(instant) }
}

final class Box: Sendable {
    let value = Mutex<Credential?>(nil)
}
