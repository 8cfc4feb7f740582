import Foundation
import HardwareSim
import TestSupport
import Testing

/// cuntongd's `[scanner]` backends on emulated scanners.
@Suite("cuntongd scanner backends", .timeLimit(.minutes(5)))
struct DaemonScannerTests {
    @Test("[scanner] backend = \"libusb\": the daemon holds a HID POS scanner through libusb (its descriptor asked for) and takes its code")
    func libusbBackend() async throws {
        try await withCore { core in
            let scanner = VirtualScanner(mode: .hidpos, vendor: "1eab", product: "1d10", name: "Newland FM430", hidposModel: .newland)
            let code = "ECQR:360400:0001:" + String(repeating: "7f3a9c21", count: 8)
            try scanner.umockdevDevice().write(toFile: core.directory + "/s.umockdev", atomically: true, encoding: .utf8)
            try Data(scanner.usbmonCapture(codes: [code])).write(to: URL(fileURLWithPath: core.directory + "/s.pcap"))
            let daemon = try await DaemonFixture.start(core: core, extraConfig: """
                [scanner]
                backend = "libusb"
                """, wrapper: ["/usr/bin/umockdev-run", "--device", core.directory + "/s.umockdev",
                               "--pcap", VirtualScanner.usbSysfsPath + "=" + core.directory + "/s.pcap", "--"])
            func scanners() async throws -> [[String: Any]] {
                (try await daemon.api.get("/v1/status").object())["scanners"] as? [[String: Any]] ?? []
            }
            try await waitUntil { try await scanners().contains { $0["device"] as? String == "usb:1eab:1d10" } }
            #expect(try await scanners().first?["mode"] as? String == "hidpos")
            try await waitUntil { daemon.log.contains("code scanned") }
            let log = daemon.log
            #expect(log.contains("scanner connected") && log.contains("device=usb:1eab:1d10"), "\(log)")
            // The code is in the log only masked.
            #expect(!log.contains(code))
            #expect(await daemon.stop() == 0)
        }
    }

    @Test("[scanner] configuration errors are plain: an unknown backend, a malformed usb_id, libusb on an unknown id without a mode")
    func configurationErrors() async throws {
        try await withCore { core in
            for (section, expected) in [
                ("backend = \"bluetooth\"", "[scanner] backend must be"),
                ("usb_id = \"1a86\"", "[scanner] usb_id must be VID:PID"),
                ("backend = \"libusb\"\nusb_id = \"1234:5678\"", "is not in the scanner table: give mode"),
            ] {
                let config = try core.configFile(journal: "j", extra: "[scanner]\n" + section)
                let r = try await ProcessRunner.run(ProcessRunner.executable("cuntongd"), ["--config", config])
                #expect(r.status == 1)
                #expect(r.stderr.contains(expected), "\(r.stderr)")
            }
        }
    }
}


