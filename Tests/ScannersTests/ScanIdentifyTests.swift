import Foundation
import HardwareSim
import Scanners
import TestSupport
import Testing

/// `cuntong scan --identify` on emulated scanners: the technician scans any code and is told
/// what the device is and what to configure.
@Suite("cuntong scan --identify", .timeLimit(.minutes(5)))
struct ScanIdentifyTests {
    let devices = DeviceIntegrationTests()
    static let code = "ECQR:360400:0001:7f3a9c21d4e8b6a0"

    func identify(_ scanner: VirtualScanner, serialNode: String? = nil, json: Bool = true) async throws -> (ProcessRunner.Result, [String: Any]) {
        let r = try await devices.scanUnderUmockdev(scanner, codes: [Self.code], serialNode: serialNode,
                                                    ["--identify", "--reveal", "--timeout", "10"] + (json ? ["--json"] : []))
        guard json else { return (r, [:]) }
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any] ?? [:]
        return (r, object)
    }

    @Test("A HID POS scanner the table lacks (Zebra 05e0:2100): named from its descriptor, its layout and AIM id shown, the configuration and udev line to add")
    func unknownHIDPOS() async throws {
        let (r, v) = try await identify(VirtualScanner(mode: .hidpos, vendor: "05e0", product: "2100", hidposModel: .zebra))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(v["node"] as? String == "/dev/hidraw0" && v["vendor"] as? String == "05e0" && v["product"] as? String == "2100")
        #expect(v["interface"] as? String == "00")
        #expect(v["known"] as? Bool == false)
        #expect(v["mode"] as? String == "hidpos" && v["evidence"] as? String == "descriptor")
        #expect((v["layout"] as? String)?.contains("data 6…61") == true, "\(v)")
        #expect(v["symbology"] as? String == "]Q1")
        #expect(v["payload"] as? String == Self.code)
        #expect((v["configuration"] as? String)?.contains("usb_id = \"05e0:2100\"\nmode = \"hidpos\"") == true, "\(v)")
        #expect((v["udev"] as? [String])?.first?.contains("SUBSYSTEM==\"hidraw\", ATTRS{idVendor}==\"05e0\", ATTRS{idProduct}==\"2100\"") == true)
    }

    @Test("A known keyboard-wedge scanner: nothing to add")
    func knownKeyboard() async throws {
        let (r, _) = try await identify(VirtualScanner(mode: .keyboard), json: false)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("device      05e0:1200, interface 00, serial SIM0001"), "\(r.stdout)")
        #expect(r.stdout.contains("mode        keyboard, from its HID report descriptor"))
        #expect(r.stdout.contains("code        \(Self.code)"))
        #expect(r.stdout.contains("Nothing to add"))
    }

    @Test("A keyboard without a readable descriptor is told by its reports")
    func keyboardByReports() async throws {
        let (r, v) = try await identify(VirtualScanner(mode: .keyboard, vendor: "1234", product: "5678", exposesReportDescriptor: false))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(v["mode"] as? String == "keyboard" && v["evidence"] as? String == "reports")
        #expect(v["payload"] as? String == Self.code)
    }

    @Test("A serial scanner behind a CH340: the bridge named, usb_id and the udev-rules command to run")
    func ch340() async throws {
        let (r, _) = try await identify(VirtualScanner(mode: .serial, vendor: "1a86", product: "7523"), serialNode: "ttyUSB0", json: false)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Scanned on /dev/ttyUSB0"))
        #expect(r.stdout.contains("a WCH CH340 USB-serial bridge"))
        #expect(r.stdout.contains("mode        serial, from its tty node"))
        #expect(r.stdout.contains("usb_id = \"1a86:7523\""))
        #expect(r.stdout.contains("cuntong udev-rules --serial-bridge 1a86:7523"))
    }

    @Test("Nothing scanned: a timeout in words, exit 1")
    func nothing() async throws {
        let r = try await devices.scanUnderUmockdev(VirtualScanner(mode: .keyboard), codes: [], ["--identify", "--timeout", "1"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("SCAN-TIMEOUT"), "\(r.stderr)")
    }
}
