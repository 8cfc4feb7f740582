import Foundation

/// A fee list as clinic software or `cuntong settle --fees FILE` gives it (DESIGN.md,
/// "fee list"): money in yuan strings, converted to integer fen on reading.
public struct FeeList: Sendable, Hashable, Codable {
    public struct Coded: Sendable, Hashable, Codable {
        public var code: String
        public var name: String
        public init(code: String, name: String) { self.code = code; self.name = name }
    }

    public struct Item: Sendable, Hashable, Codable {
        /// The national catalogue code (医保目录编码) of the drug, service or material.
        public var code: String
        public var name: String
        /// `drug`, `service`, `material`, …: shown to people, not used for money.
        public var category: String
        public var unitPrice: Money
        public var quantity: Quantity

        public init(code: String, name: String, category: String, unitPrice: Money, quantity: Quantity) {
            self.code = code
            self.name = name
            self.category = category
            self.unitPrice = unitPrice
            self.quantity = quantity
        }

        /// unitPrice × quantity, rounded to the fen.
        public var amount: Money { unitPrice.scaled(quantity.tenThousandths, over: 10_000) }
    }

    public var department: Coded
    public var doctor: Coded
    public var diagnosis: Coded
    public var items: [Item]

    public init(department: Coded, doctor: Coded, diagnosis: Coded, items: [Item]) {
        self.department = department
        self.doctor = doctor
        self.diagnosis = diagnosis
        self.items = items
    }

    public var total: Money { items.reduce(.zero) { $0 + $1.amount } }

    public enum Problem: TerminalError, Equatable {
        case unreadable(String)
        case empty
        case badItem(index: Int, reason: String)

        public var code: String {
            switch self {
            case .unreadable: "FEES-UNREADABLE"
            case .empty: "FEES-EMPTY"
            case .badItem: "FEES-BAD-ITEM"
            }
        }

        public var message: String {
            switch self {
            case .unreadable(let why): "The fee list cannot be read: \(why)."
            case .empty: "The fee list has no items: add at least one drug or service."
            case .badItem(let index, let reason): "Fee item \(index + 1) is wrong: \(reason)."
            }
        }
    }

    /// Checks what the JSON shape cannot: at least one item, codes present, prices and
    /// quantities positive.
    public func validated() throws(Problem) -> FeeList {
        guard !items.isEmpty else { throw .empty }
        for (i, item) in items.enumerated() {
            if item.code.trimmingCharacters(in: .whitespaces).isEmpty {
                throw .badItem(index: i, reason: "it has no catalogue code")
            }
            if item.unitPrice.fen <= 0 { throw .badItem(index: i, reason: "its unit price must be more than 0") }
            if item.quantity.tenThousandths <= 0 { throw .badItem(index: i, reason: "its quantity must be more than 0") }
        }
        return self
    }
}

/// A quantity with up to four decimals (the platform's `cnt` is 16,4), kept as an integer
/// number of ten-thousandths.
public struct Quantity: Sendable, Hashable, Codable, CustomStringConvertible {
    public var tenThousandths: Int64

    public init(tenThousandths: Int64) { self.tenThousandths = tenThousandths }

    public init?(text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]), whole >= 0, parts[0].allSatisfy(\.isNumber) else { return nil }
        var frac: Int64 = 0
        if parts.count == 2 {
            guard (1...4).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber }),
                let f = Int64(parts[1].padding(toLength: 4, withPad: "0", startingAt: 0))
            else { return nil }
            frac = f
        }
        self.tenThousandths = whole * 10_000 + frac
    }

    /// `20`, `0.5`, `1.25`.
    public var description: String {
        let whole = tenThousandths / 10_000, frac = tenThousandths % 10_000
        guard frac != 0 else { return String(whole) }
        var digits = String(frac)
        digits = String(repeating: "0", count: 4 - digits.count) + digits
        while digits.hasSuffix("0") { digits.removeLast() }
        return "\(whole).\(digits)"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text: String
        if let s = try? container.decode(String.self) {
            text = s
        } else {
            text = try container.decode(Decimal.self).plainText
        }
        guard let q = Quantity(text: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a quantity with at most four decimals: \(text)")
        }
        self = q
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        // A whole number stays a JSON number, as in the fee-list format; fractions as text.
        if tenThousandths % 10_000 == 0 {
            try container.encode(tenThousandths / 10_000)
        } else {
            try container.encode(description)
        }
    }
}
