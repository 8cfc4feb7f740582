/// A HID-POS scanner (usage page 0x8C, Bar Code Scanner): each input report carries a
/// piece of the decoded data. The layout is the one Honeywell, Zebra and Datalogic use for
/// their "HID POS" mode: byte 0 report ID (0x02), byte 1 the number of data bytes in this
/// report, bytes 2–4 the AIM symbology identifier, then up to 56 data bytes, a vendor
/// symbology byte, a reserved byte, and the last byte non-zero when more reports of the
/// same code follow.
public struct HIDPOSDecoder: ScanDecoder {
    public static let reportID: UInt8 = 0x02
    public static let dataOffset = 5

    public let reportLength: Int
    private var buffer: [UInt8] = []
    private var overflowed = false

    public init(reportLength: Int = 64) {
        precondition(reportLength > Self.dataOffset + 3)
        self.reportLength = reportLength
    }

    /// Data bytes one report can carry (56 in a 64-byte report).
    public var capacity: Int { reportLength - Self.dataOffset - 3 }

    public var pending: Int { buffer.count }

    public mutating func reset() {
        buffer = []
        overflowed = false
    }

    public mutating func feed(_ report: [UInt8]) -> [DecodedScan] {
        guard report.count == reportLength, report[0] == Self.reportID else {
            reset()
            return [.malformedReport]
        }
        let count = Int(report[1])
        guard count <= capacity else {
            reset()
            return [.malformedReport]
        }
        if buffer.count + count > ScanLimits.maximumLength {
            overflowed = true
        } else {
            buffer += report[Self.dataOffset..<(Self.dataOffset + count)]
        }
        let more = report[reportLength - 1] != 0
        guard !more else { return [] }
        defer { reset() }
        if overflowed { return [.tooLong] }
        return buffer.isEmpty ? [] : [.code(buffer)]
    }
}
