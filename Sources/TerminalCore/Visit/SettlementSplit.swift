/// Who pays what for one settlement, exactly as the city core returned it (2206/2207
/// `setlinfo`). The parts are the core's; the terminal never recomputes them.
public struct SettlementSplit: Sendable, Hashable, Codable {
    /// `medfee_sumamt`.
    public var total: Money
    /// `hifp_pay`: the basic medical-insurance fund (统筹).
    public var basicFund: Money
    /// `hifmi_pay`: critical-illness insurance (大病保险).
    public var criticalIllness: Money
    /// `maf_pay`: medical aid (医疗救助).
    public var medicalAid: Money
    /// `cvlserv_pay + hifes_pay + hifob_pay + oth_pay`: the other funds.
    public var otherFunds: Money
    /// `fund_pay_sumamt`.
    public var fundTotal: Money
    /// `acct_pay`: the person's own account (个账).
    public var personalAccount: Money
    /// `acct_mulaid_pay`: relatives' accounts through family sharing (共济).
    public var familyAccount: Money
    /// `psn_cash_pay`: what the patient pays in cash (现金).
    public var cash: Money
    /// `balc`: the account balance after this settlement.
    public var balanceAfter: Money

    public init(total: Money, basicFund: Money, criticalIllness: Money, medicalAid: Money,
                otherFunds: Money, fundTotal: Money, personalAccount: Money, familyAccount: Money,
                cash: Money, balanceAfter: Money) {
        self.total = total
        self.basicFund = basicFund
        self.criticalIllness = criticalIllness
        self.medicalAid = medicalAid
        self.otherFunds = otherFunds
        self.fundTotal = fundTotal
        self.personalAccount = personalAccount
        self.familyAccount = familyAccount
        self.cash = cash
        self.balanceAfter = balanceAfter
    }
}
