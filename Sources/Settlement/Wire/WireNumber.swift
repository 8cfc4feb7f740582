import Foundation
import TerminalCore

/// A JSON number in a request, written exactly as its text: amounts with two decimals
/// (`12.30`), quantities and unit prices with the digits they have (`20`, `0.35`). The
/// spec's 数值型 fields are numbers, and Foundation's encoder would write a Decimal
/// normalised (`12.3`) and a Double with binary noise, so the text is carried through the
/// encoder marked and written bare by `WireJSON.encode`.
package struct WireNumber: Encodable, Sendable, Hashable, CustomStringConvertible {
    package let text: String

    /// An amount: yuan with exactly two decimals (16,2).
    package init(_ money: Money) { text = money.yuan }
    /// A quantity (`cnt`, 16,4), shortest exact text.
    package init(_ quantity: Quantity) { text = quantity.description }
    /// A unit price (`pric`, 16,6) from a yuan amount, shortest exact text.
    package init(price: Money) { text = UnitPrice(price).description }

    package var description: String { text }

    /// Marks the text so that `WireJSON.encode` can find it; never seen outside it.
    static let marker = "\u{1}\u{2}cuntong-number:"

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Self.marker + text)
    }
}

extension WireJSON {
    /// Replaces each marked string in encoded JSON with the bare number (`12.30`). Text
    /// from outside (names, codes) never holds the marker's control characters; if a
    /// marked string is not a plain number, encoding fails rather than send it.
    static func writeNumbersBare(_ json: Data) throws -> Data {
        let open = Array("\"\\u0001\\u0002cuntong-number:".utf8)
        var out = [UInt8]()
        out.reserveCapacity(json.count)
        let bytes = [UInt8](json)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\""), bytes.count - i >= open.count, Array(bytes[i..<(i + open.count)]) == open {
                var j = i + open.count
                let start = j
                while j < bytes.count, bytes[j] != UInt8(ascii: "\"") { j += 1 }
                let number = bytes[start..<j]
                guard !number.isEmpty, j < bytes.count,
                      number.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") })
                else { throw EncodingError.invalidValue(String(decoding: number, as: UTF8.self), .init(
                    codingPath: [], debugDescription: "a text field holds U+0001 or a malformed number")) }
                out.append(contentsOf: number)
                i = j + 1
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return Data(out)
    }
}
