/// The udev rules for the scanners cuntong knows, generated from the table — never kept by
/// hand in a second place (udev/70-cuntong-scanners.rules is this output; a test checks it).
/// Each known device gets group `cuntong` (mode 0660), the tag `cuntong` that cuntongd's
/// hot-plug watch filters on, and `CUNTONG_SCAN_MODE`; serial scanners a stable
/// /dev/cuntong/scanner-N link; the USB device node too, for the libusb backend.
public enum UdevRules {
    public static func generate(_ scanners: [KnownScanner] = KnownScanner.all) -> String {
        var lines = [
            "# Generated from Sources/Scanners/Devices/known-scanners.json by `cuntong-sim udev-rules`.",
            "# Do not edit: change the table and regenerate (a test fails if the two differ).",
            "ACTION==\"remove\", GOTO=\"cuntong_scanners_end\"",
            "",
        ]
        for s in scanners {
            let ids = "ATTRS{idVendor}==\"\(s.vendor)\", ATTRS{idProduct}==\"\(s.product)\""
            let common = "GROUP=\"cuntong\", MODE=\"0660\", TAG+=\"cuntong\", ENV{CUNTONG_DEVICE}=\"scanner\", ENV{CUNTONG_SCAN_MODE}=\"\(s.mode.rawValue)\""
            lines.append("# \(s.name)")
            switch s.mode {
            case .keyboard, .hidpos:
                lines.append("SUBSYSTEM==\"hidraw\", \(ids), \(common)")
                lines.append("SUBSYSTEM==\"usb\", ENV{DEVTYPE}==\"usb_device\", ATTR{idVendor}==\"\(s.vendor)\", ATTR{idProduct}==\"\(s.product)\", GROUP=\"cuntong\", MODE=\"0660\", TAG+=\"cuntong\"")
            case .serial:
                lines.append("SUBSYSTEM==\"tty\", KERNEL==\"ttyACM[0-9]*\", \(ids), \(common), SYMLINK+=\"cuntong/scanner-%n\"")
            }
        }
        lines += ["", "LABEL=\"cuntong_scanners_end\""]
        return lines.joined(separator: "\n") + "\n"
    }
}
