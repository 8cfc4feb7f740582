import CPCSCLite

/// A pcsc-lite return code (`LONG` in winscard.h), with the library's own text.
public struct PCSCStatus: Error, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int

    public init(_ rawValue: Int) { self.rawValue = rawValue }

    public static let success = PCSCStatus(0)
    public static let cancelled = PCSCStatus(0x8010_0002)
    public static let invalidHandle = PCSCStatus(0x8010_0003)
    public static let insufficientBuffer = PCSCStatus(0x8010_0008)
    public static let unknownReader = PCSCStatus(0x8010_0009)
    public static let timeout = PCSCStatus(0x8010_000A)
    public static let sharingViolation = PCSCStatus(0x8010_000B)
    public static let noSmartcard = PCSCStatus(0x8010_000C)
    public static let protoMismatch = PCSCStatus(0x8010_000F)
    public static let systemCancelled = PCSCStatus(0x8010_0012)
    public static let commError = PCSCStatus(0x8010_0013)
    public static let notTransacted = PCSCStatus(0x8010_0016)
    public static let readerUnavailable = PCSCStatus(0x8010_0017)
    public static let noService = PCSCStatus(0x8010_001D)
    public static let serviceStopped = PCSCStatus(0x8010_001E)
    public static let noReadersAvailable = PCSCStatus(0x8010_002E)
    public static let unsupportedCard = PCSCStatus(0x8010_0065)
    public static let unresponsiveCard = PCSCStatus(0x8010_0066)
    public static let unpoweredCard = PCSCStatus(0x8010_0067)
    public static let resetCard = PCSCStatus(0x8010_0068)
    public static let removedCard = PCSCStatus(0x8010_0069)

    /// pcscd went away: the context must be established again.
    public var isServiceLoss: Bool {
        self == .noService || self == .serviceStopped || self == .invalidHandle
    }

    public var description: String {
        let hex = String(UInt32(truncatingIfNeeded: rawValue), radix: 16, uppercase: true)
        guard let text = pcsc_stringify_error(LONG(rawValue)) else { return "0x\(hex)" }
        return "\(String(cString: text)) (0x\(hex))"
    }

    /// Maps to what the person at the terminal needs to know.
    public var cardReadError: CardReadError {
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
