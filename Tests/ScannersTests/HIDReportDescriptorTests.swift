import HardwareSim
import Scanners
import TestSupport
import Testing

/// HID POS from the report descriptor: the published descriptors give the published
/// layouts, the published captures decode to what was scanned, and nothing a device sends
/// can crash the parser.
@Suite("HID report descriptors and HID POS layouts")
struct HIDReportDescriptorTests {
    @Test("Honeywell's firmware descriptor: report 2 of 64 bytes, count, AIM, 56 data bytes, continued in bit 0 of byte 63")
    func honeywell() throws {
        let descriptor = try HIDReportDescriptor(HIDPOSModel.honeywell.reportDescriptor)
        #expect(descriptor.collections.first == 0x008C_0002, "the application collection is Bar Code Scanner")
        let layout = try #require(HIDPOSLayout(descriptor: descriptor))
        #expect(layout.reportID == 2 && layout.reportLength == 64)
        #expect(layout.countOffset == 1 && layout.symbology == [2, 3, 4] && layout.data == 5..<61)
        #expect(layout.continuedBit == 63 * 8)
        // The trigger (output 4), redirect (feature 254) and serial (output 253) reports are not inputs.
        #expect(descriptor.reportIDs(.input) == [2])
        #expect(descriptor.reportLength(.output, reportID: 253) == 64)
    }

    @Test("The Java library's 'Barcode scanner' descriptor reads as the same layout")
    func javaExample() throws {
        let descriptor = try HIDReportDescriptor(PublishedHIDPOS.bytes(PublishedHIDPOS.javaExampleDescriptor))
        let layout = try #require(HIDPOSLayout(descriptor: descriptor))
        #expect(layout.data == HIDPOSLayout.honeywell.data && layout.countOffset == 1 && layout.continuedBit == 504)
        #expect(descriptor.reportIDs(.input) == [2, 0xF0])
    }

    @Test("Zebra's and Newland's report tables, as descriptors, give their layouts", arguments: [HIDPOSModel.zebra, .newland])
    func vendorTables(model: HIDPOSModel) throws {
        let layout = try #require(HIDPOSLayout(descriptor: try HIDReportDescriptor(model.reportDescriptor)))
        let published = model == .zebra ? HIDPOSLayout.zebra : HIDPOSLayout.newland
        #expect(layout.reportLength == published.reportLength && layout.data == published.data)
        #expect(layout.countOffset == published.countOffset && layout.symbology == published.symbology)
        #expect(layout.continuedBit == published.continuedBit)
    }

    @Test("A boot keyboard's descriptor is a keyboard, not HID POS")
    func keyboard() throws {
        let descriptor = try HIDReportDescriptor(bootKeyboardDescriptor)
        #expect(HIDPOSLayout(descriptor: descriptor) == nil)
        #expect(descriptor.collections.contains(0x0001_0006))
        #expect(descriptor.reportLength(.input, reportID: 0) == 8)
    }

    static func decode(_ hexReports: [String], layout: HIDPOSLayout) -> [DecodedScan] {
        var decoder = HIDPOSDecoder(layout: layout)
        return hexReports.flatMap { decoder.feed(PublishedHIDPOS.bytes($0)) }
    }

    @Test("Published captures decode to what was scanned: Zebra with its layout, Honeywell with its firmware's")
    func captures() throws {
        let expected: [DecodedScan] = [.code(Array("306030209223".utf8)), .code(Array(PublishedHIDPOS.loremIpsum.utf8))]
        let zebra = try #require(HIDPOSLayout(descriptor: try HIDReportDescriptor(HIDPOSModel.zebra.reportDescriptor)))
        #expect(Self.decode(PublishedHIDPOS.zebraCapture, layout: zebra) == expected)
        let honeywell = try #require(HIDPOSLayout(descriptor: try HIDReportDescriptor(HIDPOSModel.honeywell.reportDescriptor)))
        #expect(Self.decode(PublishedHIDPOS.honeywellCapture, layout: honeywell) == expected)
        // The wrong layout does not silently give the right answer: Honeywell's offsets on Zebra's reports.
        #expect(Self.decode(PublishedHIDPOS.zebraCapture, layout: .honeywell) != expected)
    }

    @Test("A Voyager 1602g's six-report answer comes out whole, and the AIM identifier is kept")
    func voyager() throws {
        var decoder = HIDPOSDecoder(layout: .honeywell)
        let out = PublishedHIDPOS.voyagerRevinf.flatMap { decoder.feed(PublishedHIDPOS.bytes($0)) }
        #expect(out.count == 2)
        guard case .code(let first) = out.first else { Issue.record("no first message"); return }
        let text = String(decoding: first, as: UTF8.self)
        #expect(text.hasPrefix("Product Name: Voyager 1602g\r\n"))
        #expect(text.contains("Serial Number: 15232B1F0C"))
        #expect(first.count == 5 * 56 + 9)
        #expect(decoder.lastSymbology == "]Z6")
    }

    @Test("Truncated and unbalanced descriptors fail with a reason")
    func malformed() {
        #expect(throws: HIDReportDescriptor.Problem.truncated(at: 2)) { try HIDReportDescriptor([0x05, 0x8C, 0x26, 0xFF]) }
        #expect(throws: HIDReportDescriptor.Problem.unbalancedCollection(at: 0)) { try HIDReportDescriptor([0xC0]) }
        #expect(throws: HIDReportDescriptor.Problem.popWithoutPush(at: 0)) { try HIDReportDescriptor([0xB4]) }
        #expect(throws: HIDReportDescriptor.Problem.tooLarge(at: 10)) {
            try HIDReportDescriptor([0x77, 0x00, 0x10, 0x00, 0x00, 0x97, 0xFF, 0xFF, 0x00, 0x00, 0x81, 0x02])
        }
        let deep: [UInt8] = (0..<80).map { $0 % 2 == 0 ? 0xA1 : 0x01 }
        #expect(throws: HIDReportDescriptor.Problem.tooDeep(at: 64)) { try HIDReportDescriptor(deep) }
    }

    @Test("Fuzz: random and mutated descriptors parse or fail, never crash; any layout found stays inside its report")
    func fuzz() {
        var rng = SeededGenerator(seed: 0xC0FFEE)
        let seeds = HIDPOSModel.allCases.map(\.reportDescriptor) + [bootKeyboardDescriptor]
        var parsed = 0, layouts = 0
        for round in 0..<4000 {
            var bytes: [UInt8]
            if round % 2 == 0 {
                bytes = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                bytes = seeds[round % seeds.count]
                for _ in 0..<Int.random(in: 1...6, using: &rng) where !bytes.isEmpty {
                    let i = Int.random(in: 0..<bytes.count, using: &rng)
                    switch Int.random(in: 0..<3, using: &rng) {
                    case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                    case 1: bytes.remove(at: i)
                    default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: i)
                    }
                }
            }
            guard let descriptor = try? HIDReportDescriptor(bytes) else { continue }
            parsed += 1
            guard let layout = HIDPOSLayout(descriptor: descriptor) else { continue }
            layouts += 1
            #expect(layout.data.upperBound <= layout.reportLength, "\(bytes)")
            #expect((layout.continuedBit ?? 0) < layout.reportLength * 8, "\(bytes)")
            // Its decoder takes random reports without crashing.
            var decoder = HIDPOSDecoder(layout: layout)
            for _ in 0..<4 {
                _ = decoder.feed((0..<Int.random(in: 0...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
            }
        }
        #expect(parsed > 500 && layouts > 100, "the fuzzing reached the layout code (\(parsed) parsed, \(layouts) layouts)")
    }
}
