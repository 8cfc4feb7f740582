import CLibUSB

package enum Scanners {
    /// The libusb version this build links against, for `cuntong doctor`.
    package static var libusbVersion: String {
        guard let v = libusb_get_version()?.pointee else { return "unknown" }
        return "\(v.major).\(v.minor).\(v.micro)"
    }
}
