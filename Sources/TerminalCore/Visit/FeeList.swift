import Foundation

/// A fee list as clinic software or `cuntong settle --fees FILE` gives it (DESIGN.md,
/// "fee list"): money in yuan strings, converted to integer fen on reading.
package struct FeeList: Sendable, Hashable, Codable {
    package struct Coded: Sendable, Hashable, Codable {
        package var code: String
        package var name: String
        /// For the department: its code in the platform's 科别 dictionary (2201 `caty`, e.g.
        /// A03 全科医疗科) when the clinic's own department code is not one.
        package var caty: String?
        package init(code: String, name: String, caty: String? = nil) {
            self.code = code
            self.name = name
            self.caty = caty
        }
    }

    package struct Item: Sendable, Hashable, Codable {
        /// The national catalogue code (医保目录编码) of the drug, service or material
        /// (2204 `med_list_codg`). May be left empty when `clinicCode` is mapped.
        package var code: String
        /// The clinic's own item code (2204 `medins_list_codg`); the catalogue's mapping
        /// gives the national code. Absent in older fee lists: the national code then.
        package var clinicCode: String?
        package var name: String
        /// `drug`, `service`, `material`, …: shown to people, not used for money.
        package var category: String
        package var unitPrice: Money
        package var quantity: Quantity

        package init(code: String, clinicCode: String? = nil, name: String, category: String, unitPrice: Money, quantity: Quantity) {
            self.code = code
            self.clinicCode = clinicCode
            self.name = name
            self.category = category
            self.unitPrice = unitPrice
            self.quantity = quantity
        }

        /// `code` may be left out when `clinicCode` is there (the mapping gives it).
        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            code = try c.decodeIfPresent(String.self, forKey: .code) ?? ""
            clinicCode = try c.decodeIfPresent(String.self, forKey: .clinicCode)
            name = try c.decode(String.self, forKey: .name)
            category = try c.decode(String.self, forKey: .category)
            unitPrice = try c.decode(Money.self, forKey: .unitPrice)
            quantity = try c.decode(Quantity.self, forKey: .quantity)
        }

        /// unitPrice × quantity, rounded to the fen.
        package var amount: Money { unitPrice.scaled(quantity.tenThousandths, over: 10_000) }
    }

    package var department: Coded
    package var doctor: Coded
    /// The ICD diagnosis (2203 `diseinfo`).
    package var diagnosis: Coded
    /// 病种: the disease category the visit is settled under (门诊慢特病 and the like; 2203 and
    /// 2204 `dise_codg`). Absent for an ordinary outpatient visit.
    package var diseaseCategory: Coded?
    package var items: [Item]

    package init(department: Coded, doctor: Coded, diagnosis: Coded, diseaseCategory: Coded? = nil, items: [Item]) {
        self.department = department
        self.doctor = doctor
        self.diagnosis = diagnosis
        self.diseaseCategory = diseaseCategory
        self.items = items
    }

    package var total: Money { items.reduce(.zero) { $0 + $1.amount } }

    package enum Problem: TerminalError, Equatable {
        case unreadable(String)
        case empty
        case badItem(index: Int, reason: String)

        package var code: String {
            switch self {
            case .unreadable: "FEES-UNREADABLE"
            case .empty: "FEES-EMPTY"
            case .badItem: "FEES-BAD-ITEM"
            }
        }

        package var message: String {
            switch self {
            case .unreadable(let why): "The fee list cannot be read: \(why)."
            case .empty: "The fee list has no items: add at least one drug or service."
            case .badItem(let index, let reason): "Fee item \(index + 1) is wrong: \(reason)."
            }
        }
    }

    /// Checks what the JSON shape cannot: at least one item, codes present, prices and
    /// quantities positive.
    package func validated() throws(Problem) -> FeeList {
        guard !items.isEmpty else { throw .empty }
        for (i, item) in items.enumerated() {
            if item.code.trimmingCharacters(in: .whitespaces).isEmpty, (item.clinicCode ?? "").trimmingCharacters(in: .whitespaces).isEmpty {
                throw .badItem(index: i, reason: "it has neither a catalogue code nor the clinic's item code")
            }
            if item.unitPrice.fen <= 0 { throw .badItem(index: i, reason: "its unit price must be more than 0") }
            if item.quantity.tenThousandths <= 0 { throw .badItem(index: i, reason: "its quantity must be more than 0") }
        }
        return self
    }
}

/// A quantity with up to four decimals (the platform's `cnt` is 16,4), kept as an integer
/// number of ten-thousandths.
package struct Quantity: Sendable, Hashable, Codable, DecimalTextDecodable, CustomStringConvertible {
    package var tenThousandths: Int64

    package init(tenThousandths: Int64) { self.tenThousandths = tenThousandths }

    package init?(text: String) {
        guard let (negative, whole, frac) = DecimalText.split(text), !negative, whole.count <= 12,
              let f = DecimalText.fraction(frac, places: 4), let w = Int64(whole) else { return nil }
        self.tenThousandths = w * 10_000 + f
    }

    /// `20`, `0.5`, `1.25`.
    package var description: String { DecimalText.format(tenThousandths, places: 4, minimumPlaces: 0) }

    package init?(decimalText text: String) { self.init(text: text) }
    package static var expected: String { "a quantity with at most four decimals" }
    package init(from decoder: any Decoder) throws { try self.init(decimalTextFrom: decoder) }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        // A whole number stays a JSON number, as in the fee-list format; fractions as text.
        if tenThousandths % 10_000 == 0 {
            try container.encode(tenThousandths / 10_000)
        } else {
            try container.encode(description)
        }
    }
}
