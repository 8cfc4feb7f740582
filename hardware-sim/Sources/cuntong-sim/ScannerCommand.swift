import ArgumentParser
import Foundation
import HardwareSim
import Scanners

struct ScannerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scanner",
        abstract: "A virtual USB QR scanner: umockdev files for a hidraw scanner, or a serial scanner on a pty.",
        discussion: """
            hidraw (--mode keyboard or hidpos): writes DIR/scanner.umockdev (the sysfs of a USB
            HID scanner with /dev/hidraw0 and its USB device node), DIR/scanner.script (the
            reports that type the codes, for hidraw) and DIR/scanner.pcap (the same reports as
            a usbmon capture, for a libusb reader), then prints the umockdev-run commands, e.g.
              cuntong-sim scanner --mode hidpos --code ECQR:360400:0001:7f3a9c21d4e8b6a0 --out /tmp/scan
              umockdev-run --device /tmp/scan/scanner.umockdev --script /dev/hidraw0=/tmp/scan/scanner.script \\
                  -- cuntong scan --json
            Keyboard reports follow the HID boot keyboard (US layout, Enter at the end); HID POS
            reports the Honeywell layout (report ID 2, count, AIM ID, 56 data bytes, continuation).

            serial (--mode serial): opens a pty, links its device to --link (default
            /tmp/cuntong-sim/ttyACM0) and writes each code followed by CR LF, --gap-ms apart,
            then keeps the line open until interrupted.
            """)

    @Option(help: "keyboard, hidpos or serial.")
    var mode: String

    @Option(help: "A code to send (repeatable, in order).")
    var code: [String] = []

    @Option(help: "hidraw: directory for scanner.umockdev and scanner.script.")
    var out: String = "/tmp/cuntong-sim/scanner"

    @Option(help: "USB vendor id (hex); default: a known scanner of the mode.")
    var vendor: String?

    @Option(help: "USB product id (hex).")
    var product: String?

    @Option(help: "Milliseconds before the first code.")
    var startMs: Int = 300

    @Option(help: "Milliseconds between codes.")
    var gapMs: Int = 200

    @Flag(help: "Leave the last code unterminated (no Enter / no final report).")
    var truncate = false

    @Option(help: "serial: where to link the pty's device.")
    var link: String = "/tmp/cuntong-sim/ttyACM0"

    func validate() throws {
        guard let m = ScanMode(rawValue: mode) else { throw ValidationError("--mode must be keyboard, hidpos or serial") }
        if m != .serial && code.isEmpty { throw ValidationError("give at least one --code") }
    }

    func run() throws {
        let scanner = VirtualScanner(mode: ScanMode(rawValue: mode)!, vendor: vendor, product: product)
        if scanner.mode == .serial {
            try SerialScannerPTY.run(scanner: scanner, codes: code, link: link, startMs: startMs, gapMs: gapMs)
            return
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try scanner.umockdevDevice().write(toFile: out + "/scanner.umockdev", atomically: true, encoding: .utf8)
        try scanner.script(codes: code, startMs: startMs, gapMs: gapMs, truncate: truncate)
            .write(toFile: out + "/scanner.script", atomically: true, encoding: .utf8)
        try Data(scanner.usbmonCapture(codes: code)).write(to: URL(fileURLWithPath: out + "/scanner.pcap"))
        print("hidraw: umockdev-run --device \(out)/scanner.umockdev --script /dev/hidraw0=\(out)/scanner.script -- COMMAND")
        print("libusb: umockdev-run --device \(out)/scanner.umockdev --pcap \(VirtualScanner.usbSysfsPath)=\(out)/scanner.pcap -- COMMAND")
    }
}
