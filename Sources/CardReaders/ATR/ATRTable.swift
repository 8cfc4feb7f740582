import Foundation

/// Known cards by ATR, as data (`Profiles/atr-table.json`): an exact ATR, or an ATR and a
/// mask. A card that is not in the table is still read; the table only names it.
package struct ATRTable: Sendable, Decodable {
    package struct Entry: Sendable, Decodable, Hashable {
        package let atr: String
        package let mask: String?
        package let description: String
        /// `socialSecurityCard`, `bankCard`, `simulator`, …
        package let kind: String
        /// The card application (registry name, e.g. `SSSE`) to try first for this ATR.
        package let application: String?
    }

    package let entries: [Entry]

    package static let builtIn: ATRTable = {
        do {
            return try JSONDecoder().decode(ATRTable.self, from: Data(PackageResources.atr_table_json))
        } catch {
            fatalError("built-in atr-table.json does not parse: \(error)")
        }
    }()

    package func match(_ atr: [UInt8]) -> Entry? {
        entries.first { entry in
            guard let pattern = Hex.bytes(entry.atr), pattern.count == atr.count else { return false }
            let mask = entry.mask.flatMap(Hex.bytes) ?? [UInt8](repeating: 0xFF, count: pattern.count)
            guard mask.count == pattern.count else { return false }
            return zip(zip(atr, pattern), mask).allSatisfy { pair, m in pair.0 & m == pair.1 & m }
        }
    }
}
