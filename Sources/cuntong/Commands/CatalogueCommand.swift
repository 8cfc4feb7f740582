import ArgumentParser
import Catalogue
import Config
import Foundation
import Logging
import Settlement
import TerminalCore

struct CatalogueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalogue",
        abstract: "The insurance catalogue on this terminal: download it, search it, map the clinic's items to it.",
        discussion: """
            The catalogue is the national medical-insurance list of drugs (1301), herbal pieces
            (1302), services (1305), materials (1306) and diagnoses (1307), with the city's
            levels (1312), price caps (1318) and self-pay ratios (1319). It is kept in its own
            file ([catalogue] path, default catalogue.sqlite in the state directory). Each fee
            row of a visit is checked against it before anything is sent, and 2204 sends the
            clinic's own item code with the catalogue code it is mapped to.

            Examples:
              cuntong catalogue sync                     download what is new (the daemon does it daily)
              cuntong catalogue sync --list 1301,1305    only these lists
              cuntong catalogue status                   each list's version, rows and age
              cuntong catalogue search amxl              阿莫西林… by pinyin initials, name or code
              cuntong catalogue map YP002 XJ01CAA040E001010101445
              cuntong catalogue upload                   send new mappings to the core (3301/3302)
            """,
        subcommands: [Sync.self, Status.self, Search.self, Map.self, Unmap.self, Mappings.self, Upload.self])

    /// The store of the configuration at `path`, and the configuration.
    static func open(_ path: String) throws -> (TerminalConfig, CatalogueStore) {
        let config = try TerminalConfig.load(path: path)
        return (config, try CatalogueStore(path: config.cataloguePath()))
    }

    static func age(_ date: Date?, now: Date = Date()) -> String {
        guard let date else { return "never" }
        let s = Int(now.timeIntervalSince(date))
        if s < 3600 { return "\(max(s / 60, 0)) min ago" }
        if s < 86_400 { return "\(s / 3600) h ago" }
        return "\(s / 86_400) days ago"
    }

    struct Sync: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download what is new in the catalogue from the city core.",
            discussion: """
                Files (1301–1307) are fetched by version with 9102 and imported whole or not at
                all; pages (1312, 1318, 1319) from the last update time; dictionaries with 1901.
                A list that fails keeps its previous content and the next sync starts again from
                its stored version. On a terminal, progress is shown per list (rows, rows/s).

                Exit status: 0 every list synced; 1 a list failed (named, with the reason).
                JSON keys: lists [{list, ok, added, updated, rows, version, code, error}].
                """)
        @OptionGroup var config: ConfigOption
        @Option(help: "Lists to sync, comma-separated (default: 1301,1302,1305,1306,1307,1312,1318,1319,1901).")
        var list: String?
        @Flag(help: "Print JSON.") var json = false

        struct Line: Encodable {
            var list: String
            var ok: Bool
            var added: Int?
            var updated: Int?
            var rows: Int?
            var version: String?
            var code: String?
            var error: String?
        }

        func run() async throws {
            let lists: [String]
            do { lists = try CatalogueSync.parseLists(list) } catch { throw Output.fail(error) }
            let outcomes: [CatalogueSync.Outcome]
            do {
                let (terminal, store) = try CatalogueCommand.open(config.path)
                let stateDir = terminal.stateDirectory()
                if let priceList = terminal.api?.catalogue {
                    for problem in (try? await store.seed(priceList: priceList, now: Date())) ?? [] {
                        Output.error("price list mapping not taken: \(problem)")
                    }
                }
                let showProgress = !json && isatty(STDERR_FILENO) == 1
                outcomes = try await withSettlementClient(config.path) { client in
                    var sync = CatalogueSync(client: client, store: store, workDirectory: stateDir + "/catalogue-download")
                    sync.pageSize = terminal.catalogue?.page_size ?? 1000
                    return await sync.run(lists: lists) { event in
                        guard showProgress, case .rows(let list, let n, let since) = event else { return }
                        let rate = Double(n) / max(Date().timeIntervalSince(since), 0.001)
                        FileHandle.standardError.write(Data("\r\(list): \(n) rows, \(Int(rate)) rows/s   ".utf8))
                    }
                }
                if showProgress { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                // Mappings whose code arrived with this sync.
                if let priceList = terminal.api?.catalogue { _ = try? await store.seed(priceList: priceList, now: Date()) }
            } catch {
                throw Output.fail(any: error)
            }
            var lines: [Line] = []
            for o in outcomes {
                switch o.result {
                case .success(let r):
                    lines.append(Line(list: o.list, ok: true, added: r.added, updated: r.updated, rows: r.rows, version: r.version))
                case .failure(let e):
                    lines.append(Line(list: o.list, ok: false, code: e.code, error: e.message))
                }
            }
            if json {
                struct Out: Encodable { var lists: [Line] }
                Output.line(Output.json(Out(lists: lines)))
            } else {
                for l in lines {
                    if l.ok {
                        Output.line("\(l.list): \(l.added ?? 0) added, \(l.updated ?? 0) updated"
                                    + (l.version.map { ", version \($0)" } ?? ""))
                    } else {
                        Output.line("\(l.list): FAILED [\(l.code ?? "")] \(l.error ?? "")")
                    }
                }
            }
            for l in lines where !l.ok { Output.error("list \(l.list) not synced: \(l.error ?? "")") }
            if lines.contains(where: { !$0.ok }) { throw ExitCode(1) }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each catalogue list's version, rows and age.",
            discussion: "JSON keys: path, present, lists [{list, version, rows, syncedAt, ageSeconds}].")
        @OptionGroup var config: ConfigOption
        @Flag(help: "Print JSON.") var json = false

        struct ListLine: Encodable {
            var list: String
            var version: String?
            var rows: Int
            var syncedAt: String?
            var ageSeconds: Int?
        }

        func run() async throws {
            do {
                let terminal = try TerminalConfig.load(path: config.path)
                let path = terminal.cataloguePath()
                let states = CatalogueStore.exists(at: path) ? try await CatalogueStore(path: path).states() : []
                let now = Date()
                let lines = states.map { s in
                    ListLine(list: s.list, version: s.version, rows: s.rows, syncedAt: s.syncedAt.map(WireTime.infTime),
                             ageSeconds: s.syncedAt.map { Int(now.timeIntervalSince($0)) })
                }
                if json {
                    struct Out: Encodable { var path: String; var present: Bool; var lists: [ListLine] }
                    Output.line(Output.json(Out(path: path, present: !lines.isEmpty, lists: lines)))
                } else if lines.isEmpty {
                    Output.line("No catalogue yet (\(path)): fees are not checked. Run `cuntong catalogue sync`.")
                } else {
                    for (l, s) in zip(lines, states) {
                        Output.line("\(l.list)\t\(l.rows) rows\tversion \(l.version ?? "-")\tsynced \(CatalogueCommand.age(s.syncedAt, now: now))")
                    }
                }
            } catch {
                throw Output.fail(any: error)
            }
        }
    }

    struct Search: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Find a catalogue entry by code prefix, name, or pinyin initials.",
            discussion: """
                The clinic's mapped items come first. Examples: `search amxl` (阿莫西林…),
                `search 对乙酰`, `search XN02BE`, `search J06 --kind diagnosis`.
                JSON keys of a result: code, name, kind, listType, level (甲/乙/丙 or null), spec,
                unit, manufacturer, validFrom, validTo, priceCap, selfPayRatio, clinicItems.
                """)
        @OptionGroup var config: ConfigOption
        @Argument(help: "What to look for.") var text: String
        @Option(help: "drug, herb, service, material or diagnosis.") var kind: CatalogueList.Kind?
        @Option(help: "At most this many results.") var limit = 20
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            do {
                let (_, store) = try CatalogueCommand.open(config.path)
                let hits = try await store.search(text, kind: kind, limit: limit)
                if json {
                    Output.line(Output.json(hits.map(SearchResultView.init)))
                } else if hits.isEmpty {
                    Output.line("Nothing in the catalogue matches \"\(text)\".")
                } else {
                    for h in hits { Output.line(SearchResultView(h).text) }
                }
            } catch {
                throw Output.fail(any: error)
            }
        }
    }
}

