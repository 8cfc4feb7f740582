/// A USB HID report descriptor, parsed into the fields of each report — the small part of
/// "Device Class Definition for HID 1.11" §6.2.2 that a scanner needs: short items (main,
/// global, local), long items skipped, push/pop, usage ranges and 32-bit (extended) usages.
///
/// Written for input from the outside: any byte string parses or fails with a reason, in
/// time linear in its length, and no field can claim more than a report's 64 KiB.
package struct HIDReportDescriptor: Sendable, Equatable {
    package enum Kind: Sendable, Equatable { case input, output, feature }

    /// One main item's run of `count` values of `bitSize` bits each.
    package struct Field: Sendable, Equatable {
        package var kind: Kind
        /// 0 when the device uses no report IDs.
        package var reportID: UInt8
        /// Where the field starts in the report, in bits, counting after the report ID byte.
        package var bitOffset: Int
        package var bitSize: Int
        package var count: Int
        /// The usages, page in the high 16 bits: one per value for a variable field (the last
        /// repeats), the possible values' usages for an array field.
        package var usages: [UInt32]
        /// Bit 0 of the main item: padding or a constant value.
        package var isConstant: Bool
        /// Bit 1: one usage per value (variable) rather than an array of usage indices.
        package var isVariable: Bool
        package var logicalMinimum: Int32
        package var logicalMaximum: Int32

        /// The usage of the value at `index` (variable fields).
        package func usage(at index: Int) -> UInt32? {
            guard !usages.isEmpty else { return nil }
            return usages[min(index, usages.count - 1)]
        }

        package var bitLength: Int { bitSize * count }
    }

    package enum Problem: Error, Sendable, Equatable, CustomStringConvertible {
        case truncated(at: Int)
        case unbalancedCollection(at: Int)
        case popWithoutPush(at: Int)
        case tooDeep(at: Int)
        case tooLarge(at: Int)

        package var description: String {
            switch self {
            case .truncated(let i): "the report descriptor ends inside the item at byte \(i)"
            case .unbalancedCollection(let i): "End Collection without a Collection at byte \(i)"
            case .popWithoutPush(let i): "Pop without Push at byte \(i)"
            case .tooDeep(let i): "collections or pushes nested too deep at byte \(i)"
            case .tooLarge(let i): "a report longer than 64 KiB at byte \(i)"
            }
        }
    }

    package var fields: [Field]
    /// Every (usage page << 16 | usage) named by a Collection item, outermost first.
    package var collections: [UInt32]

    /// Whether the device numbers its reports (then each report starts with its ID byte).
    package var usesReportIDs: Bool { fields.contains { $0.reportID != 0 } }

    package func fields(_ kind: Kind, reportID: UInt8) -> [Field] {
        fields.filter { $0.kind == kind && $0.reportID == reportID }
    }

    /// The report's length in bytes as it arrives, report ID byte included.
    package func reportLength(_ kind: Kind, reportID: UInt8) -> Int {
        let bits = fields(kind, reportID: reportID).map { $0.bitOffset + $0.bitLength }.max() ?? 0
        return (bits + 7) / 8 + (reportID != 0 ? 1 : 0)
    }

    /// The report IDs that have fields of `kind`, in the order they were declared.
    package func reportIDs(_ kind: Kind) -> [UInt8] {
        var seen: [UInt8] = []
        for f in fields where f.kind == kind && !seen.contains(f.reportID) { seen.append(f.reportID) }
        return seen
    }

    package init(fields: [Field], collections: [UInt32] = []) {
        self.fields = fields
        self.collections = collections
    }

    /// The item state the parser carries (HID 1.11 §6.2.2.7 global, §6.2.2.8 local).
    private struct Globals {
        var usagePage: UInt32 = 0
        var logicalMinimum: Int32 = 0
        var logicalMaximum: Int32 = 0
        var reportSize = 0
        var reportCount = 0
        var reportID: UInt8 = 0
    }

    private static let maxNesting = 32
    private static let maxReportBits = 65536 * 8
    private static let maxUsages = 4096

    package init(_ bytes: [UInt8]) throws(Problem) {
        var fields: [Field] = []
        var collections: [UInt32] = []
        var globals = Globals()
        var stack: [Globals] = []
        var usages: [UInt32] = []
        var usageMinimum: UInt32?
        var depth = 0
        // Bits used so far per (kind, report ID).
        var offsets: [String: Int] = [:]

        /// A usage as written: a 4-byte usage carries its page, a shorter one takes the current page.
        func extended(_ value: UInt32, size: Int) -> UInt32 {
            size == 4 ? value : (globals.usagePage << 16) | (value & 0xFFFF)
        }

        var i = 0
        while i < bytes.count {
            let start = i
            let prefix = bytes[i]
            if prefix == 0xFE {
                // Long item: size byte, tag byte, data. Nothing in a scanner's descriptor uses one.
                guard i + 2 < bytes.count else { throw .truncated(at: start) }
                let size = Int(bytes[i + 1])
                i += 3 + size
                guard i <= bytes.count else { throw .truncated(at: start) }
                continue
            }
            let size = [0, 1, 2, 4][Int(prefix & 0x03)]
            guard i + 1 + size <= bytes.count else { throw .truncated(at: start) }
            var unsigned: UInt32 = 0
            for k in 0..<size { unsigned |= UInt32(bytes[i + 1 + k]) << (8 * k) }
            let signed: Int32 = switch size {
            case 1: Int32(Int8(truncatingIfNeeded: unsigned))
            case 2: Int32(Int16(truncatingIfNeeded: unsigned))
            case 4: Int32(bitPattern: unsigned)
            default: 0
            }
            i += 1 + size
            let type = (prefix >> 2) & 0x03, tag = prefix >> 4
            switch type {
            case 0:  // main
                switch tag {
                case 0x8, 0x9, 0xB:  // Input, Output, Feature
                    let kind: Kind = tag == 0x8 ? .input : tag == 0x9 ? .output : .feature
                    let key = "\(kind)-\(globals.reportID)"
                    let offset = offsets[key] ?? 0
                    let bits = globals.reportSize * globals.reportCount
                    guard offset + bits <= Self.maxReportBits else { throw .tooLarge(at: start) }
                    if bits > 0 {
                        fields.append(Field(kind: kind, reportID: globals.reportID, bitOffset: offset,
                                            bitSize: globals.reportSize, count: globals.reportCount, usages: usages,
                                            isConstant: unsigned & 0x01 != 0, isVariable: unsigned & 0x02 != 0,
                                            logicalMinimum: globals.logicalMinimum, logicalMaximum: globals.logicalMaximum))
                    }
                    offsets[key] = offset + bits
                case 0xA:  // Collection
                    depth += 1
                    guard depth <= Self.maxNesting else { throw .tooDeep(at: start) }
                    if let first = usages.first { collections.append(first) }
                case 0xC:  // End Collection
                    guard depth > 0 else { throw .unbalancedCollection(at: start) }
                    depth -= 1
                default: break
                }
                usages = []
                usageMinimum = nil
            case 1:  // global
                switch tag {
                case 0x0: globals.usagePage = unsigned & 0xFFFF
                case 0x1: globals.logicalMinimum = signed
                case 0x2: globals.logicalMaximum = size < 4 && globals.logicalMinimum >= 0 ? Int32(bitPattern: unsigned) : signed
                case 0x7: globals.reportSize = Int(min(unsigned, 4096))
                case 0x8: globals.reportID = UInt8(truncatingIfNeeded: unsigned)
                case 0x9: globals.reportCount = Int(min(unsigned, 65536))
                case 0xA:
                    guard stack.count < Self.maxNesting else { throw .tooDeep(at: start) }
                    stack.append(globals)
                case 0xB:
                    guard let top = stack.popLast() else { throw .popWithoutPush(at: start) }
                    globals = top
                default: break
                }
            case 2:  // local
                switch tag {
                case 0x0:
                    if usages.count < Self.maxUsages { usages.append(extended(unsigned, size: size)) }
                case 0x1: usageMinimum = extended(unsigned, size: size)
                case 0x2:
                    let maximum = extended(unsigned, size: size)
                    if let low = usageMinimum, low <= maximum {
                        var u = low
                        while u <= maximum && usages.count < Self.maxUsages {
                            usages.append(u)
                            if u == UInt32.max { break }
                            u += 1
                        }
                    }
                    usageMinimum = nil
                default: break
                }
            default: break
            }
        }
        self.fields = fields
        self.collections = collections
    }
}

extension HIDReportDescriptor.Field {
    /// The field's value at `index` from a report whose bytes start after the report ID.
    package func value(at index: Int, in body: ArraySlice<UInt8>) -> UInt32? {
        let first = bitOffset + index * bitSize
        guard bitSize > 0, bitSize <= 32, first + bitSize <= body.count * 8 else { return nil }
        var v: UInt64 = 0
        for b in 0..<bitSize {
            let bit = first + b
            let byte = body[body.startIndex + bit / 8]
            if (byte >> (bit % 8)) & 1 == 1 { v |= 1 << UInt64(b) }
        }
        return UInt32(truncatingIfNeeded: v)
    }
}
