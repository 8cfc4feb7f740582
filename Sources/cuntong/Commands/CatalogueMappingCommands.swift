import ArgumentParser
import Catalogue
import Config
import Foundation
import Settlement
import TerminalCore

extension CatalogueCommand {
    struct Map: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Map one of the clinic's items to a catalogue code.",
            discussion: "The code must be in the downloaded catalogue. `upload` then sends the mapping to the core (3301).")
        @OptionGroup var config: ConfigOption
        @Argument(help: "The clinic's own item code (medins_list_codg).") var itemCode: String
        @Argument(help: "The catalogue code (med_list_codg / hilist_code).") var hilistCode: String
        @Option(help: "The item's name in the clinic's list.") var name: String?

        func run() async throws {
            do {
                let (_, store) = try CatalogueCommand.open(config.path)
                let m = try await store.map(clinicCode: itemCode, clinicName: name, to: hilistCode, now: Date())
                let entry = try await store.entry(code: m.hilistCode)
                Output.line("\(m.clinicCode) → \(m.hilistCode)\(entry.map { " \($0.name)" } ?? ""): \(m.state == .local ? "to upload (`cuntong catalogue upload`)" : m.state.rawValue)")
            } catch {
                throw Output.fail(any: error)
            }
        }
    }

    struct Unmap: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Remove the mapping of one of the clinic's items.",
            discussion: "A mapping the core already has is revoked there by the next `upload` (3302).")
        @OptionGroup var config: ConfigOption
        @Argument(help: "The clinic's own item code.") var itemCode: String

        func run() async throws {
            do {
                let (_, store) = try CatalogueCommand.open(config.path)
                try await store.unmap(clinicCode: itemCode, now: Date())
                Output.line("\(itemCode): unmapped")
            } catch {
                throw Output.fail(any: error)
            }
        }
    }

    struct Mappings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The clinic's items and the catalogue codes they are mapped to.",
            discussion: """
                --core reads back what the core has matched for this institution (1317).
                JSON keys: mappings [{itemCode, itemName, code, name, listType, source, state, uploadedAt}].
                """)
        @OptionGroup var config: ConfigOption
        @Flag(help: "Ask the core what it has (1317) instead.") var core = false
        @Flag(help: "Print JSON.") var json = false

        struct Line: Encodable {
            var itemCode: String
            var itemName: String?
            var code: String
            var name: String?
            var listType: String?
            var source: String
            var state: String
            var uploadedAt: String?
        }

        func run() async throws {
            do {
                let (terminal, store) = try CatalogueCommand.open(config.path)
                var lines: [Line] = []
                if core {
                    lines = try await withSettlementClient(config.path) { client in
                        try await CoreMappings.fetch(client, institution: terminal.institution.code).map { r in
                            Line(itemCode: r.clinicCode, itemName: r.clinicName, code: r.code, name: nil, listType: r.listType,
                                 source: "core", state: r.valid ? "matched" : "invalid")
                        }
                    }
                } else {
                    if let priceList = terminal.api?.catalogue { _ = try? await store.seed(priceList: priceList, now: Date()) }
                    for m in try await store.mappings() {
                        let entry = try await store.entry(code: m.hilistCode)
                        lines.append(Line(itemCode: m.clinicCode, itemName: m.clinicName, code: m.hilistCode, name: entry?.name,
                                          listType: m.listType, source: m.source, state: m.state.rawValue,
                                          uploadedAt: m.uploadedAt.map(WireTime.infTime)))
                    }
                }
                if json {
                    struct Out: Encodable { var mappings: [Line] }
                    Output.line(Output.json(Out(mappings: lines)))
                } else if lines.isEmpty {
                    Output.line(core ? "The core has no mapping for this institution." : "No item of the clinic is mapped yet.")
                } else {
                    for l in lines {
                        Output.line("\(l.itemCode)\t\(l.itemName ?? "")\t→ \(l.code)\t\(l.name ?? "")\t\(l.state)")
                    }
                }
            } catch {
                throw Output.fail(any: error)
            }
        }
    }

    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send the clinic's new and changed mappings to the core (3301) and revoke removed ones (3302).",
            discussion: "Exit status: 0 all sent; 1 some were refused (each named, with the core's reason); they stay to be sent again.")
        @OptionGroup var config: ConfigOption

        func run() async throws {
            var failures = 0
            do {
                let (terminal, store) = try CatalogueCommand.open(config.path)
                if let priceList = terminal.api?.catalogue { _ = try? await store.seed(priceList: priceList, now: Date()) }
                let pending = try await store.mappings().filter { $0.state != .uploaded }
                if pending.isEmpty { Output.line("Nothing to upload: every mapping is at the core.") }
                try await withSettlementClient(config.path) { client in
                    // What the core already has matched is not sent again.
                    let atCore = Set(try await CoreMappings.fetch(client, institution: terminal.institution.code)
                        .filter(\.valid).map { "\($0.clinicCode)\t\($0.code)" })
                    for m in pending {
                        if m.state == .local, atCore.contains("\(m.clinicCode)\t\(m.hilistCode)") {
                            try await store.markUploaded(clinicCode: m.clinicCode, now: Date())
                            Output.line("\(m.clinicCode) → \(m.hilistCode): already at the core (1317)")
                            continue
                        }
                        do {
                            if m.state == .revoking {
                                try await client.revokeMapping(clinicCode: m.clinicCode, listType: m.listType ?? "", code: m.hilistCode)
                                try await store.forgetRevoked(clinicCode: m.clinicCode)
                                Output.line("\(m.clinicCode) → \(m.hilistCode): revoked (3302)")
                            } else {
                                let entry = try await store.entry(code: m.hilistCode)
                                guard let listType = m.listType ?? entry?.listType else {
                                    failures += 1
                                    Output.error("\(m.clinicCode) → \(m.hilistCode): not in the downloaded catalogue, so its list type is unknown; run `cuntong catalogue sync` first")
                                    continue
                                }
                                try await client.uploadMapping(.init(
                                    fixmedins_hilist_id: m.clinicCode, fixmedins_hilist_name: m.clinicName ?? entry?.name ?? m.clinicCode,
                                    list_type: listType, med_list_codg: m.hilistCode, begndate: WireTime.day(Date()),
                                    // Required in the spec tables; open-ended unless the catalogue code ends.
                                    enddate: entry?.validTo ?? "2099-12-31",
                                    spec: entry?.spec, prcunt: entry?.unit))
                                try await store.markUploaded(clinicCode: m.clinicCode, now: Date())
                                Output.line("\(m.clinicCode) → \(m.hilistCode): uploaded (3301)")
                            }
                        } catch let e as SettlementError {
                            failures += 1
                            Output.error("\(m.clinicCode) → \(m.hilistCode): \(e.message)")
                        }
                    }
                }
            } catch {
                throw Output.fail(any: error)
            }
            if failures > 0 { throw ExitCode(1) }
        }
    }
}