extension CatalogueList.Kind: ExpressibleByArgument {}

/// A search result as the CLI and the API show it.
struct SearchResultView: Encodable {
    var code: String
    var name: String
    var kind: String
    var listType: String?
    var level: String?
    var spec: String?
    var unit: String?
    var manufacturer: String?
    var validFrom: String?
    var validTo: String?
    var priceCap: String?
    var selfPayRatio: String?
    var clinicItems: [String]

    init(_ e: CatalogueEntry) {
        code = e.code; name = e.name; kind = e.kind; listType = e.listType; level = e.level; spec = e.spec; unit = e.unit
        manufacturer = e.manufacturer; validFrom = e.validFrom; validTo = e.validTo
        priceCap = e.priceCapFen.map { Money(fen: $0).yuan }; selfPayRatio = e.selfPayRatio; clinicItems = e.clinicItems
    }

    func encode(to encoder: any Encoder) throws {
        // Every key present, null where unknown: a script reads the same shape every time.
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code, forKey: .code); try c.encode(name, forKey: .name); try c.encode(kind, forKey: .kind)
        try c.encode(listType, forKey: .listType); try c.encode(level, forKey: .level); try c.encode(spec, forKey: .spec)
        try c.encode(unit, forKey: .unit); try c.encode(manufacturer, forKey: .manufacturer)
        try c.encode(validFrom, forKey: .validFrom); try c.encode(validTo, forKey: .validTo)
        try c.encode(priceCap, forKey: .priceCap); try c.encode(selfPayRatio, forKey: .selfPayRatio)
        try c.encode(clinicItems, forKey: .clinicItems)
    }

    enum CodingKeys: String, CodingKey {
        case code, name, kind, listType, level, spec, unit, manufacturer, validFrom, validTo, priceCap, selfPayRatio, clinicItems
    }

    var text: String {
        var parts = ["\(code)\t\(name)"]
        if let spec { parts.append(spec) }
        parts.append("[\(kind)\(level.map { " \($0)类" } ?? "")]")
        if let manufacturer { parts.append(manufacturer) }
        if let priceCap { parts.append("cap \(priceCap)") }
        if let selfPayRatio { parts.append("先自付 \(selfPayRatio)") }
        if validTo != nil || validFrom != nil { parts.append("valid \(validFrom ?? "…")–\(validTo ?? "…")") }
        if !clinicItems.isEmpty { parts.append("clinic: \(clinicItems.joined(separator: ","))") }
        return parts.joined(separator: "  ")
    }
}
