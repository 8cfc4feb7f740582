import CardReaders
import TerminalCore

/// What a virtual card does with one command APDU.
package enum VirtualCardReply: Sendable, Equatable {
    /// Send these bytes (data + SW1 SW2).
    case respond([UInt8])
    /// Send nothing (a mute card).
    case silent
    /// Send these bytes, then the card is pulled.
    case respondThenPull([UInt8])
    /// The card is pulled before it answers.
    case pull
}

/// A card in a vpcd slot: its ATR, a reset, and its answers.
package protocol VirtualCard: Sendable {
    var atr: [UInt8] { get }
    mutating func reset()
    mutating func handle(_ apdu: [UInt8]) -> VirtualCardReply
}

/// A social-security card's SSSE application as ISO 7816-4 and the card specification
/// describe it: the same APDUs a real card answers, built from a cardholder file and the
/// shared layout table. One value per insertion: removal forgets selection and PIN state.
package struct VirtualSocialSecurityCard: VirtualCard {
    package typealias Reply = VirtualCardReply

    package struct BuildError: Error, CustomStringConvertible {
        package let description: String
    }

    package let holder: CardholderProfile
    package let profile: SSSEProfile
    package let fault: CardFault
    /// Record bytes (TLV, padding included) by file name and record number.
    private let records: [String: [UInt8: [UInt8]]]
    private var applicationSelected = false
    private var currentFile: String?
    private var pinVerified = false
    private var pinTriesLeft = 3
    private var pending: [UInt8]?
    package private(set) var commandCount = 0
    /// RKSSSE state: the last challenges given, and whether external authentication passed.
    var challenges: [[UInt8]] = []
    var externallyAuthenticated = false
    var externalTriesLeft = 3

    package init(holder: CardholderProfile, profile: SSSEProfile = .standard, fault: CardFault = .none) throws {
        self.holder = holder
        self.profile = profile
        self.fault = fault
        var records: [String: [UInt8: [UInt8]]] = [:]
        let nameParts = try Self.nameRecords(holder, profile: profile)
        for element in profile.elements {
            let encoded: [UInt8]
            if let part = nameParts[element.key] {
                encoded = part
            } else if let text = holder.elements[element.key] {
                encoded = try Self.encode(text, as: element, namePadding: holder.namePadding)
            } else {
                if element.required { throw BuildError(description: "cardholder file lacks \(element.key)") }
                continue
            }
            var value = encoded
            var declared = value.count
            if case .tlvShort(let key) = fault, key == element.key {
                // The length byte promises more than the record carries.
                declared = value.count + 5
                value = Array(value.prefix(max(0, value.count - 3)))
            }
            records[element.file, default: [:]][element.record] = [element.tag, UInt8(declared)] + value
        }
        self.records = records
    }

    package var atr: [UInt8] {
        if case .bankCard = fault { return Hex.bytes(CardholderProfile.bankCardATR)! }
        return holder.atrBytes
    }

    /// Power off / on / reset: a fresh card state, as after a real reset.
    package mutating func reset() {
        applicationSelected = false
        currentFile = nil
        pinVerified = false
        pending = nil
        challenges = []
        externallyAuthenticated = false
    }

    package mutating func handle(_ apdu: [UInt8]) -> Reply {
        commandCount += 1
        switch fault {
        case .mute:
            return .silent
        case .pullAfter(let n) where commandCount > n:
            return .pull
        case .pullAfter(let n) where commandCount == n:
            return .respondThenPull(answer(apdu))
        default:
            return .respond(answer(apdu))
        }
    }

    // MARK: ISO 7816-4

    struct Command {
        let cla, ins, p1, p2: UInt8
        let data: [UInt8]
        /// nil when absent; 0 means 256.
        let le: Int?
    }

    static func parse(_ apdu: [UInt8]) -> Command? {
        guard apdu.count >= 4 else { return nil }
        let header = Array(apdu.prefix(4))
        let body = Array(apdu.dropFirst(4))
        var data: [UInt8] = []
        var le: Int?
        switch body.count {
        case 0: break
        case 1: le = Int(body[0])
        default:
            let lc = Int(body[0])
            guard lc > 0, body.count == 1 + lc || body.count == 2 + lc else { return nil }
            data = Array(body[1...lc])
            if body.count == 2 + lc { le = Int(body[1 + lc]) }
        }
        return Command(cla: header[0], ins: header[1], p1: header[2], p2: header[3], data: data, le: le)
    }

    static func sw(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

    private mutating func answer(_ apdu: [UInt8]) -> [UInt8] {
        guard let command = Self.parse(apdu) else { return Self.sw(0x6700) }
        guard command.cla == 0x00 else { return Self.sw(0x6E00) }
        if command.ins != 0xC0 { pending = nil }
        switch command.ins {
        case 0xA4: return select(command)
        case 0xB2: return readRecord(command)
        case 0xC0: return getResponse(command)
        case 0x20: return verify(command)
        case 0x84: return getChallenge(command)
        case 0x88: return internalAuthenticate(command)
        case 0x82: return externalAuthenticate(command)
        default:
            return Self.sw(0x6D00)
        }
    }

    private mutating func select(_ command: Command) -> [UInt8] {
        switch command.p1 {
        case 0x04:
            if case .bankCard = fault { return Self.sw(0x6A82) }
            guard command.data == profile.application.aidBytes else { return Self.sw(0x6A82) }
            applicationSelected = true
            currentFile = nil
            externallyAuthenticated = false
            return fci + Self.sw(0x9000)
        case 0x00, 0x02:
            let accepted = (holder.selectP1 ?? ["00", "02"]).compactMap { UInt8($0, radix: 16) }
            guard accepted.contains(command.p1) else { return Self.sw(0x6A86) }
            if command.data == [0x3F, 0x00] {
                applicationSelected = false
                currentFile = nil
                return Self.sw(0x9000)
            }
            guard applicationSelected,
                let file = profile.files.first(where: { $0.fidBytes == command.data })
            else { return Self.sw(0x6A82) }
            currentFile = file.name
            return Self.sw(0x9000)
        default:
            return Self.sw(0x6A86)
        }
    }

    /// READ RECORD by number (P2 = 04) or by record identifier (P2 = 00: the first record
    /// whose tag is P1), as ISO 7816-4 defines them.
    private mutating func readRecord(_ command: Command) -> [UInt8] {
        guard let file = currentFile else { return Self.sw(0x6986) }
        let number: UInt8?
        switch command.p2 {
        case 0x04:
            number = command.p1
        case 0x00 where holder.readByIdentifier ?? true:
            number = records[file]?.sorted(by: { $0.key < $1.key }).first(where: { $0.value.first == command.p1 })?.key
        default:
            return Self.sw(0x6A86)
        }
        if file == "EF06", holder.ef06Pin != nil, !pinVerified { return Self.sw(0x6982) }
        if isLocked(file: file, record: number) { return Self.sw(0x6982) }
        if case .wrongStatus(let sw) = fault { return Self.sw(sw) }
        guard let number, let record = records[file]?[number] else { return Self.sw(0x6A83) }
        let requested = command.le.map { $0 == 0 ? 256 : $0 }
        switch holder.recordLength ?? .exact {
        case .exact:
            return record + Self.sw(0x9000)
        case .wrongLength:
            guard requested == record.count else { return [0x6C, UInt8(record.count)] }
            return record + Self.sw(0x9000)
        case .getResponse:
            pending = record
            return [0x61, UInt8(record.count)]
        }
    }

    private mutating func getResponse(_ command: Command) -> [UInt8] {
        guard let data = pending else { return Self.sw(0x6985) }
        pending = nil
        return data + Self.sw(0x9000)
    }

    private mutating func verify(_ command: Command) -> [UInt8] {
        guard let pin = holder.ef06Pin else { return Self.sw(0x9000) }
        guard pinTriesLeft > 0 else { return Self.sw(0x6983) }
        // The PIN is packed BCD; an odd-length PIN ends with an F nibble.
        var offered = ""
        for byte in command.data {
            for nibble in [byte >> 4, byte & 0x0F] where nibble <= 9 {
                offered += String(nibble)
            }
        }
        if offered == pin {
            pinVerified = true
            pinTriesLeft = 3
            return Self.sw(0x9000)
        }
        pinTriesLeft -= 1
        return [0x63, 0xC0 | UInt8(pinTriesLeft)]
    }

    // MARK: Encoding the cardholder's values

    static func encode(_ text: String, as element: SSSEProfile.Element, namePadding: String?) throws -> [UInt8] {
        func fail(_ why: String) -> BuildError {
            BuildError(description: "\(element.key) \"\(text)\": \(why)")
        }
        var bytes: [UInt8]
        switch element.format {
        case .binary:
            guard let b = Hex.bytes(text) else { throw fail("not hex") }
            bytes = b
        case .ascii:
            guard text.allSatisfy(\.isASCII) else { throw fail("not ASCII") }
            bytes = Array(text.utf8)
        case .bcd:
            guard let b = packDigits(text) else { throw fail("not an even number of digits") }
            bytes = b
        case .bcdDate:
            guard let date = CalendarDate(text), let b = packDigits(date.compact) else { throw fail("not YYYY-MM-DD") }
            bytes = b
        case .gbk:
            guard let b = GBK.encode(text) else { throw fail("has characters GB18030 cannot hold") }
            let pad: UInt8 = namePadding == "space" ? 0x20 : 0x00
            bytes = b + [UInt8](repeating: pad, count: max(0, element.length - b.count))
        }
        guard bytes.count <= element.length else { throw fail("longer than \(element.length) bytes") }
        return bytes
    }

    /// Packed BCD, written here rather than borrowed from the reader so that the two
    /// cannot share a mistake.
    static func packDigits(_ digits: String) -> [UInt8]? {
        let values = digits.unicodeScalars.map { Int($0.value) - 0x30 }
        guard values.count % 2 == 0, values.allSatisfy({ (0...9).contains($0) }) else { return nil }
        return stride(from: 0, to: values.count, by: 2).map { UInt8(values[$0] << 4 | values[$0 + 1]) }
    }
}
