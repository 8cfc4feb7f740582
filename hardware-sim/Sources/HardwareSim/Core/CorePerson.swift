import Foundation
import TerminalCore

/// An insured person of the simulated city core (`hardware-sim/core/persons/*.json`): the
/// same people as the virtual cards in `hardware-sim/cards/`, plus QR codes and face tokens.
public struct CorePerson: Sendable, Decodable {
    public struct Card: Sendable, Decodable {
        public var cardNumber: String
        public var cardIdentifier: String
    }
    public struct Insurance: Sendable, Decodable {
        public var insutype: String
        public var psn_type: String
        public var psn_insu_stas: String
        public var insuplc_admdvs: String
        public var cvlserv_flag: String
        public var emp_name: String
        public var balc: Money
    }
    public struct IdentityRecord: Sendable, Decodable {
        public var psn_idet_type: String
        public var psn_type_lv: String
        public var memo: String
        public var begntime: String
    }

    public var psn_no: String
    public var certno: String
    public var psn_name: String
    public var gend: String
    public var naty: String
    public var brdy: String
    public var cards: [Card]
    public var qrCodes: [String]
    /// Codes the platform issued to this person that have expired.
    public var expiredQrCodes: [String]?
    public var faceTokens: [String]
    public var familyAccountSharing: Bool
    public var insurance: Insurance
    public var identities: [IdentityRecord]
    public var medicalAidCategory: Int?
    public var yearToDate: CorePolicy.YearToDate

    /// Every `*.json` in `directory`.
    public static func loadAll(directory: String) throws -> [CorePerson] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map {
            try JSONDecoder().decode(CorePerson.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0)))
        }
    }
}
