/// A HID-POS scanner (usage page 0x8C, Bar Code Scanner): each input report carries a
/// piece of the decoded data. The layout is the one Honeywell, Zebra and Datalogic use for
/// their "HID POS" mode: byte 0 report ID (0x02), byte 1 the number of data bytes in this
/// report, bytes 2–4 the AIM symbology identifier, then the data, and the last byte of the
/// report non-zero when more reports of the same code follow.
public struct HIDPOSDecoder: ScanDecoder {
    public static let reportID: UInt8 = 0x02
    public static let dataOffset = 5

    public let reportLength: Int
    private var buffer: [UInt8] = []
    private var overflowed = false

    public init(reportLength: Int = 64) {
        precondition(reportLength > Self.dataOffset + 1)
        self.reportLength = reportLength
    }

    /// Data bytes one report can carry.
    public var capacity: Int { reportLength - Self.dataOffset - 1 }

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

    /// The reports a scanner sends for `code` (for the simulator and the benchmark).
    public func reports(for code: [UInt8], aim: [UInt8] = Array("]Q1".utf8)) -> [[UInt8]] {
        var out: [[UInt8]] = []
        var rest = code[...]
        repeat {
            let chunk = rest.prefix(capacity)
            rest = rest.dropFirst(chunk.count)
            var report = [UInt8](repeating: 0, count: reportLength)
            report[0] = Self.reportID
            report[1] = UInt8(chunk.count)
            for (i, b) in aim.prefix(3).enumerated() { report[2 + i] = b }
            report.replaceSubrange(Self.dataOffset..<(Self.dataOffset + chunk.count), with: chunk)
            report[reportLength - 1] = rest.isEmpty ? 0 : 1
            out.append(report)
        } while !rest.isEmpty
        return out
    }
}
