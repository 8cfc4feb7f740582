/// What a decoder makes of the reports a scanner sends: a whole code, or a reason the
/// stream could not be a code. Never a partial code.
package enum DecodedScan: Sendable, Equatable {
    /// The bytes between two terminators (or one HID-POS message), at most `maximumLength`.
    case code([UInt8])
    /// More than `maximumLength` bytes before a terminator: dropped, up to the next one.
    case tooLong
    /// A report that cannot be what the mode says (bad length, wrong report ID).
    case malformedReport
}

/// A decoder takes the device's reports (or, for serial, its bytes) one at a time.
package protocol ScanDecoder: Sendable {
    /// Feeds one report; returns what it completed, if anything.
    mutating func feed(_ report: [UInt8]) -> [DecodedScan]
    /// Bytes held for a code that has not ended: an unterminated stream is not a code.
    var pending: Int { get }
    mutating func reset()
}

/// Payload bounds shared by every mode: a code longer than this is refused (2 KB).
package enum ScanLimits {
    package static let maximumLength = 2048
}
