import Foundation
import TerminalCore

/// The reimbursement policy as data (`hardware-sim/core/policy/*.json`), and the split it
/// gives. Written from the municipal rules, not from the terminal's code, so that the
/// simulator can catch the terminal quoting wrong amounts.
package struct CorePolicy: Sendable, Decodable {
    package struct Outpatient: Sendable, Decodable {
        package var deductible: Money
        /// Basis points by insutype.
        package var basicFundRatio: [String: Int64]
        package var annualCap: [String: Money]
    }
    package struct Tier: Sendable, Decodable {
        package var upTo: Money?
        package var ratio: Int64
    }
    package struct CriticalIllness: Sendable, Decodable {
        package var threshold: Money
        package var tiers: [Tier]
    }
    package struct AidCategory: Sendable, Decodable {
        package var ratio: Int64
        package var thresholdPercentOfIncome: Int64
        package var annualCap: Money?
    }
    package struct MedicalAid: Sendable, Decodable {
        package var priorYearPerCapitaIncome: Money
        package var categories: [String: AidCategory]
    }
    package struct CatalogEntry: Sendable, Decodable {
        package var name: String
        /// 01 甲类, 02 乙类, 03 丙类 (self-paid).
        package var level: String
        /// Part the patient pays first (先行自付), basis points.
        package var selfpayRatio: Int64
    }

    /// 门诊慢特病 (med_type 14 and its local sub-codes): paid by the basic fund at its own
    /// ratio, deductible and yearly cap, counted apart from the ordinary outpatient cap.
    package struct Chronic: Sendable, Decodable {
        /// med_type values that are 门诊慢特病 (any med_type starting with 14 is, too).
        package var medTypes: [String]
        package var deductible: Money
        /// Basis points by insutype.
        package var basicFundRatio: [String: Int64]
        package var annualCap: [String: Money]
    }

    /// How the basic fund pays one settlement: what `split` applies instead of the ordinary
    /// outpatient rule when given.
    package struct BasicRule: Sendable, Equatable {
        package var deductible: Money
        package var ratio: Int64
        /// What is left of the yearly cap; nil = no cap.
        package var remaining: Money?
    }

    package var year: Int
    package var outpatient: Outpatient
    package var chronic: Chronic?
    package var criticalIllness: CriticalIllness
    package var medicalAid: MedicalAid
    package var catalog: [String: CatalogEntry]

    package static func load(path: String) throws -> CorePolicy {
        try JSONDecoder().decode(CorePolicy.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// One fee line as the core classifies it.
    package struct Line: Sendable, Equatable {
        package var code: String
        package var amount: Money
        /// 01 甲, 02 乙, 03 丙 (not in the catalogue: all self-paid).
        package var level: String
        package var fullOwnPay: Money
        package var preSelfPay: Money
        package var inScope: Money
    }

    package func classify(code: String, amount: Money) -> Line {
        // Not in the catalogue, or listed as 丙类 (level 03): the patient pays all of it.
        guard let entry = catalog[code], entry.level != "03" else {
            return Line(code: code, amount: amount, level: "03", fullOwnPay: amount, preSelfPay: .zero, inScope: .zero)
        }
        let pre = amount.scaled(entry.selfpayRatio, over: 10_000)
        return Line(code: code, amount: amount, level: entry.level, fullOwnPay: .zero, preSelfPay: pre, inScope: amount - pre)
    }

    /// What a person has used this year, which caps and thresholds depend on.
    package struct YearToDate: Sendable, Equatable, Codable {
        package var basicFundPaid: Money
        /// Policy-scope self-pay after the basic fund (the critical-illness base).
        package var criticalIllnessBase: Money
        /// Policy-scope self-pay after basic fund and critical illness (the aid base).
        package var medicalAidBase: Money
        package var medicalAidPaid: Money

        package init(basicFundPaid: Money = .zero, criticalIllnessBase: Money = .zero,
                    medicalAidBase: Money = .zero, medicalAidPaid: Money = .zero) {
            self.basicFundPaid = basicFundPaid
            self.criticalIllnessBase = criticalIllnessBase
            self.medicalAidBase = medicalAidBase
            self.medicalAidPaid = medicalAidPaid
        }
    }

    package struct Split: Sendable, Equatable {
        package var total: Money
        package var fullOwnPay: Money
        package var preSelfPay: Money
        package var inScope: Money
        package var basicFund: Money
        package var poolSelfPay: Money
        package var criticalIllness: Money
        package var medicalAid: Money
        package var fundTotal: Money
        package var personalPart: Money
        package var personalAccount: Money
        package var cash: Money
        /// The year-to-date figures after this settlement.
        package var after: YearToDate
    }

    /// The split of one outpatient settlement. Order as the rules apply it: basic fund on
    /// the policy-scope amount (no deductible at a village clinic, annual cap), then the
    /// critical-illness tiers on the year's policy-scope self-pay above the threshold, then
    /// medical aid on what remains by the person's aid category, then the personal account
    /// (employees only), then cash.
    /// `basicRule` (门诊慢特病): the basic fund's deductible, ratio and remaining cap instead of
    /// the ordinary outpatient ones; the outpatient year-to-date is then left as it was (the
    /// caller keeps the chronic year-to-date).
    package func split(lines: [Line], insutype: String, aidCategory: Int?, accountBalance: Money,
                      useAccount: Bool, yearToDate ytd: YearToDate, basicRule: BasicRule? = nil) -> Split {
        let total = lines.reduce(Money.zero) { $0 + $1.amount }
        let full = lines.reduce(Money.zero) { $0 + $1.fullOwnPay }
        let pre = lines.reduce(Money.zero) { $0 + $1.preSelfPay }
        let scope = lines.reduce(Money.zero) { $0 + $1.inScope }
        var after = ytd

        // Basic fund.
        var basic: Money
        if let rule = basicRule {
            basic = Money.max(.zero, scope - rule.deductible).scaled(rule.ratio, over: 10_000)
            if let remaining = rule.remaining { basic = Money.min(basic, Money.max(.zero, remaining)) }
        } else {
            let ratio = outpatient.basicFundRatio[insutype] ?? 0
            let payable = Money.max(.zero, scope - outpatient.deductible)
            basic = payable.scaled(ratio, over: 10_000)
            if let cap = outpatient.annualCap[insutype] {
                basic = Money.min(basic, Money.max(.zero, cap - ytd.basicFundPaid))
            }
            after.basicFundPaid += basic
        }
        let poolSelf = scope - basic

        // Critical illness: the tiers over the year's running base.
        let ciFrom = ytd.criticalIllnessBase, ciTo = ytd.criticalIllnessBase + poolSelf
        after.criticalIllnessBase = ciTo
        var critical = Money.zero
        var lower = criticalIllness.threshold
        for tier in criticalIllness.tiers {
            let upper = tier.upTo ?? Money(fen: Int64.max / 20_000)
            let overlap = Money.min(ciTo, upper) - Money.max(ciFrom, lower)
            if overlap.fen > 0 { critical += overlap.scaled(tier.ratio, over: 10_000) }
            lower = upper
        }

        // Medical aid on the policy-scope self-pay that remains.
        var aid = Money.zero
        let remaining = poolSelf - critical
        if let aidCategory, let category = medicalAid.categories[String(aidCategory)] {
            let threshold = medicalAid.priorYearPerCapitaIncome.scaled(category.thresholdPercentOfIncome, over: 100)
            let before = ytd.medicalAidBase, now = ytd.medicalAidBase + remaining
            let eligible = Money.max(.zero, now - threshold) - Money.max(.zero, before - threshold)
            aid = eligible.scaled(category.ratio, over: 10_000)
            if let cap = category.annualCap { aid = Money.min(aid, Money.max(.zero, cap - ytd.medicalAidPaid)) }
            after.medicalAidBase = now
            after.medicalAidPaid += aid
        } else {
            after.medicalAidBase = ytd.medicalAidBase + remaining
        }

        let fund = basic + critical + aid
        let personal = total - fund
        let account = useAccount && insutype == "310" ? Money.min(personal, Money.max(.zero, accountBalance)) : .zero
        return Split(total: total, fullOwnPay: full, preSelfPay: pre, inScope: scope, basicFund: basic,
                     poolSelfPay: poolSelf, criticalIllness: critical, medicalAid: aid, fundTotal: fund,
                     personalPart: personal, personalAccount: account, cash: personal - account, after: after)
    }
}

extension CorePolicy {
    /// Whether `medType` is 门诊慢特病: 14, a listed sub-code, or any code starting with 14.
    package func isChronic(medType: String) -> Bool {
        medType.hasPrefix("14") || (chronic?.medTypes.contains(medType) ?? false)
    }

    /// The basic fund's rule for a 门诊慢特病 settlement, given what it paid this year.
    package func chronicRule(insutype: String, paidThisYear: Money) -> BasicRule? {
        guard let chronic else { return nil }
        return BasicRule(deductible: chronic.deductible, ratio: chronic.basicFundRatio[insutype] ?? 0,
                         remaining: chronic.annualCap[insutype].map { $0 - paidThisYear })
    }
}
