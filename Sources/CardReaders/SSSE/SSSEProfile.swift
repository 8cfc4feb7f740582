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
    }

    public let application: Application
    public let files: [File]
    public let elements: [Element]

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
