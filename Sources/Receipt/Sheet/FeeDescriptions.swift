import Catalogue
import Foundation
import TerminalCore

/// Where a fee row's name, level and kind come from. 2204 sends codes only (the journal
/// keeps no names), so the sheet asks, in order: the clinic's price list (`[api] catalogue`,
/// by the clinic's code, then the catalogue code), the catalogue store's mapping of the
/// clinic's code (its name), and the catalogue store's entry of the code (the national
/// name, 甲/乙/丙, the list it is in). With none of them the code itself is printed.
package struct FeeDescriptions: Sendable {
    package struct PriceListItem: Sendable, Equatable, Decodable {
        package var code: String?
        package var clinicCode: String?
        package var name: String?
        package var category: String?

        package init(code: String?, clinicCode: String?, name: String?, category: String?) {
            self.code = code
            self.clinicCode = clinicCode
            self.name = name
            self.category = category
        }
    }

    /// What is known about one row's item.
    struct Description: Sendable {
        var name: String?
        var level: String?
        var priceListCategory: String?
        var catalogueKind: String?
    }

    let store: CatalogueStore?
    let priceList: [PriceListItem]

    /// `store`: the terminal's catalogue (nil when none was downloaded); `priceList`: the
    /// items of the clinic's price list.
    package init(store: CatalogueStore? = nil, priceList: [PriceListItem] = []) {
        self.store = store
        self.priceList = priceList
    }

    /// No source: every row is printed by its code.
    package static let none = FeeDescriptions()

    /// The items of a price list file (`[api] catalogue`: `{"items": [{code, clinicCode, name,
    /// category, …}]}`); an unreadable file gives none (the sheet then prints codes, and says so).
    package static func priceList(path: String) -> [PriceListItem] {
        struct File: Decodable { var items: [PriceListItem]? }
        guard let data = FileManager.default.contents(atPath: path),
              let file = try? JSONDecoder().decode(File.self, from: data) else { return [] }
        return file.items ?? []
    }

    func describe(code: String, clinicCode: String?) async -> Description {
        var d = Description()
        let listed = clinicCode.flatMap { c in priceList.first { $0.clinicCode == c } }
            ?? priceList.first { !code.isEmpty && $0.code == code }
        d.name = Self.clean(listed?.name)
        d.priceListCategory = listed?.category
        if let store {
            if d.name == nil, let clinicCode, let mapping = try? await store.mapping(forClinicCode: clinicCode) {
                d.name = Self.clean(mapping.clinicName)
            }
            if !code.isEmpty, let entry = try? await store.entry(code: code) {
                if d.name == nil { d.name = Self.clean(entry.name) }
                d.level = entry.level.flatMap(ChargeLevel.normalized)
                d.catalogueKind = entry.kind
            }
        }
        return d
    }

    static func clean(_ name: String?) -> String? {
        guard let t = name?.trimmingCharacters(in: .whitespacesAndNewlines), !t.isEmpty else { return nil }
        return t
    }
}
