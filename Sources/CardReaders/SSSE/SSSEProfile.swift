import Foundation

/// The layout of the SSSE application as data (`Profiles/ssse-profile.json`).
package struct SSSEProfile: Sendable, Decodable, Hashable {
    package struct Application: Sendable, Decodable, Hashable {
        package let name: String
        package let aid: String
        package var aidBytes: [UInt8] { Hex.bytes(aid) ?? [] }
    }

    package struct File: Sendable, Decodable, Hashable {
        package let name: String
        package let fid: String
        /// SELECT P1 values to try in order: 00 (by file id) and 02 (EF under current DF).
        package let selectP1: [String]
        package var fidBytes: [UInt8] { Hex.bytes(fid) ?? [] }
        package var selectP1Bytes: [UInt8] { selectP1.compactMap { UInt8($0, radix: 16) } }
    }

    package enum Format: String, Sendable, Decodable, Hashable {
        case binary, ascii, bcd, bcdDate, gbk
    }

    package struct Element: Sendable, Decodable, Hashable {
        package let key: String
        package let label: String
        package let file: String
        package let record: UInt8
        package let tag: UInt8
        /// The nominal (maximum) value length; shorter values are padded on real cards.
        package let length: Int
        package let format: Format
        package let required: Bool
        /// Keep only the first `length` bytes of a longer record (the card number: "只读前9位").
        package let takeFirst: Bool?
    }

    /// RKSSSE authentication: where the card announces its algorithm and which keys the
    /// INTERNAL/EXTERNAL AUTHENTICATE commands name (P2), from the public procedure and trace.
    package struct Authentication: Sendable, Decodable, Hashable {
        /// The FCI tag carrying the algorithm template (9F0C) and the template's tag (86).
        package let fciTag: String
        package let algorithmTag: String
        /// When the FCI has no algorithm template.
        package let defaultAlgorithm: String
        package let algorithms: [String: String]
        package let internalKey: String
        package let externalKey: String

        package var internalKeyBytes: UInt8 { UInt8(internalKey, radix: 16) ?? 0 }
        package var externalKeyBytes: UInt8 { UInt8(externalKey, radix: 16) ?? 0 }

        /// The algorithm identifier announced in the SELECT answer, e.g. `9F0C 03 86 01 03` → `03`.
        package func algorithm(fci: [UInt8]) -> String {
            guard let outer = Hex.bytes(fciTag), let inner = Hex.bytes(algorithmTag), !outer.isEmpty, inner.count == 1,
                  let start = Self.find(outer, in: fci), start + outer.count < fci.count else { return defaultAlgorithm }
            let length = Int(fci[start + outer.count])
            let valueStart = start + outer.count + 1
            let template = Array(fci[valueStart..<min(fci.count, valueStart + length)])
            var i = 0
            while i + 1 < template.count {
                let tag = template[i], len = Int(template[i + 1])
                if tag == inner[0], len >= 1, i + 2 < template.count { return Hex.string([template[i + 2]]) }
                i += 2 + len
            }
            return defaultAlgorithm
        }

        private static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
            guard haystack.count >= needle.count else { return nil }
            return (0...(haystack.count - needle.count)).first { Array(haystack[$0..<($0 + needle.count)]) == needle }
        }
    }

    package let application: Application
    package let files: [File]
    package let elements: [Element]
    package let authentication: Authentication

    package func element(_ key: String) -> Element? { elements.first { $0.key == key } }
    package func elements(in file: String) -> [Element] { elements.filter { $0.file == file } }

    package static let standard: SSSEProfile = {
        do {
            return try load(Data(PackageResources.ssse_profile_json))
        } catch {
            fatalError("built-in ssse-profile.json does not parse: \(error)")
        }
    }()

    package static func load(_ data: Data) throws -> SSSEProfile {
        try JSONDecoder().decode(SSSEProfile.self, from: data)
    }
}
