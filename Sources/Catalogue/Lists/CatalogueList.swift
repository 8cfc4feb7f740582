import Foundation
import Settlement

/// One of the catalogue files (1301–1307) and the columns the terminal keeps of it, read from
/// `catalogue-lists.json` (data: a city whose files differ is fixed there).
package struct CatalogueList: Sendable, Hashable, Codable {
    package enum Kind: String, Sendable, Codable, CaseIterable {
        case drug, herb, service, material, diagnosis
    }

    package typealias Columns = CatalogueColumns

    package var infno: String
    package var title: String
    package var kind: Kind
    /// The platform's `list_type` for this list (3301 sends it).
    package var listType: String
    /// Columns the spec documents: a file row with fewer is refused, more are kept as known.
    package var documentedColumns: Int
    package var columns: Columns

    package var transaction: Transaction { Transaction(rawValue: infno)! }

    struct File: Decodable {
        struct Entry: Decodable {
            var title: String
            var kind: Kind
            var listType: String
            var documentedColumns: Int
            var columns: Columns
        }
        var lists: [String: Entry]
    }

    /// The five lists, in the order a sync takes them.
    package static let all: [CatalogueList] = {
        let file = try! JSONDecoder().decode(File.self, from: Data(PackageResources.catalogue_lists_json))
        return file.lists.keys.sorted().map { infno in
            let e = file.lists[infno]!
            precondition(Transaction(rawValue: infno) != nil, "catalogue-lists.json names \(infno), which is no transaction")
            return CatalogueList(infno: infno, title: e.title, kind: e.kind, listType: e.listType,
                                 documentedColumns: e.documentedColumns, columns: e.columns)
        }
    }()

    package static func named(_ infno: String) -> CatalogueList? { all.first { $0.infno == infno } }
    package static func of(kind: Kind) -> CatalogueList? { all.first { $0.kind == kind } }
}

/// The paged lists (1312, 1318, 1319) the terminal keeps, by update time.
package enum PagedList: String, Sendable, CaseIterable {
    case insuranceList = "1312"
    case priceCaps = "1318"
    case selfPayRatios = "1319"

    package var transaction: Transaction { Transaction(rawValue: rawValue)! }

    package var title: String {
        switch self {
        case .insuranceList: "医保目录"
        case .priceCaps: "限价"
        case .selfPayRatios: "先自付比例"
        }
    }
}
