/// An answer-to-reset parsed per ISO/IEC 7816-3 §8.
package struct ATR: Sendable, Hashable, CustomStringConvertible {
    package enum Convention: String, Sendable { case direct, inverse }

    package enum ParseError: Error, Equatable, Sendable {
        case tooShort
        case badInitialCharacter(UInt8)
        case truncated
        case checkByteMismatch
    }

    package let bytes: [UInt8]
    package let convention: Convention
    /// Protocols the card offers (from the TDi bytes); T=0 when none is indicated.
    package let protocols: [Int]
    package let historicalBytes: [UInt8]
    /// Whether a TCK was present (it must be, unless only T=0 is offered).
    package let hasCheckByte: Bool

    package init(_ bytes: [UInt8]) throws(ParseError) {
        guard bytes.count >= 2 else { throw .tooShort }
        switch bytes[0] {
        case 0x3B: convention = .direct
        case 0x3F: convention = .inverse
        default: throw .badInitialCharacter(bytes[0])
        }
        let historicalCount = Int(bytes[1] & 0x0F)
        var y = bytes[1] >> 4
        var index = 2
        var protocols: [Int] = []
        while true {
            // TAi, TBi, TCi, TDi are present when bits 5, 6, 7, 8 of Y are set.
            let present = [y & 0x1, y & 0x2, y & 0x4].filter { $0 != 0 }.count
            index += present
            guard y & 0x8 != 0 else { break }
            guard index < bytes.count else { throw .truncated }
            let td = bytes[index]
            index += 1
            let proto = Int(td & 0x0F)
            if !protocols.contains(proto) { protocols.append(proto) }
            y = td >> 4
        }
        guard index + historicalCount <= bytes.count else { throw .truncated }
        historicalBytes = Array(bytes[index..<(index + historicalCount)])
        index += historicalCount
        let needsCheck = protocols.contains { $0 != 0 }
        if needsCheck {
            guard index < bytes.count else { throw .truncated }
            // The XOR of T0 through TCK is zero.
            guard bytes[1...index].reduce(0, ^) == 0 else { throw .checkByteMismatch }
            index += 1
        }
        hasCheckByte = needsCheck
        self.protocols = protocols.isEmpty ? [0] : protocols
        self.bytes = Array(bytes.prefix(index))
    }

    package var hex: String { Hex.string(bytes) }
    package var description: String { hex }
}
