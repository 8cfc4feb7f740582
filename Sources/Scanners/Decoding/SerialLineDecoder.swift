/// A serial (USB CDC-ACM) scanner: one code per line. The terminator is configurable;
/// with `.crlf` (the default) a CR, an LF or CR LF each end a line, and empty lines are
/// ignored, so scanners set to any of the three are read alike.
package struct SerialLineDecoder: ScanDecoder {
    package enum Terminator: String, Sendable, CaseIterable {
        case crlf, cr, lf
    }

    package let terminator: Terminator
    private var buffer: [UInt8] = []
    private var overflowed = false

    package init(terminator: Terminator = .crlf) {
        self.terminator = terminator
    }

    package var pending: Int { buffer.count }

    package mutating func reset() {
        buffer = []
        overflowed = false
    }

    /// `report` is whatever bytes the tty gave: lines may span reads or share one.
    package mutating func feed(_ report: [UInt8]) -> [DecodedScan] {
        var out: [DecodedScan] = []
        for byte in report {
            let ends: Bool
            switch terminator {
            case .crlf: ends = byte == 0x0D || byte == 0x0A
            case .cr: ends = byte == 0x0D
            case .lf: ends = byte == 0x0A
            }
            if ends {
                if overflowed {
                    out.append(.tooLong)
                } else if !buffer.isEmpty {
                    out.append(.code(buffer))
                }
                reset()
            } else if buffer.count >= ScanLimits.maximumLength {
                overflowed = true
            } else {
                buffer.append(byte)
            }
        }
        return out
    }
}
