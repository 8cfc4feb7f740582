/// A keyboard-wedge scanner: a USB HID boot keyboard typing the code. Each 8-byte boot
/// report is `[modifiers, reserved, key1 … key6]`; a key is typed when it appears in a
/// report and was not in the previous one (a key held across reports is typed once); a
/// report with no keys is the release. US layout; both shift keys; Enter, keypad Enter or
/// Tab ends the code.
package struct KeyboardWedgeDecoder: ScanDecoder {
    package enum Terminator: String, Sendable, CaseIterable {
        case enter, tab
    }

    private var previous: Set<UInt8> = []
    private var buffer: [UInt8] = []
    private var overflowed = false
    package let terminators: Set<Terminator>

    package init(terminators: Set<Terminator> = [.enter, .tab]) {
        self.terminators = terminators
    }

    package var pending: Int { buffer.count }

    package mutating func reset() {
        previous = []
        buffer = []
        overflowed = false
    }

    package mutating func feed(_ report: [UInt8]) -> [DecodedScan] {
        // Some scanners prefix a report ID; the boot report itself is 8 bytes.
        let r = report.count == 9 ? Array(report.dropFirst()) : report
        guard r.count == 8 else { return [.malformedReport] }
        let modifiers = r[0]
        let keys = r[2...].filter { $0 != 0 }
        // 0x01 in the key slots is ErrorRollOver: the keyboard lost track; wait for a clean report.
        if keys.contains(1) { return [] }
        let pressed = Set(keys)
        var out: [DecodedScan] = []
        for key in keys where !previous.contains(key) {
            if let done = type(key, shift: modifiers & 0x22 != 0, control: modifiers & 0x11 != 0) { out.append(done) }
        }
        previous = pressed
        return out
    }

    private mutating func type(_ usage: UInt8, shift: Bool, control: Bool) -> DecodedScan? {
        if usage == 0x28 || usage == 0x58 {
            return terminators.contains(.enter) ? finish() : nil
        }
        if usage == 0x2B, terminators.contains(.tab) { return finish() }
        // A control chord is not text; keep a byte that makes the code fail the printable check.
        let byte: UInt8 = control ? 0x00 : (USKeyboardLayout.character(usage: usage, shift: shift) ?? 0x00)
        if buffer.count >= ScanLimits.maximumLength {
            overflowed = true
            return nil
        }
        buffer.append(byte)
        return nil
    }

    private mutating func finish() -> DecodedScan? {
        defer { buffer = []; overflowed = false }
        if overflowed { return .tooLong }
        return buffer.isEmpty ? nil : .code(buffer)
    }
}

/// HID keyboard usages (page 0x07) to ASCII on a US layout.
package enum USKeyboardLayout {
    static let digits: [UInt8] = Array("1234567890".utf8)
    static let shiftedDigits: [UInt8] = Array("!@#$%^&*()".utf8)
    /// Usages 0x2C … 0x38.
    static let punctuation: [(UInt8, UInt8)] = [
        (0x20, 0x20), (0x2D, 0x5F), (0x3D, 0x2B), (0x5B, 0x7B), (0x5D, 0x7D), (0x5C, 0x7C), (0x23, 0x7E),
        (0x3B, 0x3A), (0x27, 0x22), (0x60, 0x7E), (0x2C, 0x3C), (0x2E, 0x3E), (0x2F, 0x3F),
    ]
    static let keypad: [UInt8] = Array("/*-+\n1234567890.".utf8)

    package static func character(usage: UInt8, shift: Bool) -> UInt8? {
        switch usage {
        case 0x04...0x1D: return (shift ? 0x41 : 0x61) + (usage - 0x04)
        case 0x1E...0x27: return (shift ? shiftedDigits : digits)[Int(usage - 0x1E)]
        case 0x2C...0x38:
            let pair = punctuation[Int(usage - 0x2C)]
            return shift ? pair.1 : pair.0
        case 0x54...0x63:
            let c = keypad[Int(usage - 0x54)]
            return c == 0x0A ? nil : c
        default: return nil
        }
    }
}
