import Foundation

/// A scanner device node found through sysfs, with what the table and the device's own
/// descriptors say about it.
package struct ScannerDevice: Sendable, Equatable, CustomStringConvertible {
    /// `/dev/hidraw0`, `/dev/ttyACM0`, `/dev/ttyUSB0`.
    package var node: String
    package var vendor: String
    package var product: String
    package var serial: String
    /// The USB interface number the node belongs to (`bInterfaceNumber`), when sysfs has it.
    package var interface: String?
    package var known: KnownScanner?
    /// The USB-serial chip a ttyUSB (or CH9102 ttyACM) node sits behind.
    package var bridge: USBSerialBridge?
    /// hidraw: the report descriptor, parsed (nil when unreadable or malformed).
    package var descriptor: HIDReportDescriptor?

    package var id: USBID? { USBID("\(vendor):\(product)") }

    /// What the report descriptor says the device is: HID POS when it declares Decoded
    /// Data, a keyboard when it is a Generic Desktop keyboard.
    package var detectedMode: ScanMode? {
        if node.contains("tty") { return .serial }
        guard let descriptor else { return nil }
        if HIDPOSLayout(descriptor: descriptor) != nil { return .hidpos }
        if descriptor.collections.contains(0x0001_0006) { return .keyboard }
        return nil
    }

    /// The mode to read it in: the table's, else what the device declares.
    package var mode: ScanMode? { known?.mode ?? detectedMode }

    /// The layout to read it with as HID POS (the mode may have been given by hand): from the
    /// descriptor, else the table's published one, else the vendor's.
    package var hidposLayout: HIDPOSLayout {
        if let descriptor, let fromDevice = HIDPOSLayout(descriptor: descriptor) { return fromDevice }
        return KnownScanner.hidposLayout(vendor: vendor, product: product)
    }

    package var description: String {
        "\(node) (\(vendor):\(product)\(known.map { " " + $0.name } ?? bridge.map { " " + $0.chip } ?? ""))"
    }
}

/// Finds scanners through sysfs: every hidraw, ttyACM and ttyUSB node, its USB device's
/// vendor:product and serial, matched against the table. Under umockdev the same code reads
/// the emulated sysfs.
package enum SysfsScanners {
    static let nodePrefixes = [("hidraw", "hidraw"), ("tty", "ttyACM"), ("tty", "ttyUSB")]

    /// Whether a /dev name is one a scanner can have.
    package static func isCandidate(_ name: String) -> Bool {
        nodePrefixes.contains { name.hasPrefix($0.1) }
    }

    package static func all(sysfs: String = "/sys") -> [ScannerDevice] {
        var found: [ScannerDevice] = []
        for (cls, prefix) in nodePrefixes {
            let dir = "\(sysfs)/class/\(cls)"
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
            for name in names {
                if let device = describe(node: "/dev/\(name)", sysfs: sysfs) { found.append(device) }
            }
        }
        return found
    }

    /// The known scanners only (bridges are never "known": they must be named).
    package static func known(sysfs: String = "/sys") -> [ScannerDevice] {
        all(sysfs: sysfs).filter { $0.known != nil }
    }

    /// The nodes of the USB device with this vendor:product (a bridge the technician named).
    package static func matching(_ id: USBID, sysfs: String = "/sys") -> [ScannerDevice] {
        all(sysfs: sysfs).filter { $0.id == id }
    }

    /// What sysfs says about a node: the USB device above it (the first parent with
    /// `idVendor`), the interface on the way, and for hidraw the report descriptor.
    package static func describe(node: String, sysfs: String = "/sys") -> ScannerDevice? {
        let name = (node as NSString).lastPathComponent
        let cls = name.hasPrefix("hidraw") ? "hidraw" : "tty"
        // /sys/class/<cls>/<name> links into /sys/devices/…; the USB device is above it.
        guard var path = realpath("\(sysfs)/class/\(cls)/\(name)") else { return nil }
        var interface: String?
        var descriptor: HIDReportDescriptor?
        while path.count > sysfs.count + 1 {
            if interface == nil, let number = read("\(path)/bInterfaceNumber") { interface = number }
            // The HID device above a hidraw node holds `report_descriptor` (hidraw's `device` link).
            if cls == "hidraw", descriptor == nil, let bytes = FileManager.default.contents(atPath: "\(path)/report_descriptor") {
                descriptor = try? HIDReportDescriptor([UInt8](bytes))
            }
            if let vendor = read("\(path)/idVendor"), let product = read("\(path)/idProduct") {
                return ScannerDevice(node: node, vendor: vendor, product: product, serial: read("\(path)/serial") ?? "",
                                     interface: interface, known: KnownScanner.find(vendor: vendor, product: product),
                                     bridge: cls == "tty" ? USBSerialBridge.find(vendor: vendor, product: product) : nil,
                                     descriptor: descriptor)
            }
            path = (path as NSString).deletingLastPathComponent
        }
        return nil
    }

    static func read(_ path: String) -> String? {
        (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func realpath(_ path: String) -> String? {
        guard let resolved = Foundation.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
