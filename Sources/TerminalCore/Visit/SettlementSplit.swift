/// Who pays what for one settlement, exactly as the city core returned it (2206/2207
/// `setlinfo`). The parts are the core's; the terminal never recomputes them.
package struct SettlementSplit: Sendable, Hashable, Codable {
    /// `medfee_sumamt`.
    package var total: Money
    /// `hifp_pay`: the basic medical-insurance fund (统筹).
    package var basicFund: Money
    /// `hifmi_pay`: critical-illness insurance (大病保险).
    package var criticalIllness: Money
    /// `maf_pay`: medical aid (医疗救助).
    package var medicalAid: Money
    /// `cvlserv_pay + hifes_pay + hifob_pay + oth_pay`: the other funds.
    package var otherFunds: Money
    /// `fund_pay_sumamt`.
    package var fundTotal: Money
    /// `acct_pay`: the person's own account (个账).
    package var personalAccount: Money
    /// `acct_mulaid_pay`: relatives' accounts through family sharing (共济).
    package var familyAccount: Money
    /// `psn_cash_pay`: what the patient pays in cash (现金).
    package var cash: Money
    /// `balc`: the account balance after this settlement.
    package var balanceAfter: Money

    package init(total: Money, basicFund: Money, criticalIllness: Money, medicalAid: Money,
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
