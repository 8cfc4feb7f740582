/// Where the fields of a HID POS scanner's input report sit (usage page 0x8C, Bar Code
/// Scanner): taken from the device's report descriptor when it has one that names them,
/// otherwise one of the layouts vendors publish. Byte offsets count the report ID byte, as
/// hidraw and libusb deliver reports.
///
/// Sources (docs/scanners.md has the details):
/// - HID Usage Tables, page 0x8C: 0xFB–0xFD Symbology Identifier 1–3, 0xFE Decoded Data,
///   0xFF Decode Data Continued; the length is Generic Desktop 0x3B Byte Count.
/// - Honeywell: its HID POS firmware descriptor and `usb2pos.h` report struct (64 bytes:
///   ID 02, count, AIM ]xy, 56 data, code ID, modifier, continued bit 0).
/// - Zebra DS2208 (05e0): a published capture decoded by Windows HidP (count, one byte
///   00, AIM, 56 data, code ID, continued).
/// - Newland NLS-FM420 integration guide, "HID-POS → Getting Scanned Data" (ID 02,
///   length, 56 data, 4 reserved, symbology, continued bit 0).
package struct HIDPOSLayout: Sendable, Equatable, CustomStringConvertible {
    package var name: String
    /// 0 when the device does not number its reports.
    package var reportID: UInt8
    /// The report's length in bytes, ID included.
    package var reportLength: Int
    /// The byte count of this report's data (Byte Count), when the report has one.
    package var countOffset: Int?
    package var countWidth: Int
    /// The Decoded Data bytes.
    package var data: Range<Int>
    /// AIM symbology identifier bytes (`]`, code, modifier), when the report has them.
    package var symbology: [Int]
    /// The Decode Data Continued bit, counted in bits from the report's first byte.
    package var continuedBit: Int?

    package var description: String {
        "\(name): report \(reportID), \(reportLength) bytes, data \(data.lowerBound)…\(data.upperBound - 1)"
            + (countOffset.map { ", count at \($0)" } ?? "")
            + (symbology.first.map { ", AIM at \($0)" } ?? "")
            + (continuedBit.map { ", continued at byte \($0 / 8) bit \($0 % 8)" } ?? "")
    }

    package init(name: String, reportID: UInt8, reportLength: Int, countOffset: Int?, countWidth: Int = 1,
                data: Range<Int>, symbology: [Int], continuedBit: Int?) {
        self.name = name
        self.reportID = reportID
        self.reportLength = reportLength
        self.countOffset = countOffset
        self.countWidth = countWidth
        self.data = data
        self.symbology = symbology
        self.continuedBit = continuedBit
    }

    /// Honeywell (and the engines that copy it, e.g. Youjie, Access-IS, JieLi's SDK).
    package static let honeywell = HIDPOSLayout(name: "honeywell", reportID: 2, reportLength: 64, countOffset: 1,
                                               data: 5..<61, symbology: [2, 3, 4], continuedBit: 63 * 8)
    /// Zebra/Symbol: the same fields one byte later.
    package static let zebra = HIDPOSLayout(name: "zebra", reportID: 2, reportLength: 64, countOffset: 1,
                                           data: 6..<62, symbology: [3, 4, 5], continuedBit: 63 * 8)
    /// Newland: no AIM bytes, the symbology after four reserved bytes.
    package static let newland = HIDPOSLayout(name: "newland", reportID: 2, reportLength: 64, countOffset: 1,
                                             data: 2..<58, symbology: [], continuedBit: 63 * 8)

    package static let published: [HIDPOSLayout] = [.honeywell, .zebra, .newland]

    package static func published(named name: String) -> HIDPOSLayout? {
        published.first { $0.name == name }
    }

    // Usages, page in the high half.
    static let decodedData: UInt32 = 0x008C_00FE
    static let continued: UInt32 = 0x008C_00FF
    static let symbologyIDs: [UInt32] = [0x008C_00FB, 0x008C_00FC, 0x008C_00FD]
    static let byteCount: UInt32 = 0x0001_003B

    /// The layout a report descriptor declares: the first input report with Decoded Data in
    /// whole bytes. Nil when the descriptor names no such field (a keyboard, a vendor page).
    package init?(descriptor: HIDReportDescriptor) {
        for id in descriptor.reportIDs(.input) {
            let fields = descriptor.fields(.input, reportID: id)
            let head = id != 0 ? 1 : 0
            /// The bit position (from the report's first byte) of the value with `usage`.
            func position(of usage: UInt32, width: Int? = nil) -> (bit: Int, field: HIDReportDescriptor.Field, index: Int)? {
                for f in fields where !f.isConstant && (width == nil || f.bitSize == width) {
                    for i in 0..<f.count where f.usage(at: i) == usage {
                        return (head * 8 + f.bitOffset + i * f.bitSize, f, i)
                    }
                }
                return nil
            }
            // Decoded Data: one buffered-bytes field (a single usage) or a run of byte values.
            guard let (start, field, index) = position(of: Self.decodedData, width: 8), start % 8 == 0 else { continue }
            let first = start / 8
            let length = (index..<field.count).prefix { field.usage(at: $0) == Self.decodedData }.count
            guard length > 0 else { continue }
            var symbology: [Int] = []
            for usage in Self.symbologyIDs {
                if let (bit, _, _) = position(of: usage, width: 8), bit % 8 == 0 { symbology.append(bit / 8) }
            }
            let count = position(of: Self.byteCount).flatMap { $0.bit % 8 == 0 && [8, 16].contains($0.field.bitSize) ? $0 : nil }
            self.init(name: "descriptor", reportID: id, reportLength: descriptor.reportLength(.input, reportID: id),
                      countOffset: count.map { $0.bit / 8 }, countWidth: (count?.field.bitSize ?? 8) / 8,
                      data: first..<(first + length), symbology: symbology,
                      continuedBit: position(of: Self.continued, width: 1)?.bit ?? position(of: Self.continued)?.bit)
            return
        }
        return nil
    }

    /// The published layout a vendor's HID POS reports follow, for devices whose descriptor
    /// cannot be read: Zebra/Symbol and Newland have their own; the rest follow Honeywell's.
    package static func fallback(vendor: String) -> HIDPOSLayout {
        switch vendor.lowercased() {
        case "05e0": .zebra
        case "1eab": .newland
        default: .honeywell
        }
    }
}
