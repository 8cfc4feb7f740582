import Foundation
import GRDB
import TerminalCore

/// The clinic's mapping: each of its own item codes (`medins_list_codg`, 3301's
/// `fixmedins_hilist_id`) to the catalogue code it is settled under (`med_list_codg`).
/// Entries come from the clinic's price list (`source` price-list) or from a person
/// (`cuntong catalogue map`, source manual); a person's entry wins over the price list's.
extension CatalogueStore {
    package struct Mapping: Sendable, Hashable, Codable {
        package enum State: String, Sendable, Codable {
            /// Not at the core yet: `cuntong catalogue upload` sends it (3301).
            case local
            /// The core accepted it (3301).
            case uploaded
            /// Removed here; the core still has it until `upload` sends 3302.
            case revoking
        }
        package var clinicCode: String
        package var clinicName: String?
        package var hilistCode: String
        package var listType: String?
        package var source: String
        package var state: State
        package var changedAt: Date
        package var uploadedAt: Date?
    }

    static func mapping(_ row: Row) -> Mapping {
        Mapping(clinicCode: row["clinic_code"], clinicName: row["clinic_name"], hilistCode: row["hilist_code"],
                listType: row["list_type"], source: row["source"],
                state: Mapping.State(rawValue: row["state"]) ?? .local,
                changedAt: Date(timeIntervalSince1970: row["changed_at"]),
                uploadedAt: (row["uploaded_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
    }

    /// Every mapping, revoked ones included (they wait for 3302).
    package func mappings() async throws(CatalogueError) -> [Mapping] {
        try await read { db in try Row.fetchAll(db, sql: "SELECT * FROM mapping ORDER BY clinic_code").map(Self.mapping) }
    }

    /// The code a clinic item is settled under, if it is mapped (and not being revoked).
    package func mapping(forClinicCode code: String) async throws(CatalogueError) -> Mapping? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM mapping WHERE clinic_code = ? AND state != 'revoking'", arguments: [code])
                .map(Self.mapping)
        }
    }

    /// The clinic items mapped to a catalogue code.
    package func clinicCodes(for hilistCode: String) async throws(CatalogueError) -> [String] {
        try await read { db in
            try String.fetchAll(db, sql: "SELECT clinic_code FROM mapping WHERE hilist_code = ? AND state != 'revoking' ORDER BY clinic_code",
                                arguments: [hilistCode])
        }
    }

    /// Maps a clinic item to a catalogue code, which must be in the catalogue when one is
    /// there. A changed mapping goes back to `local` (to be uploaded again).
    @discardableResult
    package func map(clinicCode: String, clinicName: String?, to hilistCode: String, source: String = "manual",
                     now: Date) async throws(CatalogueError) -> Mapping {
        let code = clinicCode.trimmingCharacters(in: .whitespaces), target = hilistCode.trimmingCharacters(in: .whitespaces)
        guard !code.isEmpty, code.count <= 30 else { throw .mapping("the clinic's item code must be 1 to 30 characters") }
        guard !target.isEmpty else { throw .mapping("the catalogue code is empty") }
        return try await write { db in
            let hasCatalogue = (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM list_state WHERE rows > 0 AND list LIKE '13%'") ?? 0) > 0
            let item = try Row.fetchOne(db, sql: "SELECT list, name FROM item WHERE code = ? ORDER BY list LIMIT 1", arguments: [target])
            if hasCatalogue, item == nil {
                throw CatalogueError.mapping("\(target) is not in the downloaded catalogue (`cuntong catalogue search` finds the right code)")
            }
            let listType = (item?["list"] as String?).flatMap(CatalogueList.named)?.listType
            let existing = try Row.fetchOne(db, sql: "SELECT * FROM mapping WHERE clinic_code = ?", arguments: [code]).map(Self.mapping)
            if let existing, existing.source == "manual", source != "manual" { return existing }
            if var existing, existing.hilistCode == target, existing.state != .revoking {
                // The same mapping again: only what was not known before is filled in (the
                // list type once the catalogue has the code, a name).
                existing.clinicName = clinicName ?? existing.clinicName
                existing.listType = existing.listType ?? listType
                try db.execute(sql: "UPDATE mapping SET clinic_name = ?, list_type = ? WHERE clinic_code = ?",
                               arguments: [existing.clinicName, existing.listType, code])
                return existing
            }
            try db.execute(sql: """
                INSERT OR REPLACE INTO mapping (clinic_code, clinic_name, hilist_code, list_type, source, state, changed_at, uploaded_at)
                VALUES (?, ?, ?, ?, ?, 'local', ?, NULL)
                """, arguments: [code, clinicName ?? existing?.clinicName, target, listType ?? existing?.listType, source,
                                 now.timeIntervalSince1970])
            return Mapping(clinicCode: code, clinicName: clinicName ?? existing?.clinicName, hilistCode: target,
                           listType: listType, source: source, state: .local, changedAt: now, uploadedAt: nil)
        }
    }

    /// Removes a mapping: at once if the core never had it, else kept as `revoking` until
    /// `upload` sends 3302.
    package func unmap(clinicCode: String, now: Date) async throws(CatalogueError) {
        try await write { db in
            guard let m = try Row.fetchOne(db, sql: "SELECT * FROM mapping WHERE clinic_code = ?", arguments: [clinicCode]).map(Self.mapping) else {
                throw CatalogueError.mapping("\(clinicCode) is not mapped")
            }
            if m.uploadedAt == nil {
                try db.execute(sql: "DELETE FROM mapping WHERE clinic_code = ?", arguments: [clinicCode])
            } else {
                try db.execute(sql: "UPDATE mapping SET state = 'revoking', changed_at = ? WHERE clinic_code = ?",
                               arguments: [now.timeIntervalSince1970, clinicCode])
            }
        }
    }

    package func markUploaded(clinicCode: String, now: Date) async throws(CatalogueError) {
        try await write { db in
            try db.execute(sql: "UPDATE mapping SET state = 'uploaded', uploaded_at = ? WHERE clinic_code = ?",
                           arguments: [now.timeIntervalSince1970, clinicCode])
        }
    }

    package func forgetRevoked(clinicCode: String) async throws(CatalogueError) {
        try await write { db in
            try db.execute(sql: "DELETE FROM mapping WHERE clinic_code = ? AND state = 'revoking'", arguments: [clinicCode])
        }
    }
}

/// The mapping a clinic's price list (`[api] catalogue`) carries: each item's own code
/// (`clinicCode`) and the catalogue code (`code`) it is settled under. Read liberally: items
/// without both codes are skipped, other keys ignored.
package enum PriceListMappings {
    struct File: Decodable {
        struct Item: Decodable { var code: String?; var clinicCode: String?; var name: String? }
        var items: [Item]?
    }

    package static func load(path: String) throws(CatalogueError) -> [(clinicCode: String, name: String?, code: String)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .mapping("the price list \(path) ([api] catalogue) cannot be read")
        }
        let file: File
        do { file = try JSONDecoder().decode(File.self, from: data) } catch {
            throw .mapping("the price list \(path) ([api] catalogue) is not valid JSON: \(error)")
        }
        return (file.items ?? []).compactMap { i in
            guard let c = i.clinicCode, !c.isEmpty, let code = i.code, !code.isEmpty else { return nil }
            return (c, i.name, code)
        }
    }
}

extension CatalogueStore {
    /// Takes the price list's mappings in (as source price-list; a person's own mapping of the
    /// same item is kept). Entries whose code is not in the catalogue are returned, not taken.
    package func seed(priceList path: String, now: Date) async throws(CatalogueError) -> [String] {
        var rejected: [String] = []
        for m in try PriceListMappings.load(path: path) {
            do { try await map(clinicCode: m.clinicCode, clinicName: m.name, to: m.code, source: "price-list", now: now) } catch {
                rejected.append("\(m.clinicCode) → \(m.code): \(error.message)")
            }
        }
        return rejected
    }
}
