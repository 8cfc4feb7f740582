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
    /// A benefit frozen although the person is insured (e.g. the year's resident
    /// contribution unpaid): 2001 answers `trt_enjymnt_flag` 0 with `reason` as
    /// `trt_chk_rslt`, and 2201 is refused with it. Absent: the person enjoys benefits.
    package var benefitPause: BenefitPause?
    /// 门诊慢特病 filings (备案) as 5301 answers them; a med_type 14 visit must name one.
    package var chronicDiseases: [ChronicFiling]?

    package struct BenefitPause: Sendable, Decodable {
        package var reason: String
        /// yyyy-MM-dd: since when.
        package var begndate: String
    }

    package struct ChronicFiling: Sendable, Decodable {
        package var opsp_dise_code: String
        package var opsp_dise_name: String
        package var begndate: String
        package var enddate: String?

        /// Whether the filing covers `day` (yyyy-MM-dd).
        package func covers(_ day: String) -> Bool { begndate <= day && (enddate.map { day <= $0 } ?? true) }
    }

    /// Every `*.json` in `directory`.
    package static func loadAll(directory: String) throws -> [CorePerson] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map {
            try JSONDecoder().decode(CorePerson.self, from: Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0)))
        }
    }
}
