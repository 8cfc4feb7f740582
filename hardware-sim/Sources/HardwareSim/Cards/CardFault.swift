/// A fault the simulated card shows, chosen per run or per insertion.
package enum CardFault: Sendable, Hashable, CustomStringConvertible {
    case none
    /// Answers N command APDUs, then the card is pulled (connection closed).
    case pullAfter(Int)
    /// Answers the reset (ATR) but never a command.
    case mute
    /// Answers every READ RECORD with this status word.
    case wrongStatus(UInt16)
    /// The TLV of the given element's record declares more bytes than it carries.
    case tlvShort(element: String)
    /// A bank card: no SSSE application (SELECT by name answers 6A82), bank ATR.
    case bankCard

    /// Parses the command-line / control-socket form: `none`, `pull-after:N`, `mute`,
    /// `wrong-sw:6F00`, `tlv-short[:element]`, `bank`.
    package init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
        switch (parts.first ?? "", parts.count > 1 ? parts[1] : nil) {
        case ("none", nil): self = .none
        case ("mute", nil): self = .mute
        case ("bank", nil): self = .bankCard
        case ("tlv-short", nil): self = .tlvShort(element: "name")
        case ("tlv-short", let element?): self = .tlvShort(element: element)
        case ("pull-after", let n?):
            guard let count = Int(n), count >= 0 else { return nil }
            self = .pullAfter(count)
        case ("wrong-sw", let sw?):
            guard sw.count == 4, let value = UInt16(sw, radix: 16) else { return nil }
            self = .wrongStatus(value)
        default: return nil
        }
    }

    package var description: String {
        switch self {
        case .none: "none"
        case .pullAfter(let n): "pull-after:\(n)"
        case .mute: "mute"
        case .wrongStatus(let sw): "wrong-sw:" + String(format4hex: sw)
        case .tlvShort(let element): "tlv-short:\(element)"
        case .bankCard: "bank"
        }
    }

    package static let usage = "none | pull-after:N | mute | wrong-sw:XXXX | tlv-short[:element] | bank"
}

extension String {
    init(format4hex value: UInt16) {
        let s = String(value, radix: 16, uppercase: true)
        self = String(repeating: "0", count: 4 - s.count) + s
    }
}
