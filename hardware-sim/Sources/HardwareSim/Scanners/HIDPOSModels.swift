/// HID POS scanners as their vendors publish them: each model's report descriptor and the
/// input reports it sends for a code. Written from the public material (docs/scanners.md),
/// never from cuntong's decoder:
///
/// - Honeywell: the descriptor is the 144 bytes of Honeywell's HID POS firmware
///   (`usb2hidkbd.cpp`, whose configuration declares wDescriptorLength 0x90), the reports as its
///   `HidPosSendLabel` builds them (`usb2pos.h`): 64 bytes zeroed, ID 02, count, `]` + AIM id +
///   modifier, up to 56 data bytes, code ID, code modifier, 01 while more follows.
/// - Zebra/Symbol: no descriptor is public; this one is built from what Windows' HidP read out
///   of a DS2208's reports (Byte Count, one byte 00, Symbology Identifier 1–3, Decoded Data,
///   one vendor byte 0xFF66:04, Decode Data Continued), and the reports copy that capture's
///   byte positions. Byte 2 is modelled as constant padding: the capture cannot tell it from
///   the high byte of a 16-bit count.
/// - Newland: no descriptor is public; this one is built from the NLS-FM420 integration guide's
///   table (ID 02, length, Decoded Data 1–56, Reserved 1–4, Newland symbology identifier,
///   Decode Data Continued in bit 0 of byte 63), and so are the reports.
package enum HIDPOSModel: String, Sendable, CaseIterable {
    case honeywell, zebra, newland

    package static func forVendor(_ vendor: String) -> HIDPOSModel {
        switch vendor.lowercased() {
        case "05e0": .zebra
        case "1eab": .newland
        default: .honeywell
        }
    }

    package var reportDescriptor: [UInt8] {
        switch self {
        case .honeywell: Self.honeywellDescriptor
        case .zebra: Self.zebraDescriptor
        case .newland: Self.newlandDescriptor
        }
    }

    /// The input reports for `code`, with the AIM identifier and the vendor's code ID for a
    /// QR Code (`]Q1`; Honeywell and Zebra code ID 's'; Newland's symbology byte 0x20 as an
    /// arbitrary non-zero value, its table being vendor-specific).
    package func reports(for code: [UInt8], aim: [UInt8] = Array("]Q1".utf8)) -> [[UInt8]] {
        let chunks = stride(from: 0, to: max(code.count, 1), by: 56).map { Array(code[$0..<min($0 + 56, code.count)]) }
        return chunks.enumerated().map { i, chunk in
            let more: UInt8 = i == chunks.count - 1 ? 0 : 1
            var r = [UInt8](repeating: 0, count: 64)
            r[0] = 0x02
            r[1] = UInt8(chunk.count)
            switch self {
            case .honeywell:
                r.replaceSubrange(2..<5, with: aim)
                r.replaceSubrange(5..<(5 + chunk.count), with: chunk)
                r[61] = 0x73  // 's'
                r[62] = 0x00
            case .zebra:
                r.replaceSubrange(3..<6, with: aim)
                r.replaceSubrange(6..<(6 + chunk.count), with: chunk)
                r[62] = 0x73
            case .newland:
                r.replaceSubrange(2..<(2 + chunk.count), with: chunk)
                r[62] = 0x20
            }
            r[63] = more
            return r
        }
    }

    /// Honeywell HID POS firmware, `usb_report_descrBPCMacJap` (144 bytes).
    static let honeywellDescriptor: [UInt8] = hex("""
        05 8c 09 02 a1 01 09 12 a1 02 85 02 15 00 26 ff 00 75 08 95 01 05 01 09 3b 81 02 95 03 05 8c
        09 fb 09 fc 09 fd 81 02 95 38 09 fe 82 02 01 06 66 ff 95 02 09 04 09 00 81 02 05 8c 25 01 75
        01 95 08 09 ff 81 02 c0 09 14 a1 02 85 04 15 00 25 01 75 01 95 08 09 00 09 5f 09 60 09 00 09
        00 09 85 09 86 91 86 c0 06 66 ff 75 08 26 ff 00 09 03 a1 02 85 fe 95 01 09 03 b2 82 01 c0 09
        01 a1 02 85 fd 95 01 09 21 91 02 95 3e 09 22 92 82 01 c0 c0
        """)

    /// Zebra/Symbol, from the HidP fields of the published DS2208 capture.
    static let zebraDescriptor: [UInt8] = hex("""
        058c 0902 a101 0912 a102 8502 1500 26ff00 7508 9501 0501 093b 8102
        9501 8101
        9503 058c 09fb 09fc 09fd 8102
        9538 09fe 820201
        0666ff 9501 0904 8102
        058c 2501 7501 9501 09ff 8102 9507 8101
        c0 c0
        """)

    /// Newland, from the NLS-FM420 integration guide's report table.
    static let newlandDescriptor: [UInt8] = hex("""
        058c 0902 a101 0912 a102 8502 1500 26ff00 7508 9501 0501 093b 8102
        9538 058c 09fe 820201
        9504 8101
        0600ff 9501 0901 8102
        058c 2501 7501 9501 09ff 8102 9507 8101
        c0 c0
        """)

    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter(\.isHexDigit))
        return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }
}

/// The boot keyboard's report descriptor: the example of "Device Class Definition for HID
/// 1.11", Appendix E.6 (63 bytes) — what a keyboard-wedge scanner presents.
package let bootKeyboardDescriptor: [UInt8] = HIDPOSModel.hex("""
    05 01 09 06 a1 01 05 07 19 e0 29 e7 15 00 25 01 75 01 95 08 81 02 95 01 75 08 81 01
    95 05 75 01 05 08 19 01 29 05 91 02 95 01 75 03 91 01 95 06 75 08 15 00 25 65 05 07
    19 00 29 65 81 00 c0
    """)
