import Foundation

/// How a scanner sends its codes.
package enum ScanMode: String, Sendable, Codable, CaseIterable {
    /// USB HID boot keyboard typing the code (hidraw or libusb).
    case keyboard
    /// USB HID POS, usage page 0x8C (hidraw or libusb).
    case hidpos
    /// USB CDC-ACM: a tty, one line per code.
    case serial
}

/// The table of scanners cuntong knows (`known-scanners.json`): data, not code.
package struct KnownScanner: Sendable, Decodable, Equatable {
    package var vendor: String
    package var product: String
    package var name: String
    package var mode: ScanMode
    /// HID POS: the published layout its reports follow when its descriptor cannot be read
    /// ("honeywell", "zebra", "newland"); the descriptor wins when it names the fields.
    package var layout: String?
    /// Where the id and its mode come from (usb.ids line, vendor manual, public udev rule).
    package var source: String
    /// "confirmed" when the source states the id and the mode; "inferred" when the mode
    /// follows the vendor's product-id scheme.
    package var confidence: String

    /// The published HID POS layout for this entry.
    package var hidposLayout: HIDPOSLayout {
        layout.flatMap(HIDPOSLayout.published(named:)) ?? HIDPOSLayout.fallback(vendor: vendor)
    }

    struct File: Decodable {
        var scanners: [KnownScanner]
        var bridges: [USBSerialBridge]
    }

    static let file: File? = try? JSONDecoder().decode(File.self, from: Data(PackageResources.known_scanners_json))

    package static let all: [KnownScanner] = file?.scanners ?? []

    package static func find(vendor: String, product: String) -> KnownScanner? {
        all.first { $0.vendor == vendor.lowercased() && $0.product == product.lowercased() }
    }

    /// The published HID POS layout for a device whose descriptor is not at hand: the table's,
    /// else the vendor's.
    package static func hidposLayout(vendor: String, product: String) -> HIDPOSLayout {
        find(vendor: vendor, product: product)?.hidposLayout ?? HIDPOSLayout.fallback(vendor: vendor)
    }
}

/// A generic USB-serial chip (CH340, CP210x, FTDI, PL2303): a serial scanner may sit behind
/// one, and so may a modem, a PLC or a label printer, so cuntong reads one only when the
/// technician names it (`[scanner] usb_id`, `cuntong scan --id`, `cuntong udev-rules
/// --serial-bridge`).
package struct USBSerialBridge: Sendable, Decodable, Equatable {
    package var vendor: String
    package var product: String
    package var chip: String
    /// The kernel driver that binds it (`ch341`, `cp210x`, `ftdi_sio`, `pl2303` give
    /// ttyUSB*; `cdc_acm` gives ttyACM*).
    package var driver: String
    package var source: String

    package static let all: [USBSerialBridge] = KnownScanner.file?.bridges ?? []

    package static func find(vendor: String, product: String) -> USBSerialBridge? {
        all.first { $0.vendor == vendor.lowercased() && $0.product == product.lowercased() }
    }

    /// The tty name the driver gives.
    package var kernelName: String { driver == "cdc_acm" ? "ttyACM" : "ttyUSB" }
}

/// A USB vendor:product pair as technicians write it: `1a86:7523`.
package struct USBID: Sendable, Equatable, Hashable, CustomStringConvertible {
    package var vendor: String
    package var product: String

    package init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).lowercased().split(separator: ":")
        guard parts.count == 2, parts.allSatisfy({ $0.count == 4 && UInt16($0, radix: 16) != nil }) else { return nil }
        vendor = String(parts[0])
        product = String(parts[1])
    }

    package var description: String { "\(vendor):\(product)" }
    package var numeric: (vendor: UInt16, product: UInt16) { (UInt16(vendor, radix: 16)!, UInt16(product, radix: 16)!) }
}
