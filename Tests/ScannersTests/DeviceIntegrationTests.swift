import Config
import Foundation
import HardwareSim
import Scanners
import TerminalCore
import Testing
import TestSupport

/// `cuntong scan` against emulated devices: hidraw scanners under umockdev-run (sysfs and
/// the device node emulated, reports replayed from a script), serial scanners on a pty.
@Suite("Scanners on emulated devices", .timeLimit(.minutes(5)))
struct DeviceIntegrationTests {
    func directory() -> String { NSTemporaryDirectory() + "cuntong-scan-\(UUID().uuidString.prefix(8))" }

    /// Writes the umockdev files for `scanner` sending `codes` and runs `cuntong scan ARGS` under umockdev-run.
    /// `serialNode` (ttyUSB0, ttyACM0) emulates a serial scanner there instead of a hidraw one.
    func scanUnderUmockdev(_ scanner: VirtualScanner, codes: [String], truncate: Bool = false,
                           config: String? = Fixtures.simulatorConfig, serialNode: String? = nil,
                           _ args: [String]) async throws -> ProcessRunner.Result {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let description = serialNode.map { scanner.umockdevSerialDevice(node: $0) } ?? scanner.umockdevDevice()
        try description.write(toFile: dir + "/s.umockdev", atomically: true, encoding: .utf8)
        try scanner.script(codes: codes, startMs: 200, gapMs: 50, truncate: truncate)
            .write(toFile: dir + "/s.script", atomically: true, encoding: .utf8)
        return try await ProcessRunner.run(
            "/usr/bin/umockdev-run",
            ["--device", dir + "/s.umockdev", "--script", "/dev/\(serialNode ?? "hidraw0")=" + dir + "/s.script", "--",
             ProcessRunner.executable("cuntong"), "scan"] + args + (config.map { ["--config", $0] } ?? []))
    }

