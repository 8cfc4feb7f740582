import Foundation

/// An amount of money in integer fen (分). Never a floating-point number: the national
/// platform writes yuan with two decimals, and every split must add up to the fen.
package struct Money: Sendable, Hashable, Comparable, CustomStringConvertible {
    package var fen: Int64

    package init(fen: Int64) { self.fen = fen }

    package static let zero = Money(fen: 0)

    /// Parses a yuan amount as written on the wire or in a fee list: `"12"`, `"12.3"`,
    /// `"12.34"`, `"-0.50"`, `"12.3400"`. A non-zero digit past the fen, exponents, spaces or
    /// a bare `"."` are refused rather than rounded: a price is never guessed.
    package init?(yuan text: String) {
        guard let (negative, whole, frac) = DecimalText.split(text), whole.count <= 14,
              let fen = DecimalText.fraction(frac, places: 2), let w = Int64(whole) else { return nil }
        let total = w * 100 + fen
        self.fen = negative ? -total : total
    }

    /// `"12.34"`, `"-0.50"`, `"0.00"`: the platform's 16,2 format.
    package var yuan: String {
        let magnitude = fen.magnitude
        let frac = magnitude % 100
        return (fen < 0 ? "-" : "") + String(magnitude / 100) + "." + (frac < 10 ? "0" : "") + String(frac)
    }

    /// `¥12.34`, for people.
    package var description: String { "¥" + yuan }

    package static func < (a: Money, b: Money) -> Bool { a.fen < b.fen }
    package static func + (a: Money, b: Money) -> Money { Money(fen: a.fen + b.fen) }
    package static func - (a: Money, b: Money) -> Money { Money(fen: a.fen - b.fen) }
    package static func += (a: inout Money, b: Money) { a.fen += b.fen }
    package static func -= (a: inout Money, b: Money) { a.fen -= b.fen }

    /// This amount times `numerator / denominator`, rounded half away from zero to the fen.
    /// Used for reimbursement ratios kept as basis points (6500 = 65 %).
    package func scaled(_ numerator: Int64, over denominator: Int64) -> Money {
        precondition(denominator > 0)
        let product = fen * numerator
        let q = product / denominator, r = product % denominator
        let roundAway = 2 * r.magnitude >= UInt64(denominator)
        return Money(fen: roundAway ? q + (product < 0 ? -1 : 1) : q)
    }

    package static func min(_ a: Money, _ b: Money) -> Money { a < b ? a : b }
    package static func max(_ a: Money, _ b: Money) -> Money { a < b ? b : a }
}

/// Decodes the wire's yuan, written either as a string (`"12.34"`) or as a JSON number
/// (`12.34`, as cores do); encodes as a string so no float ever touches it.
extension Money: Codable, DecimalTextDecodable {
    package init?(decimalText text: String) { self.init(yuan: text) }
    package static var expected: String { "a yuan amount with at most two decimals" }
    package init(from decoder: any Decoder) throws { try self.init(decimalTextFrom: decoder) }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(yuan)
    }
}
