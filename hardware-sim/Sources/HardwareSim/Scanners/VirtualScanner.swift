import Foundation
import Scanners

/// A USB QR scanner as umockdev emulates it: the sysfs description of a hidraw device
/// (`.umockdev`) and a script of the reports it sends (`.script`), written from the USB HID
/// specifications (boot keyboard reports; HID POS reports), not from cuntong's decoders.
package struct VirtualScanner: Sendable {
    package var mode: ScanMode
    package var vendor: String
    package var product: String
    package var serial: String
    package var name: String
    /// HID POS: whose descriptor and reports (by default the vendor's).
    package var hidposModel: HIDPOSModel
    /// Whether the emulated sysfs and USB device hand out the HID report descriptor (a
    /// device or kernel that does not shows what cuntong does without it).
    package var exposesReportDescriptor: Bool
    /// The device's address on bus 1 (the kernel gives a new one when it is plugged back).
    package var usbAddress: Int = 2

    package init(mode: ScanMode, vendor: String? = nil, product: String? = nil, serial: String = "SIM0001",
                name: String? = nil, hidposModel: HIDPOSModel? = nil, exposesReportDescriptor: Bool = true) {
        self.mode = mode
        // Defaults: a real entry of the known-scanner table for each mode.
        let preset = mode == .hidpos ? ("0c2e", "0b8f", "Honeywell Voyager 1400g") : ("05e0", "1200", "Symbol LS2208")
        self.vendor = vendor ?? preset.0
        self.product = product ?? preset.1
        self.serial = serial
        self.name = name ?? preset.2
        self.hidposModel = hidposModel ?? HIDPOSModel.forVendor(vendor ?? preset.0)
        self.exposesReportDescriptor = exposesReportDescriptor
    }

    /// The HID report descriptor the device presents (none for a serial scanner).
    package var reportDescriptor: [UInt8] {
        switch mode {
        case .keyboard: bootKeyboardDescriptor
        case .hidpos: hidposModel.reportDescriptor
        case .serial: []
        }
    }

    /// HID Usage Tables, Keyboard/Keypad page (0x07), US layout: the characters of usages
    /// 0x04… in order, unshifted and shifted (0x28–0x2B are Enter, Escape, Backspace, Tab).
    static let unshifted = Array("abcdefghijklmnopqrstuvwxyz1234567890\n\u{1b}\u{8}\t -=[]\\#;'`,./".unicodeScalars)
    static let shifted = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ!@#$%^&*()\n\u{1b}\u{8}\t _+{}|~:\"~<>?".unicodeScalars)

    /// The usage and whether shift is held, for one printable ASCII character.
    package static func keyboardUsage(for scalar: Unicode.Scalar) -> (usage: UInt8, shift: Bool)? {
        // 0x32 ("non-US #") is skipped: a US keyboard has no such key.
        for (i, c) in unshifted.enumerated() where c == scalar && i + 4 != 0x32 { return (UInt8(i + 4), false) }
        for (i, c) in shifted.enumerated() where c == scalar && i + 4 != 0x32 { return (UInt8(i + 4), true) }
        return nil
    }

    /// The boot-keyboard reports that type `code` and press Enter: a press and a release per
    /// character, left shift where the US layout needs it.
    package static func keyboardReports(for code: String, terminator: UInt8 = 0x28) -> [[UInt8]] {
        var reports: [[UInt8]] = []
        for scalar in code.unicodeScalars {
            guard let (usage, shift) = keyboardUsage(for: scalar) else { continue }
            reports.append([shift ? 0x02 : 0x00, 0, usage, 0, 0, 0, 0, 0])
            reports.append([0, 0, 0, 0, 0, 0, 0, 0])
        }
        reports.append([0, 0, terminator, 0, 0, 0, 0, 0])
        reports.append([0, 0, 0, 0, 0, 0, 0, 0])
        return reports
    }

    /// Honeywell's HID POS input reports (see `HIDPOSModel`).
    package static func hidposReports(for code: [UInt8]) -> [[UInt8]] {
        HIDPOSModel.honeywell.reports(for: code)
    }

    package func reports(for code: String) -> [[UInt8]] {
        switch mode {
        case .keyboard: Self.keyboardReports(for: code)
        case .hidpos: hidposModel.reports(for: Array(code.utf8))
        case .serial: [Array((code + "\r\n").utf8)]
        }
    }

    /// umockdev's script format: `r <ms> <data>`, bytes below 32 and `^` escaped as `^X`.
    package static func escape(_ bytes: [UInt8]) -> String {
        var out = ""
        for b in bytes {
            if b < 32 {
                out += "^" + String(UnicodeScalar(b + 64))
            } else if b == 0x5E {
                out += "^`"
            } else {
                out += String(UnicodeScalar(b))
            }
        }
        return out
    }

    /// A script sending each code's reports, `gapMs` between codes, after `startMs`.
    /// `truncate` leaves the last code without its final report (an unterminated stream).
    package func script(codes: [String], startMs: Int = 300, gapMs: Int = 200, truncate: Bool = false) -> String {
        var lines = ["# cuntong-sim scanner: \(mode.rawValue) \(vendor):\(product)"]
        for (i, code) in codes.enumerated() {
            var reports = reports(for: code)
            if truncate && i == codes.count - 1 { reports.removeLast(mode == .keyboard ? 2 : 1) }
            for (j, report) in reports.enumerated() {
                let delay = j == 0 ? (i == 0 ? startMs : gapMs) : 1
                lines.append("r \(delay) \(Self.escape(report))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The USB descriptors (device, then configuration with one HID interface and its
    /// interrupt IN endpoint 0x81) as sysfs's binary `descriptors` file holds them.
    package var usbDescriptors: [UInt8] {
        let vid = UInt16(vendor, radix: 16) ?? 0, pid = UInt16(product, radix: 16) ?? 0
        let packet: UInt8 = mode == .keyboard ? 8 : 64
        let device: [UInt8] = [18, 1, 0x00, 0x02, 0, 0, 0, 8, UInt8(vid & 0xFF), UInt8(vid >> 8), UInt8(pid & 0xFF), UInt8(pid >> 8),
                               0x00, 0x01, 1, 2, 3, 1]
        let interface: [UInt8] = [9, 4, 0, 0, 1, 3, mode == .keyboard ? 1 : 0, mode == .keyboard ? 1 : 0, 0]
        let length = reportDescriptor.count
        let hid: [UInt8] = [9, 0x21, 0x11, 0x01, 0, 1, 0x22, UInt8(length & 0xFF), UInt8(length >> 8)]
        let endpoint: [UInt8] = [7, 5, 0x81, 0x03, packet, 0, 10]
        let total = 9 + interface.count + hid.count + endpoint.count
        let config: [UInt8] = [9, 2, UInt8(total & 0xFF), UInt8(total >> 8), 1, 1, 0, 0xA0, 50]
        return device + config + interface + hid + endpoint
    }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02X", $0) }.joined() }

    /// The sysfs path of the USB device in `umockdevDevice()`, for `umockdev-run --pcap`.
    package static let usbSysfsPath = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-1"

    /// A usbmon capture (pcap, LINKTYPE_USB_LINUX_MMAPPED) of the interrupt IN transfers
    /// carrying `codes`: for each report a submit ('S') of the IN URB and its completion
    /// ('C') with the report — what `umockdev-run --pcap` replays to a libusb program.
    package func usbmonCapture(codes: [String]) -> [UInt8] {
        var out: [UInt8] = []
        func le<T: FixedWidthInteger>(_ v: T) { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        le(UInt32(0xA1B2_C3D4)); le(UInt16(2)); le(UInt16(4)); le(Int32(0)); le(UInt32(0)); le(UInt32(65535)); le(UInt32(220))
        let length = UInt32(mode == .keyboard ? 8 : 64)
        var id: UInt64 = 0x1000
        var usec: Int32 = 0
        func record(_ type: UInt8, data: [UInt8], control setup: [UInt8]? = nil) {
            usec += 1000
            le(UInt32(1)); le(UInt32(usec)); le(UInt32(64 + data.count)); le(UInt32(64 + data.count))
            le(id)
            // event, transfer type (2 control / 1 interrupt), endpoint (0x80 control IN / 0x81), device 2
            out += [type, setup == nil ? 1 : 2, setup == nil ? 0x81 : 0x80, UInt8(usbAddress)]
            le(UInt16(1))                    // bus 1
            // setup flag (0: setup bytes present, on a control submit; '-' none), data flag ('<' none / 0 present)
            out += [type == 0x53 && setup != nil ? 0x00 : 0x2D, type == 0x53 ? 0x3C : 0x00]
            le(Int64(1)); le(usec); le(Int32(0))  // ts_sec, ts_usec, status
            let requested = setup.map { UInt32($0[6]) | UInt32($0[7]) << 8 } ?? length
            le(type == 0x53 ? requested : UInt32(data.count)); le(UInt32(data.count))
            out += type == 0x53 && setup != nil ? setup! : [UInt8](repeating: 0, count: 8)
            le(Int32(setup == nil ? 10 : 0)); le(Int32(0)); le(UInt32(0)); le(UInt32(0))  // interval, start frame, flags, ndesc
            out += data
        }
        // The host first asks for the HID report descriptor (GET_DESCRIPTOR, type 0x22,
        // interface 0, the length the HID descriptor gives), as usbhid does at enumeration.
        if exposesReportDescriptor, !reportDescriptor.isEmpty {
            let n = reportDescriptor.count
            let setup: [UInt8] = [0x81, 0x06, 0x00, 0x22, 0x00, 0x00, UInt8(n & 0xFF), UInt8(n >> 8)]
            id += 1
            record(0x53, data: [], control: setup)
            record(0x43, data: reportDescriptor, control: setup)
        }
        for code in codes {
            for report in reports(for: code) {
                id += 1
                record(0x53, data: [])      // 'S'
                record(0x43, data: report)  // 'C'
            }
        }
        return out
    }

    /// The sysfs of a USB HID device with one hidraw node, as umockdev-record writes it.
    package func umockdevDevice(node: String = "hidraw0") -> String {
        let usb = "/devices/pci0000:00/0000:00:14.0/usb1/1-1"
        let hid = "\(usb)/1-1:1.0/0003:\(vendor.uppercased()):\(product.uppercased()).0001"
        return """
            P: \(hid)/hidraw/\(node)
            N: \(node)
            E: DEVNAME=/dev/\(node)
            E: MAJOR=240
            E: MINOR=0
            E: SUBSYSTEM=hidraw

            P: \(hid)
            E: DRIVER=hid-generic
            E: HID_ID=0003:0000\(vendor.uppercased()):0000\(product.uppercased())
            E: HID_NAME=\(name)
            E: HID_UNIQ=\(serial)
            E: SUBSYSTEM=hid\(exposesReportDescriptor && !reportDescriptor.isEmpty ? "\nH: report_descriptor=" + Self.hex(reportDescriptor) : "")

            P: \(usb)/1-1:1.0
            E: DEVTYPE=usb_interface
            E: DRIVER=usbhid
            E: SUBSYSTEM=usb
            A: bInterfaceClass=03
            A: bInterfaceNumber=00
            A: bInterfaceProtocol=\(mode == .keyboard ? "01" : "00")
            A: bInterfaceSubClass=\(mode == .keyboard ? "01" : "00")

            P: \(usb)
            N: bus/usb/001/\(String(format: "%03d", usbAddress))
            E: DEVNAME=/dev/bus/usb/001/\(String(format: "%03d", usbAddress))
            E: DEVTYPE=usb_device
            E: DRIVER=usb
            E: SUBSYSTEM=usb
            E: BUSNUM=001
            E: DEVNUM=\(String(format: "%03d", usbAddress))
            A: busnum=1
            A: devnum=\(usbAddress)
            A: speed=12
            A: bConfigurationValue=1
            A: bNumConfigurations=1
            A: bDeviceClass=00
            H: descriptors=\(Self.hex(usbDescriptors))
            A: idVendor=\(vendor)
            A: idProduct=\(product)
            A: manufacturer=\(name.split(separator: " ").first ?? "")
            A: product=\(name)
            A: serial=\(serial)

            """
    }

    /// The sysfs of a serial scanner as Linux shows it: behind a USB-serial bridge
    /// (`ttyUSB0` under the bridge driver's usb-serial port, e.g. ch341 for a CH340) or as
    /// CDC-ACM (`ttyACM0` under the interface). umockdev gives the node a pty, so a script
    /// (`--script /dev/ttyUSB0=…`) plays the scanner's lines.
    package func umockdevSerialDevice(node: String = "ttyUSB0", driver: String = "ch341") -> String {
        let usb = "/devices/pci0000:00/0000:00:14.0/usb1/1-1"
        let acm = node.hasPrefix("ttyACM")
        let ttyPath = acm ? "\(usb)/1-1:1.0/tty/\(node)" : "\(usb)/1-1:1.0/\(node)/tty/\(node)"
        // The usb-serial port between the interface and the tty (not there for CDC-ACM).
        let port = acm ? "" : "P: \(usb)/1-1:1.0/\(node)\nE: DRIVER=\(driver)-uart\nE: SUBSYSTEM=usb-serial\n\n"
        return """
            P: \(ttyPath)
            N: \(node)
            E: DEVNAME=/dev/\(node)
            E: MAJOR=\(acm ? 166 : 188)
            E: MINOR=0
            E: SUBSYSTEM=tty

            \(port)P: \(usb)/1-1:1.0
            E: DEVTYPE=usb_interface
            E: DRIVER=\(acm ? "cdc_acm" : driver)
            E: SUBSYSTEM=usb
            A: bInterfaceClass=\(acm ? "02" : "ff")
            A: bInterfaceNumber=00

            P: \(usb)
            N: bus/usb/001/002
            E: DEVNAME=/dev/bus/usb/001/002
            E: DEVTYPE=usb_device
            E: DRIVER=usb
            E: SUBSYSTEM=usb
            E: BUSNUM=001
            E: DEVNUM=002
            A: busnum=1
            A: devnum=2
            A: idVendor=\(vendor)
            A: idProduct=\(product)
            A: product=\(name)
            A: serial=\(serial)

            """
    }
}
