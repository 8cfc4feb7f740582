import CLibUSB

/// What the libusb session asks of a device: which one to open, its HID report descriptor,
/// its interrupt IN endpoint.
extension LibUSBSession {
    /// Opens the first device present that is one of the targets.
    func openFirstTarget(_ ctx: OpaquePointer) -> (OpaquePointer, LibUSBScanner.Target)? {
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(ctx, &list)
        guard count > 0, let list else { return nil }
        defer { libusb_free_device_list(list, 1) }
        for i in 0..<count {
            guard let device = list[i] else { continue }
            var d = libusb_device_descriptor()
            guard libusb_get_device_descriptor(device, &d) == 0,
                  let found = scanner.targets.first(where: { $0.vendor == d.idVendor && $0.product == d.idProduct }) else { continue }
            var h: OpaquePointer?
            let status = libusb_open(device, &h)
            if status == 0, let h { return (h, found) }
            if failedToOpen() {
                out.yield(.failed(path: found.name, status == Int32(LIBUSB_ERROR_ACCESS.rawValue)
                                  ? .permissionDenied(found.name) : .deviceError(found.name, String(cString: libusb_error_name(status)))))
            }
        }
        return nil
    }

    /// The HID report descriptor of interface 0: GET_DESCRIPTOR (report, 0x22) for the length
    /// its HID class descriptor (0x21, among the interface's extra bytes) announces — the
    /// request usbhid makes at enumeration.
    func reportDescriptor(_ h: OpaquePointer, announced: inout Bool) -> [UInt8]? {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(libusb_get_device(h), &config) == 0, let config else { return nil }
        defer { libusb_free_config_descriptor(config) }
        guard config.pointee.bNumInterfaces > 0, config.pointee.interface.pointee.num_altsetting > 0 else { return nil }
        let alt = config.pointee.interface.pointee.altsetting.pointee
        guard let extra = alt.extra, alt.extra_length >= 9 else { return nil }
        let bytes = Array(UnsafeBufferPointer(start: extra, count: Int(alt.extra_length)))
        var i = 0
        var length = 0
        while i + 1 < bytes.count, bytes[i] >= 2 {
            let size = Int(bytes[i])
            if bytes[i + 1] == 0x21, size >= 9, i + 8 < bytes.count, bytes[i + 6] == 0x22 {
                length = Int(bytes[i + 7]) | Int(bytes[i + 8]) << 8
                break
            }
            i += size
        }
        guard length > 0, length <= 4096 else { return nil }
        announced = true
        var buffer = [UInt8](repeating: 0, count: length)
        let got = libusb_control_transfer(h, 0x81, 0x06, 0x2200, 0, &buffer, UInt16(length), 1000)
        return got > 0 ? Array(buffer.prefix(Int(got))) : nil
    }

    /// The interface 0 endpoint that is interrupt IN.
    func interruptIn(_ h: OpaquePointer) -> UInt8? {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(libusb_get_device(h), &config) == 0, let config else { return nil }
        defer { libusb_free_config_descriptor(config) }
        guard config.pointee.bNumInterfaces > 0, config.pointee.interface.pointee.num_altsetting > 0 else { return nil }
        let alt = config.pointee.interface.pointee.altsetting.pointee
        for i in 0..<Int(alt.bNumEndpoints) {
            let ep = alt.endpoint[i]
            if ep.bEndpointAddress & 0x80 != 0 && ep.bmAttributes & 0x03 == UInt8(LIBUSB_TRANSFER_TYPE_INTERRUPT.rawValue) {
                return ep.bEndpointAddress
            }
        }
        return nil
    }
}
