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


extension DaemonScannerTests {
    @Test("libusb hot-plug: the held scanner unplugged is reported and let go; plugged back (a new address) it is claimed again and read")
    func libusbReplug() async throws {
        try await withCore { core in
            let dir = core.directory
            var scanner = VirtualScanner(mode: .hidpos, vendor: "0c2e", product: "0b87", name: "Honeywell Voyager 1450g", hidposModel: .honeywell)
            let first = "ECQR:360400:0001:7f3a9c21d4e8b6a0", second = "ECQR:360400:0003:5566778899aabbcc"
            try scanner.umockdevDevice().write(toFile: dir + "/first.umockdev", atomically: true, encoding: .utf8)
            try Data(scanner.usbmonCapture(codes: [first])).write(to: URL(fileURLWithPath: dir + "/first.pcap"))
            scanner.usbAddress = 3
            try scanner.umockdevDevice(node: "hidraw1").write(toFile: dir + "/second.umockdev", atomically: true, encoding: .utf8)
            try Data(scanner.usbmonCapture(codes: [second])).write(to: URL(fileURLWithPath: dir + "/second.pcap"))
            let control = dir + "/usb.control"
            let daemon = try await DaemonFixture.start(core: core, extraConfig: """
                [scanner]
                backend = "libusb"
                """, wrapper: [ProcessRunner.executable("cuntong-usb-hotplug"), dir + "/first.umockdev", VirtualScanner.usbSysfsPath,
                               dir + "/first.pcap", control, "--"])
            func scanners() async throws -> [String] {
                ((try await daemon.api.get("/v1/status").object())["scanners"] as? [[String: Any]] ?? []).compactMap { $0["device"] as? String }
            }
            func send(_ line: String) throws {
                let fifo = try FileHandle(forWritingTo: URL(fileURLWithPath: control))
                fifo.write(Data((line + "\n").utf8))
                try fifo.close()
            }
            func count(_ text: String) -> Int { daemon.log.components(separatedBy: text).count - 1 }
            func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
                let deadline = ContinuousClock.now + .seconds(20)
                while ContinuousClock.now < deadline {
                    if try await condition() { return }
                    try await Task.sleep(for: .milliseconds(50))
                }
                Issue.record("\(what): not within 20 s\n\(daemon.log)")
            }
            let device = "usb:0c2e:0b87"
            try await waitFor("connected") { try await scanners() == [device] }
            try await waitFor("first code") { count("code scanned") == 1 }

            try send("unplug")
            try await waitFor("unplugged") { try await scanners().isEmpty }
            #expect(count("scanner unplugged") == 1, "\(daemon.log)")

            try send("plug \(dir)/second.umockdev \(dir)/second.pcap")
            try await waitFor("connected again") { try await scanners() == [device] }
            try await waitFor("second code") { count("code scanned") == 2 }
            #expect(count("scanner connected") == 2, "\(daemon.log)")
            #expect(!daemon.log.contains(second), "codes are logged masked")
            #expect(await daemon.stop() == 0)
        }
    }
}
