import Foundation

/// A fee list as clinic software or `cuntong settle --fees FILE` gives it (DESIGN.md,
/// "fee list"): money in yuan strings, converted to integer fen on reading.
public struct FeeList: Sendable, Hashable, Codable {
    public struct Coded: Sendable, Hashable, Codable {
        public var code: String
        public var name: String
        /// For the department: its code in the platform's 科别 dictionary (2201 `caty`, e.g.
        /// A03 全科医疗科) when the clinic's own department code is not one.
        public var caty: String?
        public init(code: String, name: String, caty: String? = nil) {
            self.code = code
            self.name = name
            self.caty = caty
        }
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
    /// The ICD diagnosis (2203 `diseinfo`).
    public var diagnosis: Coded
    /// 病种: the disease category the visit is settled under (门诊慢特病 and the like; 2203 and
    /// 2204 `dise_codg`). Absent for an ordinary outpatient visit.
    public var diseaseCategory: Coded?
    public var items: [Item]

    public init(department: Coded, doctor: Coded, diagnosis: Coded, diseaseCategory: Coded? = nil, items: [Item]) {
        self.department = department
        self.doctor = doctor
        self.diagnosis = diagnosis
        self.diseaseCategory = diseaseCategory
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
public struct Quantity: Sendable, Hashable, Codable, DecimalTextDecodable, CustomStringConvertible {
    public var tenThousandths: Int64

    public init(tenThousandths: Int64) { self.tenThousandths = tenThousandths }

    public init?(text: String) {
        guard let (negative, whole, frac) = DecimalText.split(text), !negative, whole.count <= 12,
              let f = DecimalText.fraction(frac, places: 4), let w = Int64(whole) else { return nil }
        self.tenThousandths = w * 10_000 + f
    }

    /// `20`, `0.5`, `1.25`.
    public var description: String { DecimalText.format(tenThousandths, places: 4, minimumPlaces: 0) }

    public init?(decimalText text: String) { self.init(text: text) }
    public static var expected: String { "a quantity with at most four decimals" }
    public init(from decoder: any Decoder) throws { try self.init(decimalTextFrom: decoder) }

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
