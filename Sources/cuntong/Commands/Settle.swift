import ArgumentParser
import Foundation
import Settlement
import TerminalCore
import TerminalService

struct Settle: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Register a visit, upload its fees and settle it with the city core.",
        discussion: """
            Runs 1101 (identity), 2201 (registration), 2203/2204 (visit and fees), 2206
            (pre-settlement) and 2207 (settlement), each written to the journal before it is
            sent. Prints the split exactly as the core returned it.

            The fee list is JSON (DESIGN.md, "fee list"); money in yuan strings, e.g.
              {"department": {"code": "A03", "name": "全科"}, "doctor": {"code": "D001", "name": "王医生"},
               "diagnosis": {"code": "J06.900", "name": "急性上呼吸道感染"},
               "items": [{"code": "XN02BEA049A001010101445", "name": "对乙酰氨基酚片",
                          "category": "drug", "unitPrice": "0.35", "quantity": 20}]}

            Exit status: 0 settled; 1 not settled (nothing charged); 3 IN DOUBT — the answer
            to 2207 was lost; the message says whether it was already reversed (冲正). Never
            settle an in-doubt visit again by hand before `cuntong journal recover` says it
            is resolved.

            JSON keys: visitId, mdtrtId, setlId, settledAt, patient {name, idNumber, insurance},
            split {total, basicFund, criticalIllness, medicalAid, otherFunds, fundTotal,
            personalAccount, familyAccount, cash, balanceAfter} (yuan strings), funds
            [{type, name, amount}].
            """)

    @OptionGroup var config: ConfigOption

    @Option(help: "The patient's 18-character ID number.")
    var idNumber: String

    @Option(help: "Fee list file (JSON).")
    var fees: String

    @Flag(help: "Print JSON.")
    var json = false

    @Flag(help: "Show the patient's name and ID number unmasked.")
    var reveal = false

    func validate() throws {
        if case .failure(let problem) = NationalIDNumber.validate(idNumber) {
            throw ValidationError("--id-number is not a valid ID number (\(problem))")
        }
    }

    func run() async throws {
        let feeList: FeeList
        do {
            feeList = try Self.loadFees(fees)
        } catch {
            throw Output.fail(any: error)
        }
        let credential = Credential(kind: .manualIDNumber, payload: NationalIDNumber(idNumber)!.value, source: "keyboard")
        do {
            let (patient, outcome) = try await withSettlementClient(config.path) { client in
                let patient = try await client.checkIn(credential)
                return (patient, try await client.settle(patient, fees: feeList))
            }
            let view = SettlementView(outcome, patient: patient, reveal: reveal)
            Output.line(json ? Output.json(view) : view.text)
        } catch let error as SettlementError {
            if case .settlementInDoubt = error {
                Output.error(error.description)
                throw ExitCode(3)
            }
            throw Output.fail(error)
        } catch {
            throw Output.fail(any: error)
        }
    }

    static func loadFees(_ path: String) throws -> FeeList {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FeeList.Problem.unreadable("\(path) cannot be opened")
        }
        do {
            return try JSONDecoder().decode(FeeList.self, from: data).validated()
        } catch let problem as FeeList.Problem {
            throw problem
        } catch let DecodingError.keyNotFound(key, context) {
            throw FeeList.Problem.unreadable("\((context.codingPath + [key]).map(\.stringValue).joined(separator: ".")) is missing")
        } catch let DecodingError.dataCorrupted(context) {
            throw FeeList.Problem.unreadable("\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)")
        } catch let DecodingError.typeMismatch(_, context) {
            throw FeeList.Problem.unreadable("\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type")
        } catch {
            throw FeeList.Problem.unreadable("it is not JSON")
        }
    }
}

/// What `cuntong settle` prints.
struct SettlementView: Encodable {
    struct Patient: Encodable {
        var name: String
        var idNumber: String
        var insurance: String
    }
    struct Split: Encodable {
        var total, basicFund, criticalIllness, medicalAid, otherFunds, fundTotal: String
        var personalAccount, familyAccount, cash, balanceAfter: String
    }
    struct Fund: Encodable {
        var type: String
        var name: String
        var amount: String
    }

    var visitId: Int64
    var mdtrtId: String
    var setlId: String
    var settledAt: String
    var patient: Patient
    var split: Split
    var funds: [Fund]

    init(_ o: SettlementOutcome, patient p: CheckedInPatient, reveal: Bool) {
        visitId = o.visitId
        mdtrtId = o.mdtrtId
        setlId = o.setlId
        settledAt = o.settledAt
        patient = Patient(name: reveal ? p.identity.name : Masking.name(p.identity.name),
                          idNumber: reveal ? p.identity.idNumber : Masking.idNumber(p.identity.idNumber),
                          insurance: p.identity.primaryInsurance?.type ?? "")
        let s = o.split
        split = Split(total: s.total.yuan, basicFund: s.basicFund.yuan, criticalIllness: s.criticalIllness.yuan,
                      medicalAid: s.medicalAid.yuan, otherFunds: s.otherFunds.yuan, fundTotal: s.fundTotal.yuan,
                      personalAccount: s.personalAccount.yuan, familyAccount: s.familyAccount.yuan, cash: s.cash.yuan,
                      balanceAfter: s.balanceAfter.yuan)
        funds = o.fundDetails.map { Fund(type: $0.fund_pay_type, name: $0.fund_pay_type_name, amount: $0.fund_payamt.yuan) }
    }

    var text: String {
        """
        结算成功 Settled   \(patient.name) \(patient.idNumber)   setl_id \(setlId)   \(settledAt)
          医疗费总额 Total            ¥\(split.total)
          统筹 Basic fund             ¥\(split.basicFund)
          大病 Critical illness       ¥\(split.criticalIllness)
          救助 Medical aid            ¥\(split.medicalAid)
          其他基金 Other funds        ¥\(split.otherFunds)
          个账 Personal account       ¥\(split.personalAccount)
          共济 Family account         ¥\(split.familyAccount)
          现金 Cash to pay            ¥\(split.cash)
          个账余额 Balance after      ¥\(split.balanceAfter)
        """
    }
}
