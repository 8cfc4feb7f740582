import Foundation

/// The layout of the SSSE application as data (`Profiles/ssse-profile.json`).
public struct SSSEProfile: Sendable, Decodable, Hashable {
    public struct Application: Sendable, Decodable, Hashable {
        public let name: String
        public let aid: String
        public var aidBytes: [UInt8] { Hex.bytes(aid) ?? [] }
    }

    public struct File: Sendable, Decodable, Hashable {
        public let name: String
        public let fid: String
        /// SELECT P1 values to try in order: 00 (by file id) and 02 (EF under current DF).
        public let selectP1: [String]
        public var fidBytes: [UInt8] { Hex.bytes(fid) ?? [] }
        public var selectP1Bytes: [UInt8] { selectP1.compactMap { UInt8($0, radix: 16) } }
    }

    public enum Format: String, Sendable, Decodable, Hashable {
        case binary, ascii, bcd, bcdDate, gbk
    }

    public struct Element: Sendable, Decodable, Hashable {
        public let key: String
        public let label: String
        public let file: String
        public let record: UInt8
        public let tag: UInt8
        /// The nominal (maximum) value length; shorter values are padded on real cards.
        public let length: Int
        public let format: Format
        public let required: Bool
        /// Keep only the first `length` bytes of a longer record (the card number: "只读前9位").
        public let takeFirst: Bool?
    }

    /// RKSSSE authentication: where the card announces its algorithm and which keys the
    /// INTERNAL/EXTERNAL AUTHENTICATE commands name (P2), from the public procedure and trace.
    public struct Authentication: Sendable, Decodable, Hashable {
        /// The FCI tag carrying the algorithm template (9F0C) and the template's tag (86).
        public let fciTag: String
        public let algorithmTag: String
        /// When the FCI has no algorithm template.
        public let defaultAlgorithm: String
        public let algorithms: [String: String]
        public let internalKey: String
        public let externalKey: String

        public var internalKeyBytes: UInt8 { UInt8(internalKey, radix: 16) ?? 0 }
        public var externalKeyBytes: UInt8 { UInt8(externalKey, radix: 16) ?? 0 }

        /// The algorithm identifier announced in the SELECT answer, e.g. `9F0C 03 86 01 03` → `03`.
        public func algorithm(fci: [UInt8]) -> String {
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

    public let application: Application
    public let files: [File]
    public let elements: [Element]
    public let authentication: Authentication

    public func element(_ key: String) -> Element? { elements.first { $0.key == key } }
    public func elements(in file: String) -> [Element] { elements.filter { $0.file == file } }

    public static let standard: SSSEProfile = {
        do {
            return try load(Data(PackageResources.ssse_profile_json))
        } catch {
            fatalError("built-in ssse-profile.json does not parse: \(error)")
        }
    }()

    public static func load(_ data: Data) throws -> SSSEProfile {
        try JSONDecoder().decode(SSSEProfile.self, from: data)
    }
}
