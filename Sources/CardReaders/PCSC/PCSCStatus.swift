import CPCSCLite

/// A pcsc-lite return code (`LONG` in winscard.h), with the library's own text.
package struct PCSCStatus: Error, Sendable, Hashable, CustomStringConvertible {
    package let rawValue: Int

    package init(_ rawValue: Int) { self.rawValue = rawValue }

    package static let success = PCSCStatus(0)
    package static let cancelled = PCSCStatus(0x8010_0002)
    package static let invalidHandle = PCSCStatus(0x8010_0003)
    package static let insufficientBuffer = PCSCStatus(0x8010_0008)
    package static let unknownReader = PCSCStatus(0x8010_0009)
    package static let timeout = PCSCStatus(0x8010_000A)
    package static let sharingViolation = PCSCStatus(0x8010_000B)
    package static let noSmartcard = PCSCStatus(0x8010_000C)
    package static let protoMismatch = PCSCStatus(0x8010_000F)
    package static let systemCancelled = PCSCStatus(0x8010_0012)
    package static let commError = PCSCStatus(0x8010_0013)
    package static let notTransacted = PCSCStatus(0x8010_0016)
    package static let readerUnavailable = PCSCStatus(0x8010_0017)
    package static let noService = PCSCStatus(0x8010_001D)
    package static let serviceStopped = PCSCStatus(0x8010_001E)
    package static let noReadersAvailable = PCSCStatus(0x8010_002E)
    package static let unsupportedCard = PCSCStatus(0x8010_0065)
    package static let unresponsiveCard = PCSCStatus(0x8010_0066)
    package static let unpoweredCard = PCSCStatus(0x8010_0067)
    package static let resetCard = PCSCStatus(0x8010_0068)
    package static let removedCard = PCSCStatus(0x8010_0069)

    /// pcscd went away: the context must be established again.
    package var isServiceLoss: Bool {
        self == .noService || self == .serviceStopped || self == .invalidHandle
    }

    package var description: String {
        let hex = String(UInt32(truncatingIfNeeded: rawValue), radix: 16, uppercase: true)
        guard let text = pcsc_stringify_error(LONG(rawValue)) else { return "0x\(hex)" }
        return "\(String(cString: text)) (0x\(hex))"
    }

    /// Maps to what the person at the terminal needs to know.
    package var cardReadError: CardReadError {
        switch self {
        case .noService, .serviceStopped: .serviceUnavailable
        case .noReadersAvailable: .noReader
        case .unknownReader, .readerUnavailable: .readerRemoved
        case .noSmartcard, .removedCard, .resetCard: .cardRemoved
        case .unresponsiveCard, .unpoweredCard, .timeout: .cardMute
        case .sharingViolation: .cardBusy
        default: .pcsc(self)
        }
    }
}

@inline(__always)
func check(_ rv: LONG) throws(PCSCStatus) {
    if rv != 0 { throw PCSCStatus(Int(rv)) }
}
