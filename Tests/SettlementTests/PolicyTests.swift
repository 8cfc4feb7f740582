import Foundation
import HardwareSim
import TerminalCore
import TestSupport
import Testing

/// The simulator's reimbursement policy against cases computed by hand from the municipal
/// rules (hardware-sim/core/policy/README.md): no deductible and 65 % from the basic fund at
/// a village clinic, the critical-illness tiers, and medical aid by category.
@Suite("Reimbursement policy, hand-computed cases")
struct PolicyTests {
    let policy: CorePolicy

    init() throws {
        policy = try CorePolicy.load(path: CoreFixture.root + "/hardware-sim/core/policy/village-clinic.json")
    }

    func yuan(_ s: String) -> Money { Money(yuan: s)! }

    /// The common-cold fee list: 7.00 甲 + 19.20 乙 (10 % first) + 10.00 甲 + 12.50 not listed.
    var commonCold: [CorePolicy.Line] {
        [policy.classify(code: "XN02BEA049A001010101445", amount: yuan("7.00")),
         policy.classify(code: "XJ01CAA040E001010101445", amount: yuan("19.20")),
         policy.classify(code: "001102000010000-110200001", amount: yuan("10.00")),
         policy.classify(code: "ZZ-VITAMIN-C-OTC", amount: yuan("12.50"))]
    }

    /// One 1,000-yuan 甲 item, for the threshold cases.
    var thousand: [CorePolicy.Line] { [policy.classify(code: "120400001", amount: yuan("1000.00"))] }

    @Test("Catalogue: 甲 all in scope, 乙 10 % paid first, unlisted all self-paid")
    func classify() {
        let lines = commonCold
        #expect(lines.map(\.level) == ["01", "02", "01", "03"])
        #expect(lines[1].preSelfPay == yuan("1.92"))
        #expect(lines[1].inScope == yuan("17.28"))
        #expect(lines[3].fullOwnPay == yuan("12.50"))
    }

    @Test("Employee, village clinic: 65 % of 34.28 in scope = 22.28; the account pays the rest")
    func employee() {
        let s = policy.split(lines: commonCold, insutype: "310", aidCategory: nil, accountBalance: yuan("1234.56"),
                             useAccount: true, yearToDate: .init())
        #expect(s.total == yuan("48.70"))
        #expect(s.inScope == yuan("34.28"))
        #expect(s.basicFund == yuan("22.28"))
        #expect(s.criticalIllness == .zero)
        #expect(s.medicalAid == .zero)
        #expect(s.personalAccount == yuan("26.42"))
        #expect(s.cash == .zero)
    }

    @Test("Resident: no personal account, the patient pays 26.42 in cash")
    func resident() {
        let s = policy.split(lines: commonCold, insutype: "390", aidCategory: nil, accountBalance: .zero,
                             useAccount: true, yearToDate: .init())
        #expect(s.basicFund == yuan("22.28"))
        #expect(s.personalAccount == .zero)
        #expect(s.cash == yuan("26.42"))
    }

    @Test("Aid category 1: 100 % of the 12.00 in-scope self-pay, no cap")
    func aidCategory1() {
        let s = policy.split(lines: commonCold, insutype: "390", aidCategory: 1, accountBalance: .zero,
                             useAccount: true, yearToDate: .init(medicalAidPaid: yuan("900000.00")))
        #expect(s.medicalAid == yuan("12.00"))
        #expect(s.cash == yuan("14.42"))
    }

    @Test("Aid category 2: 75 %, but only 5.00 left under the 50,000 cap")
    func aidCategory2Cap() {
        let fresh = policy.split(lines: commonCold, insutype: "390", aidCategory: 2, accountBalance: .zero,
                                 useAccount: true, yearToDate: .init())
        #expect(fresh.medicalAid == yuan("9.00"))
        let capped = policy.split(lines: commonCold, insutype: "390", aidCategory: 2, accountBalance: .zero,
                                  useAccount: true, yearToDate: .init(medicalAidPaid: yuan("49995.00")))
        #expect(capped.medicalAid == yuan("5.00"))
        #expect(capped.after.medicalAidPaid == yuan("50000.00"))
    }

    @Test("Aid category 3: 65 % of what passes 10 % of 21,000 (2,100): 1,950 → 2,300 gives 200 × 65 % = 130.00")
    func aidCategory3Threshold() {
        let s = policy.split(lines: thousand, insutype: "390", aidCategory: 3, accountBalance: .zero,
                             useAccount: true, yearToDate: .init(medicalAidBase: yuan("1950.00")))
        #expect(s.basicFund == yuan("650.00"))
        #expect(s.medicalAid == yuan("130.00"))
        #expect(s.cash == yuan("220.00"))
        #expect(s.after.medicalAidBase == yuan("2300.00"))
    }

    @Test("Aid category 4: 60 % of what passes 25 % of 21,000 (5,250): 5,200 → 5,550 gives 300 × 60 % = 180.00")
    func aidCategory4Threshold() {
        let s = policy.split(lines: thousand, insutype: "390", aidCategory: 4, accountBalance: .zero,
                             useAccount: true, yearToDate: .init(criticalIllnessBase: yuan("5200.00"), medicalAidBase: yuan("5200.00")))
        #expect(s.criticalIllness == .zero)
        #expect(s.medicalAid == yuan("180.00"))
        #expect(s.cash == yuan("170.00"))
    }

    @Test("Critical illness: 14,999 → 15,349 crosses 15,000 by 349; 60 % = 209.40; the account pays 20, cash the rest")
    func criticalIllnessThreshold() {
        let s = policy.split(lines: thousand, insutype: "310", aidCategory: nil, accountBalance: yuan("20.00"),
                             useAccount: true, yearToDate: .init(criticalIllnessBase: yuan("14999.00")))
        #expect(s.basicFund == yuan("650.00"))
        #expect(s.criticalIllness == yuan("209.40"))
        #expect(s.personalAccount == yuan("20.00"))
        #expect(s.cash == yuan("120.60"))
    }

    @Test("Critical illness across a tier: 49,900 → 50,250 pays 100 × 60 % + 250 × 70 % = 235.00")
    func criticalIllnessTiers() {
        let s = policy.split(lines: thousand, insutype: "390", aidCategory: nil, accountBalance: .zero,
                             useAccount: true, yearToDate: .init(criticalIllnessBase: yuan("49900.00")))
        #expect(s.criticalIllness == yuan("235.00"))
    }

    @Test("The basic fund's annual cap: 800 for residents, 795 used, so 5.00 now")
    func basicFundCap() {
        let s = policy.split(lines: commonCold, insutype: "390", aidCategory: nil, accountBalance: .zero,
                             useAccount: true, yearToDate: .init(basicFundPaid: yuan("795.00")))
        #expect(s.basicFund == yuan("5.00"))
        #expect(s.cash == yuan("43.70"))
    }

    @Test("The parts always add up to the total, to the fen")
    func partsAddUp() {
        for category in [nil, 1, 2, 3, 4] as [Int?] {
            for type in ["310", "390"] {
                let s = policy.split(lines: commonCold + thousand, insutype: type, aidCategory: category,
                                     accountBalance: yuan("100.00"), useAccount: true,
                                     yearToDate: .init(criticalIllnessBase: yuan("14900.00"), medicalAidBase: yuan("2000.00")))
                #expect(s.basicFund + s.criticalIllness + s.medicalAid + s.personalAccount + s.cash == s.total)
            }
        }
    }
}
