import Foundation

/// Where each kept field of a catalogue file sits (1-based).
package struct CatalogueColumns: Sendable, Hashable, Codable {
    package var key: Int
    package var code: Int?
    /// The name shown: the generic name (通用名) where the list has one.
    package var name: Int
    /// A trade name (商品名), searched as well; shown when `name` is empty.
    package var tradeName: Int?
    package var dosageForm: Int?
    package var spec: Int?
    package var unit: Int?
    package var validFrom: Int?
    package var validTo: Int?
    package var wubi: Int?
    package var pinyin: Int?
    package var manufacturer: Int?
    package var approvalNo: Int?
    package var valid: Int?
    package var updatedAt: Int?
    package var version: Int?
    package var level: Int?

    /// Every column named, as (field, column).
    package var named: [(String, Int)] {
        let all: [(String, Int?)] = [
            ("key", key), ("code", code), ("name", name), ("tradeName", tradeName), ("dosageForm", dosageForm),
            ("spec", spec), ("unit", unit), ("validFrom", validFrom), ("validTo", validTo), ("wubi", wubi),
            ("pinyin", pinyin), ("manufacturer", manufacturer), ("approvalNo", approvalNo), ("valid", valid),
            ("updatedAt", updatedAt), ("version", version), ("level", level)]
        return all.compactMap { name, column in column.map { (name, $0) } }
    }
}
