/// A HID POS scanner (usage page 0x8C, Bar Code Scanner): each input report carries a piece
/// of the decoded data, where the layout says (from the device's report descriptor, or the
/// vendor's published layout); reports of one code follow each other while the Decode Data
/// Continued bit is set.
package struct HIDPOSDecoder: ScanDecoder {
    package let layout: HIDPOSLayout
    private var buffer: [UInt8] = []
    private var overflowed = false
    /// The AIM symbology identifier of the last code (e.g. "]Q1" for QR Code), when the
    /// layout carries one.
    package private(set) var lastSymbology: String?

    package init(layout: HIDPOSLayout = .honeywell) {
        self.layout = layout
    }

    /// Data bytes one report can carry (56 in the published layouts).
    package var capacity: Int { layout.data.count }

    package var pending: Int { buffer.count }

    package mutating func reset() {
        buffer = []
        overflowed = false
    }

    package mutating func feed(_ report: [UInt8]) -> [DecodedScan] {
        // Liberal in length (a device may send the report short of its padding), exact in what
        // it reads: the ID must match and every field read must be inside the report.
        let needed = max(layout.countOffset.map { $0 + layout.countWidth } ?? 0, layout.data.lowerBound + 1,
                         layout.continuedBit.map { $0 / 8 + 1 } ?? 0)
        guard report.count >= needed, layout.reportID == 0 || report[0] == layout.reportID else {
            reset()
            return [.malformedReport]
        }
        let available = min(layout.data.upperBound, report.count) - layout.data.lowerBound
        let count: Int
        if let offset = layout.countOffset {
            count = layout.countWidth == 2 ? Int(report[offset]) | Int(report[offset + 1]) << 8 : Int(report[offset])
            guard count <= capacity, count <= available else {
                reset()
                return [.malformedReport]
            }
        } else {
            // No count field: the data is NUL-padded.
            count = report[layout.data.lowerBound..<(layout.data.lowerBound + available)].prefix { $0 != 0 }.count
        }
        if buffer.count + count > ScanLimits.maximumLength {
            overflowed = true
        } else {
            buffer += report[layout.data.lowerBound..<(layout.data.lowerBound + count)]
        }
        if layout.symbology.count == 3, layout.symbology.allSatisfy({ $0 < report.count }) {
            let aim = layout.symbology.map { report[$0] }
            lastSymbology = aim[0] == 0x5D ? String(decoding: aim, as: UTF8.self) : nil
        }
        let more = layout.continuedBit.map { (report[$0 / 8] >> ($0 % 8)) & 1 == 1 } ?? false
        guard !more else { return [] }
        defer { reset() }
        if overflowed { return [.tooLong] }
        return buffer.isEmpty ? [] : [.code(buffer)]
    }
}
