import Foundation

/// A serial (CDC-ACM) scanner stood in for by a pseudo-terminal: the program under test
/// opens the pty's device (linked where a ttyACM would be) and reads lines.
package enum SerialScannerPTY {
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    /// Opens a pty and returns (master fd, device path). With `holdOpen` the simulator keeps
    /// the device open itself (never reading it), so that a program closing and reopening
    /// it does not hang the line up, as with a real serial device.
    package static func open(holdOpen: Bool = false) throws -> (Int32, String) {
        // /dev/ptmx by hand (posix_openpt is not in Swift's Glibc module): unlock the
        // slave (TIOCSPTLCK) and ask its number (TIOCGPTN).
        let master = Foundation.open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC)
        var unlock: Int32 = 0
        var number: UInt32 = 0
        guard master >= 0, ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else {
            throw Failure(description: "cannot open a pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        let name = "/dev/pts/\(number)"
        // Raw on our side too, so CR LF arrive as written.
        var t = termios()
        tcgetattr(master, &t)
        cfmakeraw(&t)
        tcsetattr(master, TCSANOW, &t)
        if holdOpen { _ = Foundation.open(name, O_RDWR | O_NOCTTY | O_CLOEXEC) }
        return (master, name)
    }

    package static func run(scanner: VirtualScanner, codes: [String], link: String, startMs: Int, gapMs: Int) throws {
        let (master, device) = try open(holdOpen: true)
        try? FileManager.default.createDirectory(atPath: (link as NSString).deletingLastPathComponent,
                                                 withIntermediateDirectories: true)
        try? FileManager.default.removeItem(atPath: link)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: device)
        print("cuntong-sim scanner: serial scanner on \(device), linked at \(link)")
        fflush(nil)
        usleep(useconds_t(startMs * 1000))
        for (i, code) in codes.enumerated() {
            if i > 0 { usleep(useconds_t(gapMs * 1000)) }
            for report in scanner.reports(for: code) {
                _ = report.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
            }
        }
        // Keep the line up (a scanner stays plugged in) until interrupted.
        while true { pause() }
    }
}
