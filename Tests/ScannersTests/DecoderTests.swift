import HardwareSim
import Scanners
import TerminalCore
import Testing

/// Report sequences as scanners send them (boot keyboard reports, Honeywell-style HID POS
/// reports, serial bytes), decoded.
@Suite("Scanner decoders")
struct DecoderTests {
    func wedge(_ reports: [[UInt8]]) -> [DecodedScan] {
        var d = KeyboardWedgeDecoder()
        return reports.flatMap { d.feed($0) }
    }

    static let release: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0]
    static func key(_ usage: UInt8, _ modifiers: UInt8 = 0) -> [UInt8] { [modifiers, 0, usage, 0, 0, 0, 0, 0] }

    @Test("Keyboard wedge: press/release per character, Enter ends the code")
    func wedgeBasic() {
        // "Ab1" Enter, as a scanner types it: left shift for A.
        let r = wedge([Self.key(0x04, 0x02), Self.release, Self.key(0x05), Self.release, Self.key(0x1E), Self.release,
                       Self.key(0x28), Self.release])
        #expect(r == [.code(Array("Ab1".utf8))])
    }

    @Test("Keyboard wedge: right shift too; ':' and '_' need shift")
    func wedgeShift() {
        let r = wedge([Self.key(0x33, 0x20), Self.release, Self.key(0x2D, 0x02), Self.release, Self.key(0x2D), Self.key(0x28)])
        #expect(r == [.code(Array(":_-".utf8))])
    }

    @Test("Keyboard wedge: a key held across reports is typed once; two keys in one report both count")
    func wedgeHeld() {
        let r = wedge([Self.key(0x04), Self.key(0x04), Self.key(0x04), [0, 0, 0x04, 0x05, 0, 0, 0, 0], Self.release,
                       Self.key(0x04), Self.release, Self.key(0x58), Self.release])
        #expect(r == [.code(Array("aba".utf8))])
    }

    @Test("Keyboard wedge: Tab ends the code; a report-ID prefix is accepted; rollover errors ignored")
    func wedgeTabAndID() {
        let r = wedge([[1] + Self.key(0x1F), [1] + Self.release, [0, 0, 1, 1, 1, 1, 1, 1], Self.key(0x2B)])
        #expect(r == [.code(Array("2".utf8))])
    }

    @Test("Keyboard wedge: no terminator, no code; a wrong-sized report is malformed")
    func wedgeUnterminated() {
        var d = KeyboardWedgeDecoder()
        #expect(d.feed(Self.key(0x04)).isEmpty)
        #expect(d.pending == 1)
        #expect(d.feed([1, 2, 3]) == [.malformedReport])
    }

    @Test("Keyboard wedge: more than 2 KB before Enter is refused as too long")
    func wedgeTooLong() {
        var reports: [[UInt8]] = []
        for _ in 0...ScanLimits.maximumLength { reports += [Self.key(0x04), Self.release] }
        reports.append(Self.key(0x28))
        #expect(wedge(reports) == [.tooLong])
    }

    @Test("The decoder's US layout agrees with the simulator's (written from the HID usage tables) on all printable ASCII")
    func layout() {
        for byte in UInt8(0x20)...0x7E {
            let (usage, shift) = VirtualScanner.keyboardUsage(for: Unicode.Scalar(byte))!
            #expect(USKeyboardLayout.character(usage: usage, shift: shift) == byte, "byte \(byte)")
        }
    }

    @Test("HID POS: one report, and a code spanning three reports")
    func hidpos() {
        var d = HIDPOSDecoder()
        let short = Array("ECQR:360400:0001:7f3a9c21d4e8b6a0".utf8)
        let one = VirtualScanner.hidposReports(for: short)
        #expect(one.count == 1 && one[0].count == 64 && one[0][1] == UInt8(short.count))
        let decodedOne = one.flatMap { d.feed($0) }
        #expect(decodedOne == [.code(short)])
        let long = Array(String(repeating: "0123456789", count: 15).utf8)
        let many = VirtualScanner.hidposReports(for: long)
        #expect(many.count == 3)
        #expect(many.map { $0[63] } == [1, 1, 0])
        let decodedMany = many.flatMap { d.feed($0) }
        #expect(decodedMany == [.code(long)])
    }

    @Test("HID POS: wrong report ID or a length past the report is malformed, and the partial code is dropped")
    func hidposMalformed() {
        var d = HIDPOSDecoder()
        var first = VirtualScanner.hidposReports(for: Array(String(repeating: "x", count: 100).utf8))[0]
        #expect(d.feed(first).isEmpty)
        #expect(d.pending == 56)
        var bad = first
        bad[1] = 200
        #expect(d.feed(bad) == [.malformedReport])
        #expect(d.pending == 0)
        first[0] = 0x04
        #expect(d.feed(first) == [.malformedReport])
    }

    @Test("Serial: CR, LF and CR LF each end a line; lines split across reads; empty lines ignored")
    func serial() {
        var d = SerialLineDecoder()
        let r = d.feed(Array("AB".utf8)) + d.feed(Array("C\r\nDEF\n\nG".utf8)) + d.feed(Array("\r".utf8))
        #expect(r == [.code(Array("ABC".utf8)), .code(Array("DEF".utf8)), .code(Array("G".utf8))])
        var lf = SerialLineDecoder(terminator: .lf)
        #expect(lf.feed(Array("A\rB\n".utf8)) == [.code(Array("A\rB".utf8))])
    }

    @Test("Payload: only what cannot be a credential is refused; rules route and name, never refuse")
    func payload() throws {
        let shipped = PayloadClassifier.standard()
        // No public source shows a real code's shape: whatever is printable goes to the platform.
        for code in ["https://example.com", "ECQR:360400:0001:7f3a9c21d4e8b6a0", "3604AB1234567890XYZ", "1234567"] {
            #expect(try shipped.credential(from: Array(code.utf8), device: "x").kind == .unclassifiedQRCode, "\(code)")
        }
        #expect(throws: PayloadClassifier.Problem.notPrintable) { try PayloadClassifier.text(of: [0x41, 0x00]) }
        #expect(throws: PayloadClassifier.Problem.notPrintable) { try PayloadClassifier.text(of: Array("医保".utf8)) }
        #expect(throws: PayloadClassifier.Problem.tooLong) { try PayloadClassifier.text(of: [UInt8](repeating: 0x41, count: 2049)) }
        for barcode in ["4006001234567", "69012345", "036000291452", "10614141000415"] {
            #expect(throws: PayloadClassifier.Problem.productBarcode) { try shipped.credential(from: Array(barcode.utf8), device: "x") }
        }
        // A province's rules (configuration) name codes and route 电子社保卡 to its decoder.
        let configured = try PayloadClassifier.with(configured: [
            .init(kind: "electronicSocialSecurityQRCode", name: "电子社保卡", pattern: "^ESSC:"),
            .init(kind: "medicalInsuranceQRCode", name: "医保电子凭证", pattern: "^ECQR:")])
        #expect(configured.classify("ESSC:360400:abcdefABCDEF0123") == .credential(.electronicSocialSecurityQRCode, name: "电子社保卡"))
        let credential = try configured.credential(from: Array("ECQR:360400:0001:7f3a9c21d4e8b6a0".utf8), device: "/dev/hidraw0")
        #expect(credential.kind == .medicalInsuranceQRCode && credential.source == "/dev/hidraw0")
        #expect(try configured.credential(from: Array("other".utf8), device: "x").kind == .unclassifiedQRCode)
        #expect(throws: PayloadClassifier.Problem.self) { try PayloadClassifier.with(configured: [.init(kind: "faceAuthToken", name: "x", pattern: ".")]) }
        #expect(throws: PayloadClassifier.Problem.self) { try PayloadClassifier.with(configured: [.init(kind: "unclassifiedQRCode", name: "x", pattern: "(")]) }
    }

    @Test("The same code twice within the window counts once; after it, again")
    func repeats() {
        var f = RepeatFilter(window: .seconds(3))
        let t0 = ContinuousClock.now
        let admitted = [f.admit([1], at: t0), f.admit([1], at: t0 + .seconds(1)), f.admit([2], at: t0 + .seconds(1)),
                        f.admit([1], at: t0 + .seconds(5))]
        #expect(admitted == [true, false, true, true])
    }
}
