import Foundation
import TerminalCore

/// An insured person of the simulated city core (`hardware-sim/core/persons/*.json`): the
/// same people as the virtual cards in `hardware-sim/cards/`, plus QR codes and face tokens.
package struct CorePerson: Sendable, Decodable {
    package struct Card: Sendable, Decodable {
        package var cardNumber: String
        package var cardIdentifier: String
    }
    package struct Insurance: Sendable, Decodable {
        package var insutype: String
        package var psn_type: String
        package var psn_insu_stas: String
        package var insuplc_admdvs: String
        package var cvlserv_flag: String
        package var emp_name: String
        package var balc: Money
    }
    package struct IdentityRecord: Sendable, Decodable {
        package var psn_idet_type: String
        package var psn_type_lv: String
        package var memo: String
        package var begntime: String
    }

    package var psn_no: String
    package var certno: String
    package var psn_name: String
    package var gend: String
    package var naty: String
    package var brdy: String
    package var cards: [Card]
    package var qrCodes: [String]
    /// Codes the platform issued to this person that have expired.
    package var expiredQrCodes: [String]?
    package var faceTokens: [String]
    package var familyAccountSharing: Bool
    package var insurance: Insurance
    package var identities: [IdentityRecord]
    package var medicalAidCategory: Int?
    package var yearToDate: CorePolicy.YearToDate

    /// Every `*.json` in `directory`.
    package static func loadAll(directory: String) throws -> [CorePerson] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map {
            try JSONDecoder().decode(CorePerson.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0)))
        }
    }
}