    func json(_ line: Substring) throws -> [String: String] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
    }

    static let code = "ECQR:360400:0001:7f3a9c21d4e8b6a0"

    @Test("A keyboard-wedge scanner found through sysfs (Symbol LS2208): the code, classified and masked")
    func keyboardAuto() async throws {
        let r = try await scanUnderUmockdev(VirtualScanner(mode: .keyboard), codes: [Self.code], ["--json", "--timeout", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try json(r.stdout.split(separator: "\n")[0])
        #expect(out["kind"] == "e-credential")
        #expect(out["device"] == "/dev/hidraw0")
        #expect(out["payload"] == Masking.identifier(Self.code))
    }

    @Test("A HID-POS scanner (Honeywell 1400g), a code spanning two reports, --reveal")
    func hidposLong() async throws {
        let long = "ESSC:360400:" + String(repeating: "Ab0", count: 21)  // 75 characters: two reports
        let r = try await scanUnderUmockdev(VirtualScanner(mode: .hidpos), codes: [long], ["--json", "--reveal", "--timeout", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try json(r.stdout.split(separator: "\n")[0])
        #expect(out["kind"] == "e-social-security-card")
        #expect(out["payload"] == long)
    }

    @Test("The same code twice within the window counts once")
    func repeatedCode() async throws {
        let other = "ECQR:360400:0001:1b2c3d4e5f607182"
        let r = try await scanUnderUmockdev(VirtualScanner(mode: .keyboard), codes: [Self.code, Self.code, other],
                                            ["--json", "--reveal", "--count", "2", "--timeout", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        let payloads = try r.stdout.split(separator: "\n").map { try json($0)["payload"] }
        #expect(payloads == [Self.code, other])
    }

    @Test("A product barcode (EAN-13) is refused in words: exit 1, nothing on stdout")
    func productBarcode() async throws {
        let r = try await scanUnderUmockdev(VirtualScanner(mode: .hidpos), codes: ["6901234567892"], ["--timeout", "10"])
        #expect(r.status == 1)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.contains("[SCAN-PRODUCT-BARCODE]") && r.stderr.contains("医保码"))
    }

    @Test("A code of a shape no rule names is printed as unknown, exit 0: the platform will say what it is")
    func unknownShape() async throws {
        let code = "1DB8E9C7A2F34B5D:9F0A-" + String(repeating: "x7", count: 40)
        let r = try await scanUnderUmockdev(VirtualScanner(mode: .keyboard), codes: [code], config: nil,
                                            ["--json", "--reveal", "--timeout", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        let out = try json(r.stdout.split(separator: "\n")[0])
        #expect(out["kind"] == "unknown" && out["payload"] == code)
    }

    @Test("An unterminated stream is not a code: it times out")
    func unterminated() async throws {
        let r = try await scanUnderUmockdev(VirtualScanner(mode: .keyboard), codes: [Self.code], truncate: true, ["--timeout", "2"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("[SCAN-TIMEOUT]"))
        #expect(r.stdout.isEmpty)
    }

    @Test("A device cuntong does not know is read as its report descriptor says; without one it needs --mode, and with it reads")
    func unknownDevice() async throws {
        let declared = try await scanUnderUmockdev(VirtualScanner(mode: .keyboard, vendor: "1234", product: "5678"), codes: [Self.code],
                                                   ["--device", "/dev/hidraw0", "--json", "--reveal", "--timeout", "5"])
        #expect(declared.status == 0, "\(declared.stderr)")
        #expect(try declared.stdout.split(separator: "\n").map { try json($0)["payload"] } == [Self.code])
        let stranger = VirtualScanner(mode: .keyboard, vendor: "1234", product: "5678", exposesReportDescriptor: false)
        let refused = try await scanUnderUmockdev(stranger, codes: [Self.code], ["--device", "/dev/hidraw0", "--timeout", "5"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("[SCAN-MODE-UNKNOWN]"))
        let read = try await scanUnderUmockdev(stranger, codes: [Self.code], ["--device", "/dev/hidraw0", "--mode", "keyboard", "--timeout", "5"])
        #expect(read.status == 0, "\(read.stderr)")
    }

    @Test("--list shows the emulated scanner with its table entry")
    func list() async throws {
        let r = try await scanUnderUmockdev(VirtualScanner(mode: .hidpos), codes: [Self.code], ["--list"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("/dev/hidraw0  0c2e:0b8f  Honeywell Voyager 1400g (HID POS)  hidpos"))
    }

    @Test("No device: a clear error")
    func missingDevice() async throws {
        let r = try await ProcessRunner.run(ProcessRunner.executable("cuntong"), ["scan", "--device", "/dev/hidraw-none"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("[SCAN-DEVICE-NOT-FOUND]"))
    }

    @Test("A serial scanner on a pty: lines read, then the scanner unplugged is reported")
    func serialPTY() async throws {
        let (master, device) = try SerialScannerPTY.open()
        let reader = ScannerReader(path: device, options: .init(mode: .serial, baud: 115200),
                                   classifier: try TerminalConfig.load(path: Fixtures.simulatorConfig).classifier())
        var events = reader.events().makeAsyncIterator()
        let scanner = VirtualScanner(mode: .serial)
        // Two codes, one split across writes, one with LF only.
        let bytes = Array("ESSC:360400:abcdefABCDEF01".utf8)
        _ = bytes.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
        try await Task.sleep(for: .milliseconds(50))
        for report in scanner.reports(for: "23") + [Array("ECQR:360400:0001:7f3a9c21d4e8b6a0\n".utf8)] {
            _ = report.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
        }
        guard case .credential(let first, _) = await events.next() else { Issue.record("no first code"); return }
        #expect(first.payload == "ESSC:360400:abcdefABCDEF0123")
        #expect(first.kind == .electronicSocialSecurityQRCode)
        guard case .credential(let second, _) = await events.next() else { Issue.record("no second code"); return }
        #expect(second.kind == .medicalInsuranceQRCode)
        close(master)  // unplugged
        guard case .failed(let error) = await events.next() else { Issue.record("no failure"); return }
        #expect(error == .deviceGone(device))
    }

    @Test("A scanner unplugged and plugged back is read again without a restart (inotify on the device directory)")
    func replug() async throws {
        let dev = directory()
        try FileManager.default.createDirectory(atPath: dev, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dev) }
        let node = dev + "/ttyACM0"
        let watcher = ScannerWatcher(device: node, mode: .serial, devDirectory: dev)
        var events = watcher.events().makeAsyncIterator()
        func plug() throws -> Int32 {
            let (master, device) = try SerialScannerPTY.open()
            try FileManager.default.createSymbolicLink(atPath: node, withDestinationPath: device)
            return master
        }
        func send(_ master: Int32, _ code: String) {
            let bytes = Array((code + "\r\n").utf8)
            _ = bytes.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
        }
        try await Task.sleep(for: .milliseconds(100))
        let first = try plug()
        guard case .connected(let path, .serial) = await events.next() else { Issue.record("not connected"); return }
        #expect(path == node)
        try await Task.sleep(for: .milliseconds(100))
        send(first, Self.code)
        guard case .credential(let c1, _) = await events.next() else { Issue.record("no first code"); return }
        #expect(c1.payload == Self.code)
        // Unplugged: the line drops and udev removes the node.
        close(first)
        try FileManager.default.removeItem(atPath: node)
        guard case .disconnected(node) = await events.next() else { Issue.record("no disconnect"); return }
        // Plugged back.
        let second = try plug()
        guard case .connected = await events.next() else { Issue.record("not reconnected"); return }
        try await Task.sleep(for: .milliseconds(100))
        send(second, "ECQR:360400:0001:1b2c3d4e5f607182")
        guard case .credential(let c2, _) = await events.next() else { Issue.record("no second code"); return }
        #expect(c2.payload == "ECQR:360400:0001:1b2c3d4e5f607182")
        close(second)
    }

    @Test("libusb backend: the interface claimed and interrupt IN transfers replayed by umockdev from a usbmon capture",
          arguments: [ScanMode.keyboard, .hidpos])
    func libusb(mode: ScanMode) async throws {
        let dir = directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let scanner = VirtualScanner(mode: mode)
        let long = "ESSC:360400:" + String(repeating: "Ab0", count: 21)
        try scanner.umockdevDevice().write(toFile: dir + "/s.umockdev", atomically: true, encoding: .utf8)
        try Data(scanner.usbmonCapture(codes: [Self.code, long])).write(to: URL(fileURLWithPath: dir + "/s.pcap"))
        let r = try await ProcessRunner.run("/usr/bin/umockdev-run", [
            "--device", dir + "/s.umockdev", "--pcap", VirtualScanner.usbSysfsPath + "=" + dir + "/s.pcap", "--",
            ProcessRunner.executable("cuntong"), "scan", "--usb", "\(scanner.vendor):\(scanner.product)",
            "--count", "2", "--json", "--reveal", "--timeout", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        let payloads = try r.stdout.split(separator: "\n").map { try json($0)["payload"] }
        #expect(payloads == [Self.code, long])
        #expect(r.stderr.contains("claimed through libusb (\(mode.rawValue))"))
    }
}
