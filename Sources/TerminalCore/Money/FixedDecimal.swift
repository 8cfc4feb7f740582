import Foundation

/// How many decimal places a `FixedDecimal` keeps: the scale of a 数值型 field in the
/// platform's field tables (16,4 → 4, 16,6 → 6, 5,4 → 4).
package protocol DecimalPlaces: Sendable {
    static var places: Int { get }
}

package enum FourPlaces: DecimalPlaces { package static let places = 4 }
package enum SixPlaces: DecimalPlaces { package static let places = 6 }

/// An exact decimal with a fixed number of places, kept as an integer count of its smallest
/// unit (10⁻ᴾ). Never a Double: a ratio or a unit price is compared and re-sent exactly as
/// the core wrote it.
package struct FixedDecimal<Places: DecimalPlaces>: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var units: Int64

    package init(units: Int64) { self.units = units }

    package static var scale: Int64 {
        var s: Int64 = 1
        for _ in 0..<Places.places { s *= 10 }
        return s
    }

    /// Parses `"12"`, `"0.35"`, `"-1.5"`, `"0.350000"`. Digits beyond the precision are
    /// accepted only when they are zeros; exponents, spaces and a bare `"."` are refused.
    package init?(text: String) {
        guard let (negative, whole, frac) = DecimalText.split(text),
              let fraction = DecimalText.fraction(frac, places: Places.places),
              whole.count <= 18 - Places.places, let w = Int64(whole) else { return nil }
        let total = w * Self.scale + fraction
        units = negative ? -total : total
    }

    /// A Money amount at this precision (yuan with two decimals always fit).
    package init(_ money: Money) {
        units = money.fen * (Self.scale / 100)
    }

    /// Shortest exact text: `"0.35"`, `"20"`, `"-1.5"`.
    package var description: String { DecimalText.format(units, places: Places.places, minimumPlaces: 0) }

    package static func < (a: Self, b: Self) -> Bool { a.units < b.units }
}

extension FixedDecimal: Codable, DecimalTextDecodable {
    package init?(decimalText text: String) { self.init(text: text) }
    package static var expected: String { "a decimal with at most \(Places.places) places" }
    package init(from decoder: any Decoder) throws { try self.init(decimalTextFrom: decoder) }

    /// Writes the shortest exact text as a string; the wire's numbers are written by the
    /// settlement module, which controls the JSON text.
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A unit price (`pric`, `pric_uplmt_amt`: 16,6).
package typealias UnitPrice = FixedDecimal<SixPlaces>
/// A ratio (`selfpay_prop`, `pool_prop_selfpay`: 5,4), e.g. 0.1000 for 10 %.
package typealias Ratio = FixedDecimal<FourPlaces>

/// A value read from decimal text, written as a JSON number or a numeric string (cores and
/// clinic software write both): Money, Quantity, FixedDecimal.
package protocol DecimalTextDecodable: Decodable {
    init?(decimalText: String)
    /// What the text must be, for the error that names it.
    static var expected: String { get }
}

extension DecimalTextDecodable {
    /// The one reading of decimal text that each type's `init(from:)` calls.
    package init(decimalTextFrom decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try DecimalText.read(container)
        guard let value = Self(decimalText: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not \(Self.expected): \(text)")
        }
        self = value
    }
}

/// Decimal text as the platform writes it, shared by Money, Quantity and FixedDecimal.
package enum DecimalText {
    /// Sign, whole digits and fraction digits of `"-12.340"`; nil unless it is plain
    /// positional decimal text.
    static func split(_ text: String) -> (negative: Bool, whole: Substring, fraction: Substring)? {
        var chars = Substring(text)
        var negative = false
        if chars.first == "-" { negative = true; chars = chars.dropFirst() }
        let parts = chars.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        let whole = parts[0], frac = parts.count == 2 ? parts[1] : ""
        guard !whole.isEmpty, whole.allSatisfy({ $0.isASCII && $0.isNumber }),
              frac.allSatisfy({ $0.isASCII && $0.isNumber }), parts.count == 1 || !frac.isEmpty else { return nil }
        return (negative, whole, frac)
    }

    /// The fraction digits as an integer of `places` digits; nil when a digit past
    /// `places` is not zero (the value would have to be rounded).
    static func fraction(_ digits: Substring, places: Int) -> Int64? {
        let kept = digits.prefix(places), rest = digits.dropFirst(places)
        guard rest.allSatisfy({ $0 == "0" }) else { return nil }
        return Int64(String(kept).padding(toLength: places, withPad: "0", startingAt: 0)) ?? 0
    }

    /// `units` (in 10⁻ᵖˡᵃᶜᵉˢ) as text with at least `minimumPlaces` decimals.
    package static func format(_ units: Int64, places: Int, minimumPlaces: Int) -> String {
        var scale: UInt64 = 1
        for _ in 0..<places { scale *= 10 }
        let magnitude = units.magnitude
        var frac = String(magnitude % scale)
        frac = String(repeating: "0", count: places - frac.count) + frac
        while frac.count > minimumPlaces, frac.hasSuffix("0") { frac.removeLast() }
        return (units < 0 ? "-" : "") + String(magnitude / scale) + (frac.isEmpty ? "" : "." + frac)
    }

    /// The text of a JSON number or string, exactly as written (numbers through Decimal,
    /// which keeps every digit).
    static func read(_ container: any SingleValueDecodingContainer) throws -> String {
        if let s = try? container.decode(String.self) { return s.trimmingCharacters(in: .whitespaces) }
        return try container.decode(Decimal.self).plainText
    }
}
