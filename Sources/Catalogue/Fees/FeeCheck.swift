import Foundation
import TerminalCore

/// Why a fee row is refused before anything is sent, naming the item.
package enum FeeRefusal: TerminalError, Equatable {
    case notInCatalogue(item: String, code: String)
    case expired(item: String, code: String, detail: String)
    case notMapped(item: String, code: String, detail: String)

    package var code: String {
        switch self {
        case .notInCatalogue: "FEE-NOT-IN-CATALOGUE"
        case .expired: "FEE-EXPIRED"
        case .notMapped: "FEE-NOT-MAPPED"
        }
    }

    package var message: String {
        switch self {
        case .notInCatalogue(let item, let code):
            "\(item): its insurance code \(code) is not in the catalogue. Find the right code with `cuntong catalogue search` and map the item to it (`cuntong catalogue map`). Nothing was sent."
        case .expired(let item, let code, let detail):
            "\(item): its insurance code \(code) is \(detail). Map the item to a code that is valid today. Nothing was sent."
        case .notMapped(let item, let code, let detail):
            "\(item): \(detail) (insurance code \(code)). Map it with `cuntong catalogue map ITEM_CODE \(code)` and upload the mapping. Nothing was sent."
        }
    }
}

/// What the catalogue says about one fee row, for the pre-settlement view.
package struct FeeRowInfo: Sendable, Hashable, Codable {
    package var clinicCode: String
    package var code: String
    package var name: String
    /// 甲, 乙, 丙.
    package var level: String?
    /// 先自付比例, as the core wrote it.
    package var selfPayRatio: String?
    package var priceCapFen: Int64?
    /// A warning in words (over the price cap), or nil.
    package var warning: String?
}

/// Checks a visit's fee rows against the catalogue and the clinic's mapping, and fills in
/// both codes of each row: `clinicCode` (2204 `medins_list_codg`) and `code` (`med_list_codg`).
/// With no catalogue downloaded yet (a terminal just provisioned) rows pass as they are.
package struct FeeCheck: Sendable {
    package let store: CatalogueStore?

    package init(store: CatalogueStore?) { self.store = store }

    package struct Checked: Sendable {
        package var fees: FeeList
        package var rows: [FeeRowInfo]
        /// False when there is no catalogue: nothing was checked.
        package var checked: Bool
    }

    package func check(_ fees: FeeList, day: String) async throws -> Checked {
        guard let store, !(try await store.isEmpty()) else {
            // No catalogue yet: nothing is checked, but the codes are completed from the
            // mapping where it knows them (the price list's, or a person's).
            var out = fees
            for i in out.items.indices {
                var item = out.items[i]
                if let clinic = item.clinicCode, !clinic.isEmpty {
                    if item.code.isEmpty {
                        guard let m = try await store?.mapping(forClinicCode: clinic) else {
                            throw FeeRefusal.notMapped(item: "Item \(i + 1) (\(item.name))", code: "—",
                                                       detail: "the clinic's item \(clinic) has no insurance code")
                        }
                        item.code = m.hilistCode
                    }
                } else {
                    item.clinicCode = try await store?.clinicCodes(for: item.code).first ?? item.code
                }
                out.items[i] = item
            }
            return Checked(fees: out, rows: out.items.map {
                FeeRowInfo(clinicCode: $0.clinicCode ?? $0.code, code: $0.code, name: $0.name)
            }, checked: false)
        }
        var out = fees
        var rows: [FeeRowInfo] = []
        for i in out.items.indices {
            var item = out.items[i]
            let label = "Item \(i + 1) (\(item.name))"
            // A catalogue code the catalogue does not have is the first thing to fix.
            if !item.code.isEmpty, try await store.entry(code: item.code) == nil {
                throw FeeRefusal.notInCatalogue(item: label, code: item.code)
            }
            // Which codes: the clinic's own code through the mapping, or the catalogue code
            // through the clinic items mapped to it.
            if let clinic = item.clinicCode, !clinic.isEmpty {
                guard let m = try await store.mapping(forClinicCode: clinic) else {
                    throw FeeRefusal.notMapped(item: label, code: item.code.isEmpty ? "—" : item.code,
                                               detail: "the clinic's item \(clinic) is not mapped to an insurance code")
                }
                if !item.code.isEmpty, item.code != m.hilistCode {
                    throw FeeRefusal.notMapped(item: label, code: item.code,
                                               detail: "the clinic's item \(clinic) is mapped to \(m.hilistCode), not to the code the fee list gives")
                }
                item.code = m.hilistCode
            } else {
                guard let clinic = try await store.clinicCodes(for: item.code).first else {
                    throw FeeRefusal.notMapped(item: label, code: item.code, detail: "no item of the clinic is mapped to it")
                }
                item.clinicCode = clinic
            }
            guard let entry = try await store.entry(code: item.code) else {
                throw FeeRefusal.notInCatalogue(item: label, code: item.code)
            }
            if entry.validFlag == "0" {
                throw FeeRefusal.expired(item: label, code: item.code, detail: "marked no longer valid in the catalogue")
            }
            if let to = entry.validTo, to < day {
                throw FeeRefusal.expired(item: label, code: item.code, detail: "valid only until \(to)")
            }
            if let from = entry.validFrom, from > day {
                throw FeeRefusal.expired(item: label, code: item.code, detail: "valid only from \(from)")
            }
            var warning: String?
            if let cap = entry.priceCapFen, item.unitPrice.fen > cap {
                let handling = await entry.overCapHandling.asyncFlatMap { await store.label("overlmt_dspo_way", $0) ?? "handling \($0)" }
                warning = "unit price \(item.unitPrice.yuan) is over the cap of \(Money(fen: cap).yuan) yuan"
                    + (handling.map { "; the core will apply: \($0)" } ?? "; the core decides what is paid above it")
            }
            out.items[i] = item
            rows.append(FeeRowInfo(clinicCode: item.clinicCode ?? item.code, code: item.code, name: item.name,
                                   level: entry.level, selfPayRatio: entry.selfPayRatio, priceCapFen: entry.priceCapFen,
                                   warning: warning))
        }
        return Checked(fees: out, rows: rows, checked: true)
    }
}

extension Optional {
    func asyncFlatMap<U>(_ transform: (Wrapped) async -> U?) async -> U? {
        guard let self else { return nil }
        return await transform(self)
    }
}
