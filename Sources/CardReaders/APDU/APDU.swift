/// An ISO 7816-4 command APDU (short form only: the SSSE application never needs more).
package struct CommandAPDU: Sendable, Hashable, CustomStringConvertible {
    package var cla: UInt8
    package var ins: UInt8
    package var p1: UInt8
    package var p2: UInt8
    package var data: [UInt8]
    /// Expected response length: nil = absent, 1...256 (256 is encoded as 00).
    package var le: Int?

    package init(cla: UInt8 = 0x00, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8] = [], le: Int? = nil) {
        precondition(data.count <= 255, "short APDU data is at most 255 bytes")
        precondition(le.map { (1...256).contains($0) } ?? true, "Le is 1...256")
        self.cla = cla
        self.ins = ins
        self.p1 = p1
        self.p2 = p2
        self.data = data
        self.le = le
    }

    package var bytes: [UInt8] {
        var out = [cla, ins, p1, p2]
        if !data.isEmpty {
            out.append(UInt8(data.count))
            out += data
        }
        if let le { out.append(UInt8(truncatingIfNeeded: le)) }
        return out
    }

    /// `00 A4 04 00`: hex of the header, for messages; data is left out because it may be a PIN.
    package var description: String {
        Hex.string([cla, ins, p1, p2])
    }

    // MARK: The commands the SSSE application uses

    package static func selectByName(_ aid: [UInt8]) -> CommandAPDU {
        CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: aid)
    }

    package static func selectFile(_ fid: [UInt8], p1: UInt8) -> CommandAPDU {
        CommandAPDU(ins: 0xA4, p1: p1, p2: 0x00, data: fid)
    }

    /// READ RECORD by record number (P2 = 04, "record number in P1, current EF").
    package static func readRecord(_ record: UInt8, le: Int = 256) -> CommandAPDU {
        CommandAPDU(ins: 0xB2, p1: record, p2: 0x04, le: le)
    }

    /// READ RECORD by record identifier (P2 = 00: "first record with the identifier in P1"),
    /// as the card-reading procedure reads each element by its tag.
    package static func readRecord(identifier tag: UInt8, le: Int) -> CommandAPDU {
        CommandAPDU(ins: 0xB2, p1: tag, p2: 0x00, le: le)
    }

    package static func getChallenge(_ length: Int) -> CommandAPDU {
        CommandAPDU(ins: 0x84, p1: 0x00, p2: 0x00, le: length)
    }

    package static func internalAuthenticate(key: UInt8, challenge: [UInt8]) -> CommandAPDU {
        CommandAPDU(ins: 0x88, p1: 0x00, p2: key, data: challenge)
    }

    package static func externalAuthenticate(key: UInt8, cryptogram: [UInt8]) -> CommandAPDU {
        CommandAPDU(ins: 0x82, p1: 0x00, p2: key, data: cryptogram)
    }

    package static func getResponse(_ length: Int) -> CommandAPDU {
        CommandAPDU(ins: 0xC0, p1: 0x00, p2: 0x00, le: length == 0 ? 256 : length)
    }
}

/// A response APDU: data followed by the status word SW1 SW2.
package struct ResponseAPDU: Sendable, Hashable {
    package let data: [UInt8]
    package let sw1: UInt8
    package let sw2: UInt8

    package init(data: [UInt8], sw1: UInt8, sw2: UInt8) {
        self.data = data
        self.sw1 = sw1
        self.sw2 = sw2
    }

    /// Nil if the bytes are too short to hold a status word.
    package init?(bytes: [UInt8]) {
        guard bytes.count >= 2 else { return nil }
        data = Array(bytes.dropLast(2))
        sw1 = bytes[bytes.count - 2]
        sw2 = bytes[bytes.count - 1]
    }

    package var sw: StatusWord { StatusWord(sw1: sw1, sw2: sw2) }
    package var isSuccess: Bool { sw1 == 0x90 && sw2 == 0x00 }
    package var bytes: [UInt8] { data + [sw1, sw2] }
}

/// SW1 SW2, with the meanings ISO 7816-4 gives the ones this terminal meets.
package struct StatusWord: Sendable, Hashable, CustomStringConvertible {
    package let sw1: UInt8
    package let sw2: UInt8

    package init(sw1: UInt8, sw2: UInt8) {
        self.sw1 = sw1
        self.sw2 = sw2
    }

    package init(_ value: UInt16) {
        self.init(sw1: UInt8(value >> 8), sw2: UInt8(value & 0xFF))
    }

    package var value: UInt16 { UInt16(sw1) << 8 | UInt16(sw2) }
    package var description: String { Hex.string([sw1, sw2]) }

    package static let success = StatusWord(0x9000)
    package static let securityStatusNotSatisfied = StatusWord(0x6982)
    package static let fileNotFound = StatusWord(0x6A82)
    package static let recordNotFound = StatusWord(0x6A83)
    package static let incorrectP1P2 = StatusWord(0x6A86)
    package static let wrongP1P2 = StatusWord(0x6B00)
    package static let insNotSupported = StatusWord(0x6D00)
    package static let claNotSupported = StatusWord(0x6E00)
    package static let conditionsNotSatisfied = StatusWord(0x6985)

    /// ISO 7816-4 meaning, for error messages and logs.
    package var meaning: String {
        switch (sw1, sw2) {
        case (0x90, 0x00): return "success"
        case (0x61, _): return "\(sw2) more bytes available"
        case (0x62, _), (0x63, 0x00): return "warning, memory unchanged"
        case (0x63, let x) where x & 0xF0 == 0xC0: return "verification failed, \(x & 0x0F) tries left"
        case (0x64, _), (0x65, _): return "execution error"
        case (0x67, 0x00): return "wrong length"
        case (0x69, 0x82): return "security status not satisfied"
        case (0x69, 0x83): return "authentication method blocked"
        case (0x69, 0x85): return "conditions of use not satisfied"
        case (0x69, _): return "command not allowed"
        case (0x6A, 0x81): return "function not supported"
        case (0x6A, 0x82): return "file or application not found"
        case (0x6A, 0x83): return "record not found"
        case (0x6A, 0x86): return "incorrect P1-P2"
        case (0x6A, _): return "wrong parameters"
        case (0x6B, 0x00): return "wrong parameters P1-P2"
        case (0x6C, _): return "wrong Le, \(sw2) bytes available"
        case (0x6D, 0x00): return "instruction not supported"
        case (0x6E, 0x00): return "class not supported"
        case (0x6F, 0x00): return "no precise diagnosis"
        default: return "unknown status"
        }
    }
}
