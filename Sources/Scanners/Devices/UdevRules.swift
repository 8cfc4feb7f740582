/// The udev rules for the scanners cuntong knows, generated from the table — never kept by
/// hand in a second place (udev/70-cuntong-scanners.rules is this output; a test checks it).
/// Each known device gets group `cuntong` (mode 0660), the tag `cuntong` that cuntongd's
/// hot-plug watch filters on, and `CUNTONG_SCAN_MODE`; serial scanners a stable
/// /dev/cuntong/scanner-N link; the USB device node too, for the libusb backend.
///
/// Generic USB-serial bridges get a rule only when the technician names them
/// (`cuntong udev-rules --serial-bridge 1a86:7523`): the same chip drives modems and PLCs.
package enum UdevRules {
    package static func generate(_ scanners: [KnownScanner] = KnownScanner.all, serialBridges: [USBID] = []) -> String {
        var lines = [
            "# Generated from Sources/Scanners/Devices/known-scanners.json by `cuntong udev-rules`.",
            "# Do not edit: change the table and regenerate (a test fails if the two differ).",
            "ACTION==\"remove\", GOTO=\"cuntong_scanners_end\"",
            "",
        ]
        for s in scanners {
            lines.append("# \(s.name)")
            lines += rules(vendor: s.vendor, product: s.product, mode: s.mode)
        }
        for id in serialBridges {
            let bridge = USBSerialBridge.find(vendor: id.vendor, product: id.product)
            lines.append("# A serial scanner behind \(bridge?.chip ?? "a USB-serial bridge") \(id), named by the technician")
            lines += rules(vendor: id.vendor, product: id.product, mode: .serial, kernel: bridge?.kernelName ?? "ttyUSB")
        }
        lines += ["", "LABEL=\"cuntong_scanners_end\""]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The rule lines for one device.
    package static func rules(vendor: String, product: String, mode: ScanMode, kernel: String = "ttyACM") -> [String] {
        let ids = "ATTRS{idVendor}==\"\(vendor)\", ATTRS{idProduct}==\"\(product)\""
        let common = "GROUP=\"cuntong\", MODE=\"0660\", TAG+=\"cuntong\", ENV{CUNTONG_DEVICE}=\"scanner\", ENV{CUNTONG_SCAN_MODE}=\"\(mode.rawValue)\""
        switch mode {
        case .keyboard, .hidpos:
            return ["SUBSYSTEM==\"hidraw\", \(ids), \(common)",
                    "SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ATTR{idVendor}==\"\(vendor)\", ATTR{idProduct}==\"\(product)\", GROUP=\"cuntong\", MODE=\"0660\", TAG+=\"cuntong\""]
        case .serial:
            return ["SUBSYSTEM==\"tty\", KERNEL==\"\(kernel)[0-9]*\", \(ids), \(common), SYMLINK+=\"cuntong/scanner-%n\""]
        }
    }
}
