import Foundation
import Logging
import Settlement
import TerminalCore

/// Brings the terminal's catalogue up to the core's: each file list by version (130x, then
/// 9102 for the file), each paged list from its last update time, and the dictionaries the
/// views need. Lists are independent: one that fails is left as it was and the others go on.
package struct CatalogueSync: Sendable {
    package let client: SettlementClient
    package let store: CatalogueStore
    /// Where downloads are written before they are imported (removed after).
    package let workDirectory: String
    package var pageSize = 1000
    let log: Logger
    let now: @Sendable () -> Date

    /// The lists a sync takes when none are named: the five files, the three paged lists, the dictionaries.
    package static let defaultLists = CatalogueList.all.map(\.infno) + PagedList.allCases.map(\.rawValue) + ["1901"]
    /// The dictionaries the views need (1901 `type`).
    package static let dictionaryTypes = ["list_type", "chrgitm_lv", "med_chrgitm_type", "overlmt_dspo_way"]

    package init(client: SettlementClient, store: CatalogueStore, workDirectory: String,
                 logger: Logger = Logger(label: "cuntong.catalogue"), now: @escaping @Sendable () -> Date = Date.init) {
        self.client = client
        self.store = store
        self.workDirectory = workDirectory
        self.log = logger
        self.now = now
    }

    package enum Event: Sendable {
        case started(list: String, title: String)
        /// Rows read so far in this list, and since when.
        case rows(list: String, count: Int, since: Date)
        case finished(CatalogueStore.ImportResult)
        case failed(list: String, CatalogueError)
    }

    package struct Outcome: Sendable {
        package var list: String
        package var result: Result<CatalogueStore.ImportResult, CatalogueError>
    }

    /// Checks list names before anything is sent.
    package static func parseLists(_ text: String?) throws(CatalogueError) -> [String] {
        guard let text, !text.isEmpty else { return defaultLists }
        let names = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for n in names where !defaultLists.contains(n) { throw .unknownList(n) }
        return names
    }

    package func run(lists: [String], events: @escaping @Sendable (Event) -> Void = { _ in }) async -> [Outcome] {
        var outcomes: [Outcome] = []
        for name in lists {
            let result: Result<CatalogueStore.ImportResult, CatalogueError>
            do throws(CatalogueError) {
                if let list = CatalogueList.named(name) {
                    events(.started(list: name, title: list.title))
                    result = .success(try await syncFile(list, events: events))
                } else if let paged = PagedList(rawValue: name) {
                    events(.started(list: name, title: paged.title))
                    result = .success(try await syncPages(paged, events: events))
                } else if name == "1901" {
                    events(.started(list: name, title: "字典"))
                    result = .success(try await syncDictionaries())
                } else {
                    throw .unknownList(name)
                }
            } catch {
                result = .failure(error)
            }
            switch result {
            case .success(let r): events(.finished(r))
            case .failure(let e):
                log.error("catalogue list not synced; the previous one is kept", metadata: ["list": "\(name)", "code": "\(e.code)"])
                events(.failed(list: name, e))
            }
            outcomes.append(Outcome(list: name, result: result))
        }
        return outcomes
    }

    /// Every version after the stored one, oldest first, each imported whole or not at all.
    func syncFile(_ list: CatalogueList, events: @escaping @Sendable (Event) -> Void) async throws(CatalogueError) -> CatalogueStore.ImportResult {
        var total = CatalogueStore.ImportResult(list: list.infno)
        total.version = try await store.state(list.infno)?.version
        // A core that keeps naming the same version would loop for ever: at most 200 versions a sync.
        for _ in 0..<200 {
            let ver = total.version ?? "0"
            let file: CatalogueFileOutput
            do { file = try await client.catalogueFile(list.transaction, after: ver) } catch { throw .core(list: list.infno, error) }
            guard file.hasFile, let queryNo = file.fileQueryNo, let filename = file.filename else { break }
            do { try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true) } catch {
                throw .store("the download directory \(workDirectory) cannot be made: \(error.localizedDescription)")
            }
            let zip = URL(fileURLWithPath: workDirectory).appendingPathComponent("\(list.infno)-\(UUID().uuidString).zip")
            defer { try? FileManager.default.removeItem(at: zip) }
            do { _ = try await client.downloadFile(fileQueryNo: queryNo, filename: filename, to: zip) } catch {
                throw .core(list: list.infno, error)
            }
            let started = now()
            let r = try await store.importFile(list, zip: zip, now: now(), logger: log) { n in
                events(.rows(list: list.infno, count: n, since: started))
            }
            total.added += r.added
            total.updated += r.updated
            total.rows = r.rows + total.rows
            guard let v = r.version, VersionOrder.isNewer(v, than: total.version) else {
                // A file without a newer version number cannot move the sync on: stop here.
                log.notice("the catalogue file names no newer version; stopping this list", metadata: ["list": "\(list.infno)"])
                break
            }
            total.version = v
        }
        return total
    }

    /// Pages of rows updated since the stored update time, staged, then applied at once.
    func syncPages(_ list: PagedList, events: @escaping @Sendable (Event) -> Void) async throws(CatalogueError) -> CatalogueStore.ImportResult {
        // The spec's updt_time is a date: the day of the newest row held (that day's rows come
        // again and are upserted), or one long before any catalogue.
        let since = (try await store.state(list.rawValue)?.updtTime).map { String($0.prefix(10)) } ?? "2000-01-01"
        try await store.clearStage(list)
        var page = 1, pages = 1, seq = 0
        let started = now()
        repeat {
            let out: PageOutput
            do { out = try await client.cataloguePage(list.transaction, PagedQueryInput(updtTime: since, pageNum: page, pageSize: pageSize)) } catch {
                throw .core(list: list.rawValue, error)
            }
            if page == 1 {
                if let p = out.pages { pages = p }
                else if let n = out.recordCounts { pages = (n + pageSize - 1) / pageSize }
                else if out.rows.count >= pageSize { throw .badPage(list: list.rawValue, page: page, detail: "says neither how many pages nor how many rows there are") }
                else { pages = 1 }
            }
            try await store.stage(list, rows: out.rows, from: seq)
            seq += out.rows.count
            events(.rows(list: list.rawValue, count: seq, since: started))
            page += 1
        } while page <= pages
        return try await store.applyStage(list, now: now())
    }

    func syncDictionaries() async throws(CatalogueError) -> CatalogueStore.ImportResult {
        var total = CatalogueStore.ImportResult(list: "1901")
        let day = WireTime.day(now())
        for type in Self.dictionaryTypes {
            let rows: [LooseRow]
            do { rows = try await client.dictionary(type: type, date: day) } catch { throw .core(list: "1901 \(type)", error) }
            total.rows += try await store.replaceDictionary(type: type, rows: rows, now: now())
        }
        total.added = total.rows
        try await store.markSynced("1901", rows: total.rows, now: now())
        return total
    }
}

extension CatalogueStore {
    func markSynced(_ list: String, rows: Int, now: Date) async throws(CatalogueError) {
        try await write { db in
            try Self.saveState(db, list: list, version: nil, updtTime: nil, now: now, added: rows, updated: 0, rows: rows)
        }
    }
}
