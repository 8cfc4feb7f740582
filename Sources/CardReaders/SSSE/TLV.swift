/// The simple TLV of a social-security card record: 1-byte tag, 1-byte length, value.
package enum TLV {
    package enum ParseError: Error, Equatable, Sendable {
        case empty
        case wrongTag(expected: UInt8, found: UInt8)
        case truncated(declared: Int, available: Int)

        package var detail: String {
            switch self {
            case .empty: "the record is empty"
            case .wrongTag(let e, let f): "tag \(Hex.string([f])) where \(Hex.string([e])) was expected"
            case .truncated(let d, let a): "length \(d) runs past the \(a) bytes present"
            }
        }
    }

    /// The value of the TLV at the start of `record`. Bytes after it (padding) are ignored.
    package static func value(in record: [UInt8], tag expected: UInt8) throws(ParseError) -> [UInt8] {
        guard record.count >= 2 else {
            if record.isEmpty { throw .empty }
            throw .truncated(declared: 1, available: 0)
        }
        guard record[0] == expected else { throw .wrongTag(expected: expected, found: record[0]) }
        let length = Int(record[1])
        guard 2 + length <= record.count else {
            throw .truncated(declared: length, available: record.count - 2)
        }
        return Array(record[2..<(2 + length)])
    }
}
