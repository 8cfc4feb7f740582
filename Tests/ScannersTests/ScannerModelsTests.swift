import Foundation
import HardwareSim
import Scanners
import TestSupport
import Testing

/// Scanners as they are sold: HID POS reports of each vendor's layout, read through the
/// device's own report descriptor (hidraw and libusb), and serial scanners behind a generic
/// USB-serial bridge, found by vendor:product — all under umockdev.
@Suite("Scanner models under umockdev", .timeLimit(.minutes(5)))
struct ScannerModelsTests {
    let devices = DeviceIntegrationTests()
    static let short = "ECQR:360400:0001:7f3a9c21d4e8b6a0"
    /// Spans three 56-byte reports.
    static let long = "ESSC:360400:" + String(repeating: "Zx9", count: 45)

    static let models: [(HIDPOSModel, String, String)] = [
        (.honeywell, "0c2e", "0b8f"),  // in the table (Voyager 1400g, HID POS)
        (.zebra, "05e0", "2100"),      // not in the table: the descriptor says HID POS
        (.newland, "1eab", "1d10"),    // in the table (FM430, HID POS)
    ]

    func payloads(_ r: ProcessRunner.Result) throws -> [String?] {
        try r.stdout.split(separator: "\n").map { try devices.json($0)["payload"] }
    }

    @Test("hidraw: each vendor's reports decode to the exact code through the device's report descriptor",
          arguments: ScannerModelsTests.models)
    func hidrawDescriptor(model: HIDPOSModel, vendor: String, product: String) async throws {
        let scanner = VirtualScanner(mode: .hidpos, vendor: vendor, product: product, name: "\(model) HID POS", hidposModel: model)
        let r = try await devices.scanUnderUmockdev(scanner, codes: [Self.long, Self.short],
                                                    ["--device", "/dev/hidraw0", "--count", "2", "--json", "--reveal", "--timeout", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try payloads(r) == [Self.long, Self.short])
    }

    @Test("hidraw without a descriptor: a known Newland reads with Newland's published layout; an unknown Zebra needs --mode, then reads with Zebra's")
    func hidrawFallback() async throws {
        let newland = VirtualScanner(mode: .hidpos, vendor: "1eab", product: "1d10", hidposModel: .newland, exposesReportDescriptor: false)
        let r = try await devices.scanUnderUmockdev(newland, codes: [Self.long], ["--json", "--reveal", "--timeout", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try payloads(r) == [Self.long])

        let zebra = VirtualScanner(mode: .hidpos, vendor: "05e0", product: "2100", hidposModel: .zebra, exposesReportDescriptor: false)
        let unknown = try await devices.scanUnderUmockdev(zebra, codes: [Self.short], ["--device", "/dev/hidraw0", "--timeout", "5"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("--mode"), "\(unknown.stderr)")
        let given = try await devices.scanUnderUmockdev(zebra, codes: [Self.long],
                                                        ["--device", "/dev/hidraw0", "--mode", "hidpos", "--json", "--reveal", "--timeout", "10"])
        #expect(given.status == 0, "\(given.stderr)")
        #expect(try payloads(given) == [Self.long])
    }

    @Test("libusb: the report descriptor asked for with GET_DESCRIPTOR (replayed from a usbmon capture), then each vendor's reports",
          arguments: ScannerModelsTests.models)
    func libusbDescriptor(model: HIDPOSModel, vendor: String, product: String) async throws {
        let dir = devices.directory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let scanner = VirtualScanner(mode: .hidpos, vendor: vendor, product: product, hidposModel: model)
        try scanner.umockdevDevice().write(toFile: dir + "/s.umockdev", atomically: true, encoding: .utf8)
        try Data(scanner.usbmonCapture(codes: [Self.long, Self.short])).write(to: URL(fileURLWithPath: dir + "/s.pcap"))
        let r = try await ProcessRunner.run("/usr/bin/umockdev-run", [
            "--device", dir + "/s.umockdev", "--pcap", VirtualScanner.usbSysfsPath + "=" + dir + "/s.pcap", "--",
            ProcessRunner.executable("cuntong"), "scan", "--usb", "\(vendor):\(product)", "--mode", "hidpos",
            "--count", "2", "--json", "--reveal", "--timeout", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try payloads(r) == [Self.long, Self.short])
    }

    @Test("A serial scanner behind a CH340 (ttyUSB0) is found by --id 1a86:7523 and read; unnamed, it is listed but never taken")
    func ch340() async throws {
        let scanner = VirtualScanner(mode: .serial, vendor: "1a86", product: "7523", name: "USB Serial")
        let r = try await devices.scanUnderUmockdev(scanner, codes: [Self.short], serialNode: "ttyUSB0",
                                                    ["--id", "1a86:7523", "--json", "--reveal", "--timeout", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try payloads(r) == [Self.short])
        let list = try await devices.scanUnderUmockdev(scanner, codes: [], serialNode: "ttyUSB0", ["--list"])
        #expect(list.stdout.contains("/dev/ttyUSB0  1a86:7523  WCH CH340 USB-serial bridge: taken only when named"), "\(list.stdout)")
        let unnamed = try await devices.scanUnderUmockdev(scanner, codes: [Self.short], serialNode: "ttyUSB0", ["--timeout", "3"])
        #expect(unnamed.status == 1)
        #expect(unnamed.stdout.isEmpty)
    }

    @Test("A CDC-ACM scanner from the table (Newland FM430, 1eab:1d06) is found without being named")
    func cdcFromTable() async throws {
        let scanner = VirtualScanner(mode: .serial, vendor: "1eab", product: "1d06", name: "FM430")
        let r = try await devices.scanUnderUmockdev(scanner, codes: [Self.short], serialNode: "ttyACM0",
                                                    ["--json", "--reveal", "--timeout", "10"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try payloads(r) == [Self.short])
    }
}
