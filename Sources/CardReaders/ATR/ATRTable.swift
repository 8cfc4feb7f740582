import Foundation

/// Known cards by ATR, as data (`Profiles/atr-table.json`): an exact ATR, or an ATR and a
/// mask. A card that is not in the table is still read; the table only names it.
public struct ATRTable: Sendable, Decodable {
    public struct Entry: Sendable, Decodable, Hashable {
        public let atr: String
        public let mask: String?
        public let description: String
        /// `socialSecurityCard`, `bankCard`, `simulator`, …
        public let kind: String
        /// The card application (registry name, e.g. `SSSE`) to try first for this ATR.
        public let application: String?
    }

    public let entries: [Entry]

    public static let builtIn: ATRTable = {
        do {
            return try JSONDecoder().decode(ATRTable.self, from: Data(PackageResources.atr_table_json))
        } catch {
            fatalError("built-in atr-table.json does not parse: \(error)")
        }
    }()

    public func match(_ atr: [UInt8]) -> Entry? {
        entries.first { entry in
            guard let pattern = Hex.bytes(entry.atr), pattern.count == atr.count else { return false }
            let mask = entry.mask.flatMap(Hex.bytes) ?? [UInt8](repeating: 0xFF, count: pattern.count)
            guard mask.count == pattern.count else { return false }
            return zip(zip(atr, pattern), mask).allSatisfy { pair, m in pair.0 & m == pair.1 & m }
        }
    }
}
