import ArgumentParser
import Catalogue
import Config
import Foundation
import LocalAPI
import Presentation
import Settlement
import TerminalCore

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
            is resolved; 4 SETTLED, NEEDS REVIEW — the core confirmed the settlement but its
            answer cannot be read: never settle it again; `cuntong journal list` shows it.

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
            // Fee rows checked against the catalogue (when one was downloaded) before anything is sent.
            let terminal = try TerminalConfig.load(path: config.path)
            let store = CatalogueStore.exists(at: terminal.cataloguePath()) ? try CatalogueStore(path: terminal.cataloguePath()) : nil
            if let store, let priceList = terminal.api?.catalogue { _ = try? await store.seed(priceList: priceList, now: Date()) }
            let checked = try await FeeCheck(store: store).check(feeList, day: WireTime.day(Date()))
            for row in checked.rows where row.warning != nil { Output.error("\(row.name): \(row.warning!)") }
            let (patient, outcome) = try await withSettlementClient(config.path) { client in
                let patient = try await client.checkIn(credential)
                return (patient, try await client.settle(patient, fees: checked.fees))
            }
            let view = SettlementView(outcome, patient: patient, reveal: reveal)
            Output.line(json ? Output.json(view) : view.text)
        } catch let error as SettlementError {
            if case .settlementInDoubt = error {
                Output.error(error.description)
                throw ExitCode(3)
            }
            if case .settledNeedsReview = error {
                Output.error(error.description)
                throw ExitCode(4)
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

/// What `cuntong settle` prints: the local API's `Settlement` (docs/api.yaml), the same
/// keys in both.
struct SettlementView: Encodable {
    let settlement: Components.Schemas.Settlement

    init(_ o: SettlementOutcome, patient p: CheckedInPatient, reveal: Bool) {
        settlement = APIViews.settlement(o, patient: p, reveal: reveal)
    }

    func encode(to encoder: any Encoder) throws { try settlement.encode(to: encoder) }

    var patient: Components.Schemas.Settlement.PatientPayload { settlement.patient }
    var split: Components.Schemas.Split { settlement.split }
    var setlId: String { settlement.setlId }
    var settledAt: String { settlement.settledAt }

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
