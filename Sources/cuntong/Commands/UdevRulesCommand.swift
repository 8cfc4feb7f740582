import ArgumentParser
import Foundation
import Scanners

struct UdevRulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "udev-rules",
        abstract: "Print the udev rules that give cuntong the scanners it knows.",
        discussion: """
            The rules come from the scanner table (known-scanners.json, with a public source per id): each known
            scanner's hidraw or tty node, and its USB device for the libusb backend, goes to
            group cuntong (mode 0660) with the tag cuntong and CUNTONG_SCAN_MODE; serial scanners
            also get /dev/cuntong/scanner-N.

            A serial scanner behind a generic USB-serial chip (CH340 1a86:7523, CP210x 10c4:ea60,
            FTDI 0403:6001, PL2303 067b:2303, …) is never claimed on its own, because the same chips
            drive modems and PLCs: name it with --serial-bridge VID:PID (as `cuntong scan --identify`
            suggests), and set [scanner] usb_id to the same.

            Install: cuntong udev-rules --output /etc/udev/rules.d/70-cuntong-scanners.rules
                     udevadm control --reload && udevadm trigger
            """)

    @Option(name: .customLong("serial-bridge"), help: "A USB-serial bridge a scanner sits behind (VID:PID, hex); repeatable.")
    var serialBridges: [String] = []

    @Option(help: "Write the rules to this file (0644) instead of printing them.")
    var output: String?

    @Flag(help: "List the USB-serial bridges cuntong knows by id, with their kernel drivers, and exit.")
    var listBridges = false

    func validate() throws {
        for text in serialBridges where USBID(text) == nil {
            throw ValidationError("--serial-bridge must be VID:PID in hex, e.g. 1a86:7523 (got \(text))")
        }
    }

    func run() throws {
        if listBridges {
            for b in USBSerialBridge.all {
                print("\(b.vendor):\(b.product)  \(b.chip)  \(b.driver) → \(b.kernelName)*")
            }
            return
        }
        let text = UdevRules.generate(serialBridges: serialBridges.compactMap(USBID.init))
        guard let output else {
            print(text, terminator: "")
            return
        }
        do {
            try text.write(toFile: output, atomically: true, encoding: .utf8)
            chmod(output, 0o644)
        } catch {
            Output.error("cannot write \(output): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        Output.error("wrote \(output); now: udevadm control --reload && udevadm trigger")
    }
}
