// QR scanner drivers (keyboard-wedge and HID-POS decoders, hidraw/libusb/tty backends) and
// QR payload classification land here with issue "Credentials from USB QR scanners".
import CLibUSB
import TerminalCore

public enum Scanners {
    /// The libusb version this build links against, for `cuntong doctor`.
    public static var libusbVersion: String {
        guard let v = libusb_get_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.micro)"
    }
}
