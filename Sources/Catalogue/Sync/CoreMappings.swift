import Foundation
import Settlement

/// What the core has matched for this institution (1317), every page.
package enum CoreMappings {
    package struct Row: Sendable, Hashable {
        package var clinicCode: String
        package var clinicName: String?
        package var code: String
        package var listType: String?
        /// False where the core says the match is no longer valid (vali_flag 0).
        package var valid: Bool
    }

    package static func fetch(_ client: SettlementClient, institution: String, pageSize: Int = 500) async throws(CatalogueError) -> [Row] {
        var rows: [Row] = []
        var page = 1, pages = 1
        repeat {
            let out: PageOutput
            do {
                out = try await client.cataloguePage(.mappingQuery, PagedQueryInput(
                    updtTime: "2000-01-01", pageNum: page, pageSize: pageSize, filters: ["fixmedins_code": institution]))
            } catch {
                throw .core(list: "1317", error)
            }
            if page == 1 {
                if let p = out.pages { pages = p } else if let n = out.recordCounts { pages = (n + pageSize - 1) / pageSize }
                else if out.rows.count >= pageSize { throw .badPage(list: "1317", page: 1, detail: "says neither how many pages nor how many rows there are") }
            }
            rows += out.rows.compactMap { r in
                guard let item = r["medins_list_codg"] ?? r["fixmedins_hilist_id"], let code = r["med_list_codg"] else { return nil }
                return Row(clinicCode: item, clinicName: r["medins_list_name"] ?? r["fixmedins_hilist_name"], code: code,
                           listType: r["list_type"], valid: r["vali_flag"] != "0")
            }
            page += 1
        } while page <= pages
        return rows
    }
}
